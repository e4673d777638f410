// Internet checksum (RFC 1071) and its incremental update (RFC 1624).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::net {

// One's-complement sum of a byte range, folded to 32 bits; not complemented,
// so partial sums over several ranges (pseudo header + segment) can be added.
uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t sum = 0);

// Fold a partial sum into the final 16-bit checksum value.
inline uint16_t csum_fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return uint16_t(~sum);
}

inline uint16_t checksum(const uint8_t* data, size_t len) {
    return csum_fold(csum_partial(data, len));
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
