// SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed PRF with a 128-bit key
// and 64-bit output. tern hashes attacker-chosen inputs (4-tuples, source
// addresses, SYN cookie fields); with an unkeyed or weak hash an attacker
// could aim every flow at one bucket or forge cookies. SipHash is the
// shortest function that is both a PRF and fast on 8-32 byte inputs.
//
// The fixed-size variants are the generic function specialised to the
// message lengths tern uses; each equals siphash() over the little-endian
// bytes of its arguments, which is what the tests check.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::util {

struct SipKey {
    uint64_t k0 = 0, k1 = 0;
};

namespace sip_detail {

constexpr uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct State {
    uint64_t v0, v1, v2, v3;

    constexpr explicit State(const SipKey& k)
        : v0(k.k0 ^ 0x736f6d6570736575ull),
          v1(k.k1 ^ 0x646f72616e646f6dull),
          v2(k.k0 ^ 0x6c7967656e657261ull),
          v3(k.k1 ^ 0x7465646279746573ull) {}

    constexpr void round() {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    }

    // C compression rounds per 8-byte word (the "2" of 2-4).
    template <int C = 2>
    constexpr void absorb(uint64_t m) {
        v3 ^= m;
        for (int i = 0; i < C; ++i) round();
        v0 ^= m;
    }

    // D finalization rounds (the "4").
    template <int D = 4>
    constexpr uint64_t finish() {
        v2 ^= 0xff;
        for (int i = 0; i < D; ++i) round();
        return v0 ^ v1 ^ v2 ^ v3;
    }
};

// The last word carries the message length (mod 256) in its top byte.
constexpr uint64_t len_word(size_t len) { return uint64_t(len) << 56; }

}  // namespace sip_detail

// SipHash-2-4 of `len` bytes.
uint64_t siphash(const SipKey& key, const void* data, size_t len);

// = siphash() of the 4 little-endian bytes of x.
constexpr uint64_t siphash_u32(const SipKey& key, uint32_t x) {
    sip_detail::State s(key);
    s.absorb(sip_detail::len_word(4) | x);
    return s.finish();
}

// = siphash() of the 16 little-endian bytes of a, b (SipHash-C-D: 2-4
// unless asked otherwise).
template <int C = 2, int D = 4>
constexpr uint64_t siphash_u64x2(const SipKey& key, uint64_t a, uint64_t b) {
    sip_detail::State s(key);
    s.absorb<C>(a);
    s.absorb<C>(b);
    s.absorb<C>(sip_detail::len_word(16));
    return s.finish<D>();
}

// = siphash() of the 24 little-endian bytes of a, b, c.
constexpr uint64_t siphash_u64x3(const SipKey& key, uint64_t a, uint64_t b, uint64_t c) {
    sip_detail::State s(key);
    s.absorb(a);
    s.absorb(b);
    s.absorb(c);
    s.absorb(sip_detail::len_word(24));
    return s.finish();
}

// A connection's 4-tuple plus 32 caller-chosen bits (a counter, a port
// salt, a listener id). Addresses and ports are hashed as the integers
// given, so a caller must use one byte order consistently. Equals siphash()
// of the 16 bytes saddr, daddr, sport, dport, extra, each little-endian.
constexpr uint64_t siphash_4tuple(const SipKey& key, uint32_t saddr, uint32_t daddr, uint16_t sport,
                                  uint16_t dport, uint32_t extra = 0) {
    return siphash_u64x2(key, uint64_t(saddr) | uint64_t(daddr) << 32,
                         uint64_t(sport) | uint64_t(dport) << 16 | uint64_t(extra) << 32);
}

// SipHash-1-3 of the same 16 bytes as siphash_4tuple(): 6 rounds instead
// of 10. For the flow table, hashed once per received segment, where the
// threat is an attacker aiming tuples at one probe run, not forging a MAC;
// 1-3 is what Rust's and Python's hash tables settled on for exactly that.
constexpr uint64_t siphash13_4tuple(const SipKey& key, uint32_t saddr, uint32_t daddr,
                                    uint16_t sport, uint16_t dport, uint32_t extra = 0) {
    return siphash_u64x2<1, 3>(key, uint64_t(saddr) | uint64_t(daddr) << 32,
                               uint64_t(sport) | uint64_t(dport) << 16 | uint64_t(extra) << 32);
}

// SipHash-1-3 of `len` bytes (the reference for siphash13_4tuple's tests).
uint64_t siphash13(const SipKey& key, const void* data, size_t len);

}  // namespace tern::util
