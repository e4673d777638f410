#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "net/checksum.h"
#include "net/ipv4.h"
#include "packets.h"
#include "util/bytes.h"

using namespace tern::net;
using namespace tern::test;
using tern::util::load_be16;
using tern::util::store_be16;

TEST_CASE("checksum: RFC 1071 section 3 example", "[net][checksum]") {
    // 00 01 f2 03 f4 f5 f6 f7: the folded sum is ddf2, the checksum its complement.
    const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    CHECK(csum_fold(csum_partial(data, sizeof data)) == uint16_t(~0xddf2));
    CHECK(checksum(data, sizeof data) == 0x220d);
    // Partial sums over an even split add up to the sum over the whole.
    CHECK(csum_fold(csum_partial(data + 4, 4, csum_partial(data, 4))) == 0x220d);
    // An odd trailing byte is the high half of a zero-padded word.
    const uint8_t odd[] = {0x00, 0x01, 0xf2};
    CHECK(checksum(odd, 3) == uint16_t(~0xf201));
    CHECK(checksum(data, 0) == 0xFFFF);
}

TEST_CASE("checksum: carries of long buffers fold correctly", "[net][checksum]") {
    // 0xFFFF words are -0 in one's complement: the sum stays 0xFFFF whatever the count.
    Bytes ones(65536, 0xFF);
    CHECK(checksum(ones.data(), ones.size()) == 0);
    // 0x8000 * 2n = n end-around carries.
    Bytes halves(4096);
    for (size_t i = 0; i < halves.size(); i += 2) halves[i] = 0x80;
    CHECK(checksum(halves.data(), halves.size()) == uint16_t(~0x0400));
}

TEST_CASE("checksum: captured IPv4 headers verify to 0", "[net][checksum]") {
    for (auto hex : {kIcmpEchoRequest, kIcmpEchoReplyKernel, kTcpSyn, kTcpSynAck, kTcpAck}) {
        Bytes f = from_hex(hex);
        INFO("frame " << hex.substr(0, 40));
        CHECK(checksum(f.data() + kL3, 20) == 0);
        // And recomputing it from scratch gives what the kernel wrote.
        uint16_t kernel = load_be16(f.data() + kL3 + ip4::kCsum);
        ipv4_set_checksum(f.data() + kL3);
        CHECK(load_be16(f.data() + kL3 + ip4::kCsum) == kernel);
    }
}

TEST_CASE("checksum: captured ICMP echo request and reply verify", "[net][checksum]") {
    for (auto hex : {kIcmpEchoRequest, kIcmpEchoReplyKernel}) {
        Bytes f = from_hex(hex);
        REQUIRE(f.size() == kL4 + 64);
        CHECK(checksum(f.data() + kL4, 64) == 0);
    }
    Bytes req = from_hex(kIcmpEchoRequest);
    store_be16(req.data() + kL4 + 2, 0);
    CHECK(checksum(req.data() + kL4, 64) == 0x5caf);
}

TEST_CASE("checksum: captured TCP segments verify with the pseudo header", "[net][checksum]") {
    struct Seg {
        std::string_view hex;
        uint32_t src, dst;
        uint16_t len, csum;
    };
    for (auto s : {Seg{kTcpSyn, kIpA, kIpB, 40, 0x5499}, Seg{kTcpSynAck, kIpB, kIpA, 40, 0x135d},
                   Seg{kTcpAck, kIpA, kIpB, 32, 0x4075}}) {
        Bytes f = from_hex(s.hex);
        REQUIRE(f.size() == kL4 + s.len);
        uint8_t* tcp = f.data() + kL4;
        uint32_t ph = pseudo_header_sum(s.src, s.dst, ip4::kProtoTcp, s.len);
        CHECK(csum_fold(csum_partial(tcp, s.len, ph)) == 0);
        // Addition commutes: swapped addresses still verify. Leaving the
        // pseudo header out, or the wrong protocol in it, does not.
        CHECK(csum_fold(csum_partial(tcp, s.len, pseudo_header_sum(s.dst, s.src, 6, s.len))) == 0);
        CHECK(csum_fold(csum_partial(tcp, s.len)) != 0);
        CHECK(csum_fold(csum_partial(tcp, s.len, pseudo_header_sum(s.src, s.dst, 17, s.len))) != 0);
        // Computed from scratch it is what the kernel wrote.
        store_be16(tcp + 16, 0);
        CHECK(csum_fold(csum_partial(tcp, s.len, ph)) == s.csum);
    }
}

