// SYN cookies: a listener under a SYN flood answers with a SYN-ACK whose ISN
// (and, with timestamps, TSval) encodes what it would have kept in a
// half-open entry, and keeps nothing. The client's final ACK brings it back
// (ACK = ISN + 1, TSecr = TSval); check() authenticates it and returns the
// negotiated options, then the caller creates the connection.
//
// Pure functions: no clock (now_ms is an argument), no state but the
// secrets, which the control thread rotates and shares with every worker
// (and, for a multi-node VIP, every node).
//
// MAC = AES-128(secret, 4-tuple, counter, mode, data bits), truncated: one
// block, the 16 bytes saddr, daddr, sport|dport, counter|data|mode. The
// client's ISN is added to the MAC field (as Linux adds it): cookies for
// successive SYNs of one tuple differ, and the ISN costs no second block.
// The counter (64 s periods, its low 16 bits in the block) bounds a
// cookie's life: check() tries the current and previous period, so a
// cookie lives 64-128 s. Each period is tried with the current and the
// previous secret, so a rotation does not break handshakes in flight; a
// secret two rotations old fails. The data bits travel in clear but are
// covered by the MAC, so flipping any bit of the ACK number or of the
// option bits fails. (Why AES and not SipHash: util/aes128.h.)
//
// Encoding with timestamps (the SYN carried TSopt, and so will the ACK):
//
//   ISN:    | 31 ................ 3 | 2 1 0 |
//           | MAC (29) + client ISN |  MSS  |   MSS: index into kMssTable
//
//   TSval:  | 31 ........ 6 |  5  |  4   | 3 2 1 0 |
//           | TS clock/64   | ECN | SACK | WSCALE  |  WSCALE: shift 0..14, 15 = none
//
//   The TSval is our TS clock rounded down to a multiple of 64 ticks with
//   the options in the low 6 bits (as Linux does), never ahead of the
//   clock, so later TSvals of the connection stay monotonic.
//
// Encoding without timestamps (ECN cannot be kept; the result says so):
//
//   ISN:    | 31 ................ 8 |  7   | 6 5 4 3 | 2 1 0 |
//           | MAC (24) + client ISN | SACK | WSCALE  |  MSS  |  WSCALE as above
//
// Forgery: a blind attacker guessing ACK numbers for one tuple succeeds with
// probability (periods x secrets) / 2^MAC_bits per try: 4 * 2^-24 (about
// 1 in 4.2M) without timestamps, 4 * 2^-29 with them. Like Linux and
// FreeBSD, we trade that against keeping the options.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "util/aes128.h"
#include "util/siphash.h"

namespace tern::util::syncookie {

// Validation keeps the previous secret for one rotation. The form secrets
// travel in (control messages, epochs); CookieKeys is their expanded form.
struct CookieSecrets {
    SipKey current, previous;
};

// One secret expanded for the MAC: built when a secret is installed, never
// per SYN.
class CookieKey {
  public:
    explicit CookieKey(const SipKey& secret);
    uint64_t mac(uint64_t lo, uint64_t hi) const { return aes_.prf64(lo, hi); }
    // Four MACs in about the time of one (their AES rounds interleave).
    void mac_x4(const uint64_t lo[4], const uint64_t hi[4], uint64_t out[4]) const {
        aes_.prf64_x4(lo, hi, out);
    }

