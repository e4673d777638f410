#include "util/syncookie.h"

#include <algorithm>

namespace tern::util::syncookie {

CookieKey::CookieKey(const SipKey& secret) : aes_(Aes128::key_of(secret.k0, secret.k1)) {}

namespace {

constexpr int kTsMacBits = 29;
constexpr int kPlainMacBits = 24;

// The MAC's top `bits` bits plus the client's ISN, modulo 2^bits.
constexpr uint32_t mac_field(uint64_t h, int bits, uint32_t client_isn) {
    return (uint32_t(h >> (64 - bits)) + client_isn) & ((1u << bits) - 1);
}

}  // namespace

using namespace detail;

Cookie finish(const CookiePlan& p, uint64_t mac, uint32_t client_isn) {
    if (p.timestamps) return {mac_field(mac, kTsMacBits, client_isn) << 3 | p.clear, p.tsval};
    return {mac_field(mac, kPlainMacBits, client_isn) << 8 | p.clear, 0};
}

Cookie make(const CookieKey& key, const CookieTuple& t, uint32_t client_isn, const SynOffer& opts,
            uint64_t now_ms, uint32_t ts_now) {
    const CookiePlan p = plan(t, opts, now_ms, ts_now);
    return finish(p, key.mac(p.lo, p.hi), client_isn);
}

std::optional<SynOffer> check(const CookieKeys& keys, const CookieTuple& t, uint32_t client_isn,
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

    SynOffer r{};
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