TEST_CASE("checksum: csum_update16 equals a full recompute", "[net][checksum]") {
    std::mt19937 rng(1624);  // fixed seed: reproducible
    constexpr size_t kCsumAt = 10;
    for (int iter = 0; iter < 20000; ++iter) {
        size_t words = 10 + rng() % 40;
        Bytes buf(words * 2);
        for (auto& b : buf) b = uint8_t(rng());
        store_be16(&buf[kCsumAt], 0);
        store_be16(&buf[kCsumAt], checksum(buf.data(), buf.size()));
        // A few edits in a row, each patched incrementally.
        for (int edit = 0; edit < 4; ++edit) {
            size_t at = 2 * (rng() % words);
            if (at == kCsumAt) continue;
            uint16_t old_v = load_be16(&buf[at]);
            uint16_t new_v = uint16_t(rng());
            if (iter % 7 == 0) new_v = 0;  // edges: to zero / from 0xFFFF
            if (iter % 11 == 0) new_v = 0xFFFF;
            store_be16(&buf[at], new_v);
            uint16_t inc = csum_update16(load_be16(&buf[kCsumAt]), old_v, new_v);
            store_be16(&buf[kCsumAt], 0);
            uint16_t full = checksum(buf.data(), buf.size());
            INFO("iter " << iter << " edit " << edit);
            REQUIRE(inc == full);
            store_be16(&buf[kCsumAt], inc);
            REQUIRE(checksum(buf.data(), buf.size()) == 0);
        }
    }
}

TEST_CASE("checksum: csum_update16 on the captured IP header (TTL and addresses)",
          "[net][checksum]") {
    Bytes f = from_hex(kTcpSyn);
    uint8_t* ip = f.data() + kL3;
    for (unsigned ttl = 0; ttl < 256; ++ttl) {
        Bytes g = f;
        uint8_t* gip = g.data() + kL3;
        uint16_t old_w = load_be16(gip + ip4::kTtl);
        gip[ip4::kTtl] = uint8_t(ttl);
        uint16_t inc =
            csum_update16(load_be16(gip + ip4::kCsum), old_w, load_be16(gip + ip4::kTtl));
        ipv4_set_checksum(gip);
        REQUIRE(inc == load_be16(gip + ip4::kCsum));
    }
    // Swapping source and destination leaves the sum, and so the checksum, unchanged.
    uint16_t csum = load_be16(ip + ip4::kCsum);
    for (size_t w = 0; w < 4; w += 2) {
        uint16_t s = load_be16(ip + ip4::kSrc + w), d = load_be16(ip + ip4::kDst + w);
        csum = csum_update16(csum_update16(csum, s, d), d, s);
    }
    CHECK(csum == load_be16(ip + ip4::kCsum));
}

namespace {
// RFC 1071's definition: 16-bit big-endian words (a last odd byte padded),
// plus a carried-in sum, end-around carries folded in.
uint16_t reference_sum(const uint8_t* p, size_t n, uint32_t sum) {
    uint64_t acc = sum;
    for (size_t i = 0; i + 1 < n; i += 2) acc += uint32_t(p[i]) << 8 | p[i + 1];
    if (n & 1) acc += uint32_t(p[n - 1]) << 8;
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    return uint16_t(acc);
}
}  // namespace

TEST_CASE("checksum: csum_partial equals a 16-bit big-endian reference sum", "[net][checksum]") {
    // The word-at-a-time sum against RFC 1071's definition, for every length
    // and alignment a header or short payload has, and any carried-in sum.
    const auto reference = reference_sum;
    std::mt19937 rng(1071);
    std::vector<uint8_t> buf(200);
    for (int round = 0; round < 200; ++round) {
        for (auto& b : buf) b = uint8_t(round % 3 == 0 ? 0xFF : rng());
        const uint32_t sum = round % 2 ? rng() : 0;
        for (size_t off = 0; off < 8; ++off) {
            for (size_t n = 0; n + off <= 160; ++n) {
                const uint32_t got = csum_partial(buf.data() + off, n, sum);
                uint32_t folded = got;
                while (folded >> 16) folded = (folded & 0xFFFF) + (folded >> 16);
                REQUIRE(uint16_t(folded) == reference(buf.data() + off, n, sum));
                REQUIRE(csum_fold(got) == uint16_t(~reference(buf.data() + off, n, sum)));
            }
        }
    }
}

TEST_CASE("checksum: csum_partial of long buffers equals the reference sum", "[net][checksum]") {
    // Long runs of 0xFF push every accumulator and fold to its carry limit.
    auto reference = [](const uint8_t* p, size_t n) { return reference_sum(p, n, 0); };
    std::mt19937 rng(1624);
    std::vector<uint8_t> buf(65535);
    for (int round = 0; round < 6; ++round) {
        for (size_t i = 0; i < buf.size(); ++i)
            buf[i] = round < 2 ? 0xFF : round < 4 ? uint8_t(0xF0 | (rng() & 0xF)) : uint8_t(rng());
        if (round == 1) buf[7] = 0xFE;  // one bit off the all-ones sum
        for (size_t n : {size_t(1500), size_t(9000), size_t(32767), size_t(65531), size_t(65535)}) {
            uint32_t folded = csum_partial(buf.data(), n);
            while (folded >> 16) folded = (folded & 0xFFFF) + (folded >> 16);
            REQUIRE(uint16_t(folded) == reference(buf.data(), n));
        }
    }
}

