#include <catch2/catch.hpp>

#include "net/ipv4.h"
#include "rx.h"

using namespace tern::net;
using namespace tern::test;
using tern::util::store_be16;
using tern::util::store_be32;

TEST_CASE_METHOD(TcpSynRx, "classify: captured TCP segments are tcp", "[net][classify]") {
    CHECK(run() == "tcp");
    CHECK(f.l3 == 14);
    CHECK(f.l4 == 34);
    CHECK(f.l4_len == 40);
    CHECK(f.saddr == kIpA);
    CHECK(f.daddr == kIpB);

    frame = from_hex(kTcpAck);
    CHECK(run() == "tcp");
    CHECK(f.l4 == 34);
    CHECK(f.l4_len == 32);

    frame = from_hex(kTcpSynAck);  // the other direction, as A receives it
    local = local_a();
    CHECK(run() == "tcp");
    CHECK(f.l4_len == 40);
    CHECK(f.saddr == kIpB);
    CHECK(f.daddr == kIpA);
}

TEST_CASE_METHOD(TcpSynRx, "classify: every truncated TCP segment is dropped", "[net][classify]") {
    check_prefixes(frame, local, 74, "tcp");
    check_prefixes(from_hex(kTcpSynAck), local_a(), 74, "tcp");
    check_prefixes(from_hex(kTcpAck), local_b(), 66, "tcp");
    // Padding after the segment must be left out of the TCP checksum.
    frame.resize(74 + 5, 0x5A);
    CHECK(run() == "tcp");
    CHECK(f.l4_len == 40);
    check_prefixes(frame, local, 74, "tcp");
}

TEST_CASE_METHOD(TcpSynRx, "classify: any flipped TCP bit is a bad checksum", "[net][classify]") {
    for (size_t byte = 0; byte < 40; ++byte) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes saved = frame;
            l4()[byte] ^= uint8_t(1 << bit);
            INFO("TCP byte " << byte << " bit " << bit);
            CHECK(run() == "drop:bad_checksum");
            CHECK(run({.ip_csum_checked = false, .l4_csum_checked = true}) == "tcp");
            frame = saved;
        }
    }
}

TEST_CASE_METHOD(TcpSynRx, "classify: the TCP checksum covers the pseudo header",
                 "[net][classify]") {
    // Another source address with a correct IP header checksum: only the
    // pseudo header can tell that the segment does not belong to it.
    store_be32(ip() + ip4::kSrc, 0x0A090807);
    reseal_ipv4(frame);
    CHECK(run() == "drop:bad_checksum");
    CHECK(run({.ip_csum_checked = true, .l4_csum_checked = true}) == "tcp");
    CHECK(f.saddr == 0x0A090807u);
}

TEST_CASE_METHOD(TcpSynRx, "classify: an odd-length padded segment verifies", "[net][classify]") {
    // The captured ACK plus one byte of data, then padding up to an even size
    // that must not be summed: the odd byte is the high half of a zero word.
    frame = from_hex(kTcpAck);
    frame.push_back('x');
    frame.push_back(0xEE);  // padding
    store_be16(ip() + ip4::kTotLen, 20 + 33);
    reseal_ipv4(frame);
    uint32_t sum = (kIpA >> 16) + (kIpA & 0xFFFF) + (kIpB >> 16) + (kIpB & 0xFFFF) + 6 + 33;
    l4()[16] = l4()[17] = 0;
    for (size_t i = 0; i < 33; i += 2)
        sum += uint32_t(l4()[i] << 8 | (i + 1 < 33 ? l4()[i + 1] : 0));
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    store_be16(l4() + 16, uint16_t(~sum));
    CHECK(run() == "tcp");
    CHECK(f.l4_len == 33);
    check_prefixes(frame, local, 67, "tcp");
}

TEST_CASE_METHOD(TcpSynRx, "classify: a land SYN is bad_address", "[net][classify]") {
    store_be32(ip() + ip4::kSrc, kIpB);
    reseal_ipv4(frame);
    CHECK(run() == "drop:bad_address");
    CHECK(run({.ip_csum_checked = true, .l4_csum_checked = true}) == "drop:bad_address");
}

TEST_CASE_METHOD(TcpSynRx, "classify: TCP shorter than its minimum header is truncated",
                 "[net][classify]") {
    store_be16(ip() + ip4::kTotLen, 20 + 19);
    reseal_ipv4(frame);
    CHECK(run() == "drop:truncated");
}
