#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>

#include "net/icmp.h"
#include "net/ipv4.h"
#include "rx.h"

using namespace tern::net;
using namespace tern::test;
using tern::util::store_be16;
using tern::util::store_be32;

TEST_CASE_METHOD(IcmpRequestRx, "classify: captured ICMP echo request is icmp", "[net][classify]") {
    CHECK(run() == "icmp");
    CHECK(f.data == frame.data());
    CHECK(f.len == 98);
    CHECK(f.l3 == 14);
    CHECK(f.l4 == 34);
    CHECK(f.l4_len == 64);
    CHECK(f.saddr == kIpA);
    CHECK(f.daddr == kIpB);
    CHECK(icmp_is_echo_request(f));
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: every truncated ICMP echo request is dropped",
                 "[net][classify]") {
    check_prefixes(frame, local, 98, "icmp");
    // Trailing bytes past the IPv4 total length are padding: not checksummed, not L4.
    frame.resize(98 + 6, 0xA5);
    CHECK(run() == "icmp");
    CHECK(f.l4_len == 64);
    check_prefixes(frame, local, 98, "icmp");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: any flipped IPv4 header bit is caught",
                 "[net][classify]") {
    for (size_t byte = 0; byte < 20; ++byte) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes saved = frame;
            ip()[byte] ^= uint8_t(1 << bit);
            INFO("IP header byte " << byte << " bit " << bit);
            std::string v = run();
            if (byte == 0 || byte == 2 || byte == 3) {
                // version/IHL and total length are checked before the checksum
                CHECK((v == "drop:malformed" || v == "drop:truncated" || v == "drop:bad_checksum"));
            } else {
                CHECK(v == "drop:bad_checksum");
            }
            frame = saved;
        }
    }
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: IP checksum is not checked when the NIC did it",
                 "[net][classify]") {
    ip()[ip4::kTtl] ^= 0x10;
    ip()[ip4::kTos] ^= 0x04;
    CHECK(run() == "drop:bad_checksum");
    CHECK(run({.ip_csum_checked = true, .l4_csum_checked = false}) == "icmp");
    CHECK(run({.ip_csum_checked = true, .l4_csum_checked = true}) == "icmp");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: any flipped ICMP bit is a bad checksum",
                 "[net][classify]") {
    for (size_t byte = 0; byte < 64; ++byte) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes saved = frame;
            l4()[byte] ^= uint8_t(1 << bit);
            INFO("ICMP byte " << byte << " bit " << bit);
            CHECK(run() == "drop:bad_checksum");
            CHECK(run({.ip_csum_checked = false, .l4_csum_checked = true}) == "icmp");
            CHECK(run({.ip_csum_checked = true, .l4_csum_checked = true}) == "icmp");
            frame = saved;
        }
    }
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: impossible IPv4 headers are malformed",
                 "[net][classify]") {
    SECTION("version 6") { ip()[0] = 0x65; }
    SECTION("version 0") { ip()[0] = 0x05; }
    SECTION("version 15") { ip()[0] = 0xF5; }
    SECTION("IHL 0") { ip()[0] = 0x40; }
    SECTION("IHL 4") { ip()[0] = 0x44; }
    SECTION("IHL 1") { ip()[0] = 0x41; }
    SECTION("total length 19") { store_be16(ip() + ip4::kTotLen, 19); }
    SECTION("total length 0") { store_be16(ip() + ip4::kTotLen, 0); }
    reseal_ipv4(frame);
    CHECK(run() == "drop:malformed");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: IPv4 header options move the L4 offset",
                 "[net][classify]") {
    // Insert four NOP options: IHL 6, total length 88; ICMP is unchanged.
    frame.insert(frame.begin() + kL4, {1, 1, 1, 1});
    ip()[0] = 0x46;
    store_be16(ip() + ip4::kTotLen, 88);
    reseal_ipv4(frame);
    CHECK(run() == "icmp");
    CHECK(f.l4 == 38);
    CHECK(f.l4_len == 64);
    check_prefixes(frame, local, 102, "icmp");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: fragments are dropped", "[net][classify]") {
    SECTION("MF and DF") { store_be16(ip() + ip4::kFragOff, 0x6000); }
    SECTION("MF") { store_be16(ip() + ip4::kFragOff, 0x2000); }
    SECTION("offset 8 bytes") { store_be16(ip() + ip4::kFragOff, 0x0001); }
    SECTION("largest offset") { store_be16(ip() + ip4::kFragOff, 0x1FFF); }
    SECTION("MF and offset") { store_be16(ip() + ip4::kFragOff, 0x2010); }
    reseal_ipv4(frame);
    CHECK(run() == "drop:fragment");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: DF alone is not a fragment", "[net][classify]") {
    store_be16(ip() + ip4::kFragOff, 0x0000);
    reseal_ipv4(frame);
    CHECK(run() == "icmp");
    store_be16(ip() + ip4::kFragOff, 0x4000);  // as captured
    reseal_ipv4(frame);
    CHECK(run() == "icmp");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: martian sources are bad_address", "[net][classify]") {
    for (uint32_t src : {kIpB /* land */, 0u, 0xFFFFFFFFu, kBroadcast, 0xE0000001u /* 224.0.0.1 */,
                         0xEFFFFFFAu /* 239.255.255.250 */, 0x7F000001u /* 127.0.0.1 */}) {
        Bytes saved = frame;
        store_be32(ip() + ip4::kSrc, src);
        reseal_ipv4(frame);
        INFO("source " << format_ipv4(src));
        CHECK(run() == "drop:bad_address");
        frame = saved;
    }
    // ICMP has no pseudo header: any ordinary remote source is fine.
    store_be32(ip() + ip4::kSrc, 0x0A090807);
    reseal_ipv4(frame);
    CHECK(run() == "icmp");
    CHECK(f.saddr == 0x0A090807u);
}