TEST_CASE("checksum: ipv4_header_checksum_ok agrees with the full sum", "[net][checksum]") {
    std::mt19937 rng(791);
    int valid = 0;
    for (int round = 0; round < 20000; ++round) {
        const size_t hl = round % 4 == 3 ? 24 : 20;
        std::vector<uint8_t> h(hl);
        for (auto& b : h) b = uint8_t(round % 5 == 0 ? 0xFF : rng());
        if (round % 5 == 1) std::fill(h.begin(), h.end(), 0);
        if (round % 2 == 0) {  // a valid header: the checksum field set
            h[10] = h[11] = 0;
            const uint16_t c = checksum(h.data(), hl);
            h[10] = uint8_t(c >> 8);
            h[11] = uint8_t(c);
        }
        if (round % 7 == 0) h[rng() % hl] ^= uint8_t(1u << (rng() % 8));  // one bit flipped
        const bool want = checksum(h.data(), hl) == 0;
        valid += want;
        REQUIRE(ipv4_header_checksum_ok(h.data(), hl) == want);
    }
    CHECK(valid > 5000);  // both outcomes were exercised
    CHECK(valid < 15000);
    for (auto hex : {kIcmpEchoRequest, kTcpSyn, kTcpSynAck, kTcpAck}) {
        Bytes f = from_hex(hex);
        CHECK(ipv4_header_checksum_ok(f.data() + 14, 20));
        f[14 + 8] ^= 0x01;  // TTL
        CHECK_FALSE(ipv4_header_checksum_ok(f.data() + 14, 20));
    }
}

TEST_CASE("checksum: l4_checksum_ok agrees with the pseudo-header sum", "[net][checksum]") {
    std::mt19937 rng(9293);
    int valid = 0;
    for (int round = 0; round < 20000; ++round) {
        const uint16_t len = uint16_t(20 + rng() % 100);
        std::vector<uint8_t> ip(20), seg(len);
        for (auto& b : ip) b = uint8_t(rng());
        for (auto& b : seg) b = uint8_t(round % 9 == 0 ? 0xFF : rng());
        const uint32_t saddr = tern::util::load_be32(ip.data() + 12), daddr = tern::util::load_be32(ip.data() + 16);
        if (round % 2 == 0) {  // a valid segment: its checksum field set
            seg[16] = seg[17] = 0;
            const uint16_t c =
                csum_fold(csum_partial(seg.data(), len, pseudo_header_sum(saddr, daddr, 6, len)));
            seg[16] = uint8_t(c >> 8);
            seg[17] = uint8_t(c);
        }
        if (round % 6 == 0) seg[rng() % len] ^= uint8_t(1u << (rng() % 8));
        if (round % 10 == 0) ip[12 + rng() % 8] ^= 0x10;  // another address
        const uint32_t s2 = tern::util::load_be32(ip.data() + 12), d2 = tern::util::load_be32(ip.data() + 16);
        const bool want = csum_fold(csum_partial(seg.data(), len, pseudo_header_sum(s2, d2, 6, len))) == 0;
        valid += want;
        REQUIRE(l4_checksum_ok(ip.data(), 6, seg.data(), len) == want);
    }
    CHECK(valid > 5000);
    CHECK(valid < 15000);
    CHECK_FALSE(l4_checksum_ok(std::vector<uint8_t>(20).data(), 17, std::vector<uint8_t>(20).data(), 20));
}

TEST_CASE("checksum: a range at an odd offset adds as its byte-swapped sum", "[net][checksum]") {
    // How a payload's second piece is summed from its source when the first
    // piece has an odd length.
    std::mt19937 rng(1624);
    std::vector<uint8_t> buf(300);
    for (int round = 0; round < 2000; ++round) {
        for (auto& b : buf) b = uint8_t(round % 5 == 0 ? 0xFF : rng());
        const size_t a = 1 + 2 * (rng() % 100), b = rng() % 100;
        const uint32_t whole = csum_partial(buf.data(), a + b);
        const uint32_t pieces = csum_partial(buf.data(), a) + csum_at_odd_offset(csum_partial(buf.data() + a, b));
        REQUIRE(csum_fold(whole) == csum_fold(pieces));
    }
}
