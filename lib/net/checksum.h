// Internet checksum (RFC 1071) and its incremental update (RFC 1624).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "util/bytes.h"

namespace tern::net {

// One's-complement sum of a byte range, folded to 32 bits; not complemented,
// so partial sums over several ranges (pseudo header + segment) can be added.
uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t sum = 0);

// Whether a TCP/UDP segment's checksum verifies: the segment's `l4_len`
// bytes at `l4` plus the pseudo header of the IPv4 header at `ip`. One pass,
// summed in native byte order (no pseudo-header sum in host order, no swap).
bool l4_checksum_ok(const uint8_t* ip, uint8_t proto, const uint8_t* l4, uint16_t l4_len);

// A native-order sum of any width folded to 16 bits (end-around carries),
// still in native byte order: the all-ones test on it needs no swap.
inline uint32_t fold_native(uint64_t acc) {
    acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    uint32_t s = uint32_t(acc);
    s = (s & 0xFFFF) + (s >> 16);
    return (s & 0xFFFF) + (s >> 16);
}

// Fold a partial sum into the final 16-bit checksum value.
inline uint16_t csum_fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return uint16_t(~sum);
}

inline uint16_t checksum(const uint8_t* data, size_t len) {
    return csum_fold(csum_partial(data, len));
}

// Whether an IPv4 header of `hl` bytes (a multiple of 4) sums to all ones,
// i.e. its checksum verifies. Every received frame asks this, almost always
// of a 20-byte header: that case is five 32-bit words summed inline (the
// all-ones test does not depend on byte order, RFC 1071 2(B)), not a call
// into the general loop and its folds.
inline bool ipv4_header_checksum_ok(const uint8_t* ip, size_t hl) {
    if (hl != 20) return checksum(ip, hl) == 0;
    // Each word loaded from the frame itself: one memcpy into a local array
    // became a 16-byte copy through the stack read back in 4-byte pieces,
    // which store forwarding cannot serve (a stall on every frame).
    uint64_t sum = 0;
    for (int i = 0; i < 5; ++i) sum += util::load_native<uint32_t>(ip + 4 * i);
    return fold_native(sum) == 0xFFFF;
}

// The sum of a range that starts at an odd offset of the checksummed data,
// from the sum csum_partial gave it alone: the bytes swap lanes (RFC 1071
// 2(B)), so the folded sum is byte-swapped.
inline uint32_t csum_at_odd_offset(uint32_t sum) {
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return ((sum & 0xFF) << 8) | (sum >> 8);
}

// Partial sum of the IPv4 pseudo header for TCP/UDP (addresses host order).
inline uint32_t pseudo_header_sum(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4_len) {
    return (saddr >> 16) + (saddr & 0xFFFF) + (daddr >> 16) + (daddr & 0xFFFF) + proto + l4_len;
}

// RFC 1624 eqn. 3: new checksum after one 16-bit field changed from old to new.
inline uint16_t csum_update16(uint16_t csum, uint16_t old_v, uint16_t new_v) {
    uint32_t sum = uint16_t(~csum) + uint32_t(uint16_t(~old_v)) + new_v;
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return uint16_t(~sum);
}

}  // namespace tern::net
