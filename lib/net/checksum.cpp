#include "net/checksum.h"

#include <bit>

#include "util/bytes.h"

namespace tern::net {

uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t sum) {
    // RFC 1071 2(B): the one's-complement sum does not depend on byte order,
    // so the data is summed as native words (8 bytes per step, no byte
    // swaps) and only the folded 16-bit result is swapped into network
    // order. The 64-bit accumulator takes 32-bit halves: no carry is lost
    // for any length a packet can have.
    uint64_t acc = 0;
    for (; len >= 8; data += 8, len -= 8) {
        const uint64_t w = util::load_native<uint64_t>(data);
        acc += (w & 0xFFFFFFFF) + (w >> 32);
    }
    if (len >= 4) {
        acc += util::load_native<uint32_t>(data);
        data += 4;
        len -= 4;
    }
    if (len >= 2) {
        acc += util::load_native<uint16_t>(data);
        data += 2;
        len -= 2;
    }
    // A last odd byte is the first byte of a zero-padded word, which a
    // native load puts low on a little-endian host.
    if (len) acc += std::endian::native == std::endian::little ? data[0] : uint32_t(data[0]) << 8;
    acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    acc = (acc & 0xFFFFFFFF) + (acc >> 32);
    uint32_t s = uint32_t(acc);
    s = (s & 0xFFFF) + (s >> 16);
    s = (s & 0xFFFF) + (s >> 16);
    if constexpr (std::endian::native == std::endian::little) s = uint16_t((s >> 8) | (s << 8));
    const uint64_t total = uint64_t(s) + sum;
    uint32_t r = uint32_t((total & 0xFFFFFFFF) + (total >> 32));
    return (r & 0xFFFF) + (r >> 16);
}

}  // namespace tern::net