  private:
    Aes128 aes_;
};

struct CookieKeys {
    explicit CookieKeys(const CookieSecrets& s)
        : current(s.current),
          previous(s.previous),
          rotated(s.previous.k0 != s.current.k0 || s.previous.k1 != s.current.k1) {}
    CookieKey current, previous;
    bool rotated;  // previous differs from current: worth a second try
};

// previous <- current, current <- fresh.
inline void rotate(CookieSecrets& s, const SipKey& fresh) {
    s.previous = s.current;
    s.current = fresh;
}

// The 4-tuple as it appears in the client's SYN and ACK (s = client).
struct CookieTuple {
    uint32_t saddr = 0, daddr = 0;
    uint16_t sport = 0, dport = 0;
};

constexpr uint64_t kPeriodMs = 64'000;
constexpr uint32_t cookie_counter(uint64_t now_ms) { return uint32_t(now_ms / kPeriodMs); }

// MSS values a cookie can carry; a client gets the largest one <= its own
// MSS option, so we never send segments larger than it asked for.
constexpr std::array<uint16_t, 8> kMssTable = {
    536,   // RFC 9293 default send MSS: every IPv4 host accepts 576-byte datagrams
    1220,  // 1280-byte MTU paths (IPv6 minimum MTU, 6in4 and other tunnels) less 60
    1360,  // IPsec / GRE VPN concentrators that clamp MSS
    1400,  // cloud overlays (VXLAN, Geneve) and WireGuard-style tunnels on a 1500 underlay
    1440,  // 1500 MTU less 20 bytes of encapsulation (L2TP, IP-in-IP)
    1452,  // PPPoE: 1492-byte MTU (DSL)
    1460,  // Ethernet: 1500-byte MTU, by far the most common
    8960,  // jumbo frames: 9000-byte MTU inside data centres
};

// Index of the largest entry <= mss; 0 for anything smaller than 536 (a
// host must accept 536, RFC 9293 3.7.1).
constexpr unsigned mss_index(uint16_t mss) {
    unsigned i = kMssTable.size() - 1;
    while (i > 0 && kMssTable[i] > mss) --i;
    return i;
}

// What a SYN offered: the one type for it, whether a half-open entry keeps
// it (tcp's passive open) or a cookie carries it (make() takes it, check()
// gives back what the cookie kept of it). tcp negotiates from it.
struct SynOffer {
    uint16_t mss = 536;       // its MSS option, 536 when absent; from kMssTable after check()
    bool wscale_ok = false;   // it sent a window scale option...
    uint8_t wscale = 0;       // ...with this shift count (above 14 means 14, RFC 7323 2.3)
    bool sack_ok = false;     // SACK-permitted
    bool ecn = false;         // ECN setup SYN (ECE+CWR) that we accept; check(): never without TS
    bool timestamps = false;  // the SYN carried a TS option
};

// The SYN-ACK to send: seq = isn; with timestamps, TSval = tsval.
struct Cookie {
    uint32_t isn;
    uint32_t tsval;  // 0 when !opts.timestamps
};

namespace detail {

constexpr uint32_t kTsOptMask = 0x3f;  // low 6 bits of the TSval
constexpr uint32_t kTsSack = 1u << 4;
constexpr uint32_t kTsEcn = 1u << 5;
constexpr uint32_t kPlainSack = 1u << 7;
constexpr int kPlainWscaleShift = 3;
constexpr uint32_t kNoWscale = 15;  // the 4-bit code for "no window scale option"

enum class Mode : uint32_t { plain = 0, timestamps = 1 };

inline uint32_t wscale_code(const SynOffer& o) {
    return o.wscale_ok ? std::min<uint32_t>(o.wscale, 14) : kNoWscale;
}

inline uint32_t ts_option_bits(const SynOffer& o) {
    return wscale_code(o) | (o.sack_ok ? kTsSack : 0) | (o.ecn ? kTsEcn : 0);
}

struct Block {
    uint64_t lo, hi;
};

// `data` is every clear bit the cookie carries (the ISN's low bits, plus
// the TSval's option bits in timestamp mode, at most 15 bits); the mode
// keeps a cookie of one encoding from validating as the other.
inline Block mac_block(const CookieTuple& t, uint32_t counter, Mode mode, uint32_t data) {
    const uint32_t rest = (counter & 0xffff) | (data & 0x7fff) << 16 | uint32_t(mode) << 31;
    return {uint64_t(t.saddr) | uint64_t(t.daddr) << 32,
            uint64_t(t.sport) | uint64_t(t.dport) << 16 | uint64_t(rest) << 32};
}

}  // namespace detail

// TSval carrying the 6 option bits, at or below ts_now (our TS clock).
inline uint32_t make_tsval(uint32_t ts_now, const SynOffer& opts) {
    using namespace detail;
    const uint32_t bits = ts_option_bits(opts);
    // Rounding down keeps us from sending a TSval ahead of our own clock.
    uint32_t ts = (ts_now & ~kTsOptMask) | bits;
    if (bits > (ts_now & kTsOptMask)) ts -= kTsOptMask + 1;
    return ts;
}

// Builds the cookie for a SYN received at now_ms with keys.current.
// client_isn is the SYN's sequence number; ts_now our TS clock (used only
// when opts.timestamps).
Cookie make(const CookieKey& key, const CookieTuple& t, uint32_t client_isn, const SynOffer& opts,
            uint64_t now_ms, uint32_t ts_now);

// make() in two halves, for a caller that computes the MACs of several
// SYNs together (CookieKey::mac_x4): plan() is everything but the MAC,
// finish() turns the MAC into the cookie. make() = finish(p, key.mac(p.lo,
// p.hi), client_isn) with p = plan(t, opts, now_ms, ts_now).
struct CookiePlan {
    uint64_t lo = 0, hi = 0;  // the MAC's 16-byte block
    uint32_t tsval = 0;       // 0 without timestamps
    uint32_t clear = 0;       // the ISN's low bits, sent in clear
    bool timestamps = false;
};
// plan_into() writes the plan field by field where the caller keeps it. It
// is inline so that the tuple and options stay in registers: a plan
// returned by value was copied out of its temporary with 16-byte loads
// over 8-byte stores, and a tuple passed in memory had its ports stored as
// two halves and loaded as one word; store forwarding serves neither (a
// stall per SYN on the cookie path).
inline void plan_into(CookiePlan& out, const CookieTuple& t, const SynOffer& opts,
                      uint64_t now_ms, uint32_t ts_now) {
    using namespace detail;
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
inline CookiePlan plan(const CookieTuple& t, const SynOffer& opts, uint64_t now_ms,
                       uint32_t ts_now) {
    CookiePlan p;
    plan_into(p, t, opts, now_ms, ts_now);
    return p;
}
Cookie finish(const CookiePlan& p, uint64_t mac, uint32_t client_isn);

// Checks an ACK without SYN that matched no connection. client_isn = the
// ACK's seq - 1, our_isn = the ACK's ack - 1, tsecr = its TS echo if it
// carries a timestamp option. nullopt: not a valid cookie (drop or RST).
std::optional<SynOffer> check(const CookieKeys& keys, const CookieTuple& t, uint32_t client_isn,
                                  uint32_t our_isn, uint64_t now_ms, std::optional<uint32_t> tsecr);

}  // namespace tern::util::syncookie
