#include "net/checksum.h"

#include "util/bytes.h"

namespace tern::net {

uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t sum) {
    // 64-bit accumulator: no carry handling inside the loop.
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < len; i += 2) acc += util::load_be16(data + i);
    if (i < len) acc += uint32_t(data[i]) << 8;
    while (acc >> 32) acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    uint32_t s = uint32_t(acc);
    s = (s & 0xFFFF) + (s >> 16);
    return s;
}

uint32_t pseudo_header_sum(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t l4_len) {
    uint32_t s = (saddr >> 16) + (saddr & 0xFFFF) + (daddr >> 16) + (daddr & 0xFFFF);
    s += proto;
    s += l4_len;
    return s;
}

}  // namespace tern::net