// RFC 3021: a /31 has no broadcast address; the other end is the only peer
// and must not be taken for a martian broadcast source.
TEST_CASE_METHOD(IcmpRequestRx, "classify: the peer on a /31 link is not a martian (RFC 3021)",
                 "[net][classify]") {
    for (auto [us, peer] :
         {std::pair{"192.0.2.0/31", 0xC0000201u}, {"192.0.2.1/31", 0xC0000200u}}) {
        auto cidr = parse_ipv4_cidr(us);
        REQUIRE(cidr);
        local.ip = cidr->addr;
        local.broadcast = cidr->broadcast();  // as Engine fills in LocalAddr
        Bytes saved = frame;
        store_be32(ip() + ip4::kSrc, peer);
        store_be32(ip() + ip4::kDst, cidr->addr);
        reseal_ipv4(frame);
        INFO("we are " << us << ", the peer is " << format_ipv4(peer));
        CHECK(run() == "icmp");
        frame = saved;
    }
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: frames for other hosts are not_for_us",
                 "[net][classify]") {
    SECTION("other unicast MAC") { frame[5] ^= 0x01; }
    SECTION("multicast MAC") {
        const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
        std::copy(mc, mc + 6, frame.begin());
    }
    SECTION("broadcast MAC") { std::fill(frame.begin(), frame.begin() + 6, 0xFF); }
    SECTION("other IP") {
        store_be32(ip() + ip4::kDst, 0xC6120003);
        reseal_ipv4(frame);
    }
    SECTION("subnet broadcast IP") {
        store_be32(ip() + ip4::kDst, kBroadcast);
        reseal_ipv4(frame);
    }
    CHECK(run() == "drop:not_for_us");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: other protocols are unsupported", "[net][classify]") {
    SECTION("IPv6 ethertype") { store_be16(&frame[12], 0x86DD); }
    SECTION("VLAN tag") { store_be16(&frame[12], 0x8100); }
    SECTION("LLDP") { store_be16(&frame[12], 0x88CC); }
    SECTION("UDP") {
        ip()[ip4::kProto] = ip4::kProtoUdp;
        reseal_ipv4(frame);
    }
    SECTION("IGMP") {
        ip()[ip4::kProto] = 2;
        reseal_ipv4(frame);
    }
    CHECK(run() == "drop:unsupported");
}

TEST_CASE_METHOD(IcmpRequestRx, "classify: L4 shorter than its header is truncated",
                 "[net][classify]") {
    store_be16(ip() + ip4::kTotLen, 20 + 7);  // the rest of the frame is now padding
    reseal_ipv4(frame);
    CHECK(run() == "drop:truncated");
}
