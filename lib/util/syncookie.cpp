#include "util/syncookie.h"

#include <algorithm>

namespace tern::util::syncookie {

CookieKey::CookieKey(const SipKey& secret) : aes_(Aes128::key_of(secret.k0, secret.k1)) {}

namespace {

constexpr int kTsMacBits = 29;
constexpr int kPlainMacBits = 24;
constexpr uint32_t kTsOptMask = 0x3f;  // low 6 bits of the TSval
constexpr uint32_t kTsSack = 1u << 4;
constexpr uint32_t kTsEcn = 1u << 5;
constexpr uint32_t kPlainSack = 1u << 7;
constexpr int kPlainWscaleShift = 3;

enum class Mode : uint32_t { plain = 0, timestamps = 1 };

constexpr uint32_t kNoWscale = 15;  // the 4-bit code for "no window scale option"

uint32_t wscale_code(const SynOptions& o) {
    return o.wscale_ok ? std::min<uint32_t>(o.wscale, 14) : kNoWscale;
}

struct Block {
    uint64_t lo, hi;
};

// `data` is every clear bit the cookie carries (the ISN's low bits, plus
// the TSval's option bits in timestamp mode, at most 15 bits); the mode
// keeps a cookie of one encoding from validating as the other.
Block mac_block(const CookieTuple& t, uint32_t counter, Mode mode, uint32_t data) {
    const uint32_t rest = (counter & 0xffff) | (data & 0x7fff) << 16 | uint32_t(mode) << 31;
    return {uint64_t(t.saddr) | uint64_t(t.daddr) << 32,
            uint64_t(t.sport) | uint64_t(t.dport) << 16 | uint64_t(rest) << 32};
}

// The MAC's top `bits` bits plus the client's ISN, modulo 2^bits.
constexpr uint32_t mac_field(uint64_t h, int bits, uint32_t client_isn) {
    return (uint32_t(h >> (64 - bits)) + client_isn) & ((1u << bits) - 1);
}

uint32_t ts_option_bits(const SynOptions& o) {
    return wscale_code(o) | (o.sack_ok ? kTsSack : 0) | (o.ecn ? kTsEcn : 0);
}

}  // namespace

uint32_t make_tsval(uint32_t ts_now, const SynOptions& opts) {
    const uint32_t bits = ts_option_bits(opts);
    // Rounding down keeps us from sending a TSval ahead of our own clock.
    uint32_t ts = (ts_now & ~kTsOptMask) | bits;
    if (bits > (ts_now & kTsOptMask)) ts -= kTsOptMask + 1;
    return ts;
}

void plan_into(CookiePlan& out, const CookieTuple& t, const SynOptions& opts, uint64_t now_ms,
               uint32_t ts_now) {
    const uint32_t counter = cookie_counter(now_ms);
    const uint32_t mss = mss_index(opts.mss);
    Block b;
    if (opts.timestamps) {
        out.tsval = make_tsval(ts_now, opts);
        out.clear = mss;
        b = mac_block(t, counter, Mode::timestamps, mss | (out.tsval & kTsOptMask) << 3);
    } else {
        out.tsval = 0;
        out.clear = mss | wscale_code(opts) << kPlainWscaleShift | (opts.sack_ok ? kPlainSack : 0);
        b = mac_block(t, counter, Mode::plain, out.clear);
    }
    out.lo = b.lo;
    out.hi = b.hi;
    out.timestamps = opts.timestamps;
}

Cookie finish(const CookiePlan& p, uint64_t mac, uint32_t client_isn) {
    if (p.timestamps) return {mac_field(mac, kTsMacBits, client_isn) << 3 | p.clear, p.tsval};
    return {mac_field(mac, kPlainMacBits, client_isn) << 8 | p.clear, 0};
}

Cookie make(const CookieKey& key, const CookieTuple& t, uint32_t client_isn, const SynOptions& opts,
            uint64_t now_ms, uint32_t ts_now) {
    const CookiePlan p = plan(t, opts, now_ms, ts_now);
    return finish(p, key.mac(p.lo, p.hi), client_isn);
}

std::optional<CookieResult> check(const CookieKeys& keys, const CookieTuple& t, uint32_t client_isn,
                                  uint32_t our_isn, uint64_t now_ms,
                                  std::optional<uint32_t> tsecr) {
    const bool ts = tsecr.has_value();
    const Mode mode = ts ? Mode::timestamps : Mode::plain;
    const int mac_bits = ts ? kTsMacBits : kPlainMacBits;
    const uint32_t data = ts ? (our_isn & 7) | (*tsecr & kTsOptMask) << 3 : our_isn & 0xff;
    const uint32_t given = our_isn >> (32 - mac_bits);

    const uint32_t now_counter = cookie_counter(now_ms);
    bool ok = false;
    // Newest first: almost every valid ACK matches on the first try.
    for (uint32_t age = 0; age < 2 && !ok; ++age) {
        if (age > now_counter) break;  // no period before the clock's first
        for (const CookieKey* key : {&keys.current, &keys.previous}) {
            if (key == &keys.previous && !keys.rotated) break;
            const Block b = mac_block(t, now_counter - age, mode, data);
            const uint64_t h = key->mac(b.lo, b.hi);
            if (mac_field(h, mac_bits, client_isn) == given) {
                ok = true;
                break;
            }
        }
    }
    if (!ok) return std::nullopt;

    CookieResult r{};
    r.mss = kMssTable[our_isn & 7];
    r.timestamps = ts;
    uint32_t wscale;
    if (ts) {
        wscale = *tsecr & 0xf;
        r.sack_ok = (*tsecr & kTsSack) != 0;
        r.ecn = (*tsecr & kTsEcn) != 0;
    } else {
        wscale = (our_isn >> kPlainWscaleShift) & 0xf;
        r.sack_ok = (our_isn & kPlainSack) != 0;
        r.ecn = false;
    }
    r.wscale_ok = wscale != kNoWscale;
    r.wscale = r.wscale_ok ? uint8_t(wscale) : 0;
    return r;
}

}  // namespace tern::util::syncookie
