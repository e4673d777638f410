// TCP sequence-number arithmetic (RFC 9293 3.4, RFC 1982 serial numbers).
// Sequence and acknowledgement numbers wrap at 2^32, so they are compared by
// the sign of their 32-bit difference, never as raw integers. The types make
// a raw comparison a compile error.
#pragma once

#include <cstdint>

namespace tern::util {

// A length in sequence space (bytes plus SYN/FIN flags).
using SeqLen = uint32_t;

class SeqNum {
public:
    constexpr SeqNum() = default;
    constexpr explicit SeqNum(uint32_t v) : v_(v) {}

    constexpr uint32_t raw() const { return v_; }

    constexpr SeqNum operator+(SeqLen n) const { return SeqNum(v_ + n); }
    constexpr SeqNum operator-(SeqLen n) const { return SeqNum(v_ - n); }
    constexpr SeqNum& operator+=(SeqLen n) { v_ += n; return *this; }
    // Distance from b to a; meaningful when a is at or after b.
    constexpr friend SeqLen operator-(SeqNum a, SeqNum b) { return a.v_ - b.v_; }

    constexpr friend bool operator==(SeqNum a, SeqNum b) = default;
    constexpr friend bool operator<(SeqNum a, SeqNum b) { return int32_t(a.v_ - b.v_) < 0; }
    constexpr friend bool operator>(SeqNum a, SeqNum b) { return b < a; }
    constexpr friend bool operator<=(SeqNum a, SeqNum b) { return !(b < a); }
    constexpr friend bool operator>=(SeqNum a, SeqNum b) { return !(a < b); }

private:
    uint32_t v_ = 0;
};

constexpr SeqNum seq_max(SeqNum a, SeqNum b) { return a < b ? b : a; }
constexpr SeqNum seq_min(SeqNum a, SeqNum b) { return a < b ? a : b; }

// start <= s < start + len, the window test of RFC 9293 3.10.7.4.
constexpr bool in_window(SeqNum s, SeqNum start, SeqLen len) { return s - start < len; }

// lo <= s <= hi, for acceptable-ACK checks (SND.UNA <= SEG.ACK <= SND.NXT).
constexpr bool between(SeqNum lo, SeqNum s, SeqNum hi) { return s - lo <= hi - lo; }

}  // namespace tern::util
