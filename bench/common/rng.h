// Fast pseudo-random numbers and integer mixers for the load generators.
// Not cryptographic: they spread tuples and derive per-tuple values (ISNs)
// that a reply can be checked against without per-flow state.
#pragma once

#include <cstdint>

namespace tern::bench {

// wyrand: one multiply per number, good enough to spread tuples.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() {
        s += 0xa0761d6478bd642full;
        __uint128_t t = (__uint128_t)(s) * (s ^ 0xe7037ed1a0b428dbull);
        return uint64_t(t >> 64) ^ uint64_t(t);
    }
};

// murmur3's 32-bit finalizer.
inline uint32_t mix32(uint32_t x) {
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

// murmur3's 64-bit finalizer: a whole IPv4 address + port fits in one input.
inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

}  // namespace tern::bench
