// AES-128 encryption of single blocks (FIPS-197), for the SYN-cookie MAC.
//
// Why AES and not SipHash there: a cookie MAC is computed for every SYN of a
// flood. With AES-NI one block is 10 instructions over round keys expanded
// once per secret, against ~210 for SipHash-2-4 over the cookie's 24 bytes
// (callgrind, issue 6), and it is a PRF of the same standing.
//
// Every node behind a VIP must compute the same cookie, including nodes
// without AES-NI (or not x86), so the software path is the same function,
// bit for bit: tests check both against FIPS-197's vectors and each other.
// The software path is byte-oriented and table-driven, so its timing
// depends on the data; it is the fallback, not the path a flood meets on
// the hardware tern targets.
#pragma once

#include <array>
#include <cstdint>

#include "util/bytes.h"

namespace tern::util {

class Aes128 {
  public:
    using Block = std::array<uint8_t, 16>;
    using Key = std::array<uint8_t, 16>;

    Aes128() : Aes128(Key{}) {}
    explicit Aes128(const Key& key);
    // The key whose bytes are lo then hi, little-endian (a SipKey's words).
    static Key key_of(uint64_t lo, uint64_t hi) {
        Key k;
        store_le64(k.data(), lo);
        store_le64(k.data() + 8, hi);
        return k;
    }

    Block encrypt(const Block& in) const { return hw_ ? encrypt_hw(in) : encrypt_soft(in); }

    // The first 8 bytes of encrypt() of the 16 bytes lo, hi (each
    // little-endian), as a little-endian word: the keyed PRF tern uses.
    // With AES-NI the block never goes through memory: four 32-bit stores
    // read back as one 16-byte load cannot be store-forwarded and stall.
    uint64_t prf64(uint64_t lo, uint64_t hi) const {
        return hw_ ? prf64_hw(lo, hi) : prf64_soft(lo, hi);
    }
    uint64_t prf64_soft(uint64_t lo, uint64_t hi) const;
    uint64_t prf64_hw(uint64_t lo, uint64_t hi) const;
    // Four prf64()s at once: with AES-NI their rounds interleave, so the
    // four cost about the latency of one (10 dependent rounds, ~45 cycles).
    void prf64_x4(const uint64_t lo[4], const uint64_t hi[4], uint64_t out[4]) const {
        if (hw_) return prf64_x4_hw(lo, hi, out);
        for (int i = 0; i < 4; ++i) out[i] = prf64_soft(lo[i], hi[i]);
    }
    void prf64_x4_hw(const uint64_t lo[4], const uint64_t hi[4], uint64_t out[4]) const;

    // Each path on its own, for the tests; encrypt_hw only when hardware().
    Block encrypt_soft(const Block& in) const;
    Block encrypt_hw(const Block& in) const;
    // This CPU has the AES instructions (x86 AES-NI) and encrypt() uses them.
    static bool hardware();

  private:
    // Round keys 0..10, in the byte order FIPS-197 and AES-NI both use.
    alignas(16) uint8_t rk_[11][16];
    bool hw_;
};

}  // namespace tern::util
