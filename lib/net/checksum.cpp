#include "net/checksum.h"

#include <bit>

#include "util/bytes.h"

namespace tern::net {

namespace {

// RFC 1071 2(B): the one's-complement sum does not depend on byte order, so
// the data is summed as native 64-bit words (no byte swaps), each carry out
// of the 64-bit sum counted and added back at the end (2^64 = 1 modulo
// 2^64 - 1, of which 2^16 - 1 is a factor: RFC 1071 2(C)'s deferred
// carries). An add and an add-with-carry per 8 bytes, two words per step:
// most of what is summed is a header (a SYN's 40 bytes), where the loop's
// own compare and branch cost as much as the adds. Returns the sum, which
// may use all 64 bits.
uint64_t native_sum(const uint8_t* data, size_t len, uint64_t acc) {
    uint64_t carries = 0;
    auto add = [&](uint64_t w) {
        acc += w;
        carries += acc < w;
    };
    for (; len >= 16; data += 16, len -= 16) {
        add(util::load_native<uint64_t>(data));
        add(util::load_native<uint64_t>(data + 8));
    }
    if (len >= 8) {
        add(util::load_native<uint64_t>(data));
        data += 8;
        len -= 8;
    }
    if (len >= 4) {
        add(util::load_native<uint32_t>(data));
        data += 4;
        len -= 4;
    }
    if (len >= 2) {
        add(util::load_native<uint16_t>(data));
        data += 2;
        len -= 2;
    }
    // A last odd byte is the first byte of a zero-padded word, which a
    // native load puts low on a little-endian host.
    if (len) add(std::endian::native == std::endian::little ? data[0] : uint32_t(data[0]) << 8);
    acc += carries;
    return acc + (acc < carries);  // the end-around carry of that add
}

}  // namespace

uint32_t csum_partial(const uint8_t* data, size_t len, uint32_t sum) {
    // Only the folded 16-bit result is swapped into network order.
    uint32_t s = fold_native(native_sum(data, len, 0));
    if constexpr (std::endian::native == std::endian::little) s = uint16_t((s >> 8) | (s << 8));
    const uint64_t total = uint64_t(s) + sum;
    uint32_t r = uint32_t((total & 0xFFFFFFFF) + (total >> 32));
    return (r & 0xFFFF) + (r >> 16);
}

bool l4_checksum_ok(const uint8_t* ip, uint8_t proto, const uint8_t* l4, uint16_t l4_len) {
    // The pseudo header (RFC 9293 3.1) as the bytes it stands for, summed
    // natively with the segment: source and destination address as they
    // lie in the IPv4 header, then zero, protocol and length.
    const uint8_t tail[4] = {0, proto, uint8_t(l4_len >> 8), uint8_t(l4_len)};
    const uint64_t addrs = util::load_native<uint64_t>(ip + 12);
    uint64_t acc = (addrs & 0xFFFFFFFF) + (addrs >> 32) + util::load_native<uint32_t>(tail);
    return fold_native(native_sum(l4, l4_len, acc)) == 0xFFFF;
}

}  // namespace tern::net
