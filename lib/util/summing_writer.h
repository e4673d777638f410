// Writes big-endian 16/32-bit fields and keeps the one's-complement sum of
// what it wrote (RFC 1071: the sum of the fields' values is the sum of the
// header's words). Headers are checksummed from values still in registers
// instead of being read back: reading bytes just written as narrow stores
// with wide loads defeats store-to-load forwarding and stalls each load.
#pragma once

#include <cstdint>

#include "util/bytes.h"

namespace tern::util {

class SummingWriter {
  public:
    explicit SummingWriter(uint8_t* p) : p_(p) {}

    void put16(uint16_t v) {
        store_be16(p_, v);
        p_ += 2;
        sum_ += v;
    }
    void put32(uint32_t v) {
        store_be32(p_, v);
        p_ += 4;
        sum_ += (v >> 16) + (v & 0xFFFF);
    }
    // Two one-byte fields that share a 16-bit word (kind and length).
    void put8x2(uint8_t hi, uint8_t lo) { put16(uint16_t(hi << 8 | lo)); }

    uint8_t* pos() const { return p_; }
    // Unfolded: at most 32 words of 0xFFFF per header, far from overflow.
    uint32_t sum() const { return sum_; }

  private:
    uint8_t* p_;
    uint32_t sum_ = 0;
};

}  // namespace tern::util
