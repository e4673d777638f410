#include <catch2/catch.hpp>

#include "net/arp.h"
#include "net/checksum.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "packets.h"

using namespace tern::net;
using namespace tern::test;
using tern::util::load_be16;
using tern::util::store_be16;

namespace {

// push_back, not insert: GCC 12 -O3 sees a false -Wstringop-overflow in vector::insert.
void put_mac(Bytes& out, const MacAddr& m) {
    for (uint8_t b : m.b) out.push_back(b);
}
void put16(Bytes& out, uint16_t v) {
    out.push_back(uint8_t(v >> 8));
    out.push_back(uint8_t(v));
}
void put32(Bytes& out, uint32_t v) {
    put16(out, uint16_t(v >> 16));
    put16(out, uint16_t(v));
}

// B's answer to A's request, written out field by field.
Bytes expected_arp_reply() {
    Bytes r;
    put_mac(r, kMacA);  // Ethernet destination: the requester
    put_mac(r, kMacB);  // Ethernet source: us
    put16(r, 0x0806);   // ARP
    put16(r, 1);        // htype Ethernet
    put16(r, 0x0800);   // ptype IPv4
    r.push_back(6);     // hlen
    r.push_back(4);     // plen
    put16(r, 2);        // oper reply
    put_mac(r, kMacB);  // sender: us
    put32(r, kIpB);
    put_mac(r, kMacA);  // target: the requester
    put32(r, kIpA);
    return r;
}

// Classify as B and turn the echo request into its reply in place.
Frame make_echo_reply(Bytes& frame) {
    Frame f;
    auto c = classify(frame.data(), uint32_t(frame.size()), local_b(), f);
    REQUIRE(c.kind == FrameKind::icmp);
    REQUIRE(icmp_is_echo_request(f));
    icmp_echo_make_reply(f, kMacB);
    return f;
}

}  // namespace

TEST_CASE("arp_make_reply answers the captured requests as the kernel did", "[net][reply]") {
    const Bytes want = expected_arp_reply();
    REQUIRE(want == from_hex(kArpReplyKernel));
    for (auto hex : {kArpRequestArping, kArpRequestKernel}) {
        Bytes frame = from_hex(hex);
        arp_make_reply(frame.data(), kMacB, kIpB);
        CHECK(frame == want);
    }
}

TEST_CASE("arp_make_reply leaves Ethernet padding alone", "[net][reply]") {
    Bytes frame = from_hex(kArpRequestArping);
    frame.resize(60, 0xA5);
    arp_make_reply(frame.data(), kMacB, kIpB);
    Bytes want = expected_arp_reply();
    want.resize(60, 0xA5);
    CHECK(frame == want);
}

TEST_CASE("icmp_echo_make_reply matches the kernel's echo reply", "[net][reply]") {
    Bytes frame = from_hex(kIcmpEchoRequest);
    const Bytes kernel = from_hex(kIcmpEchoReplyKernel);
    Frame f = make_echo_reply(frame);
    REQUIRE(frame.size() == kernel.size());
    CHECK(f.l4_len == 64);
    auto same = [&](size_t from, size_t len) {
        return Bytes(frame.begin() + ptrdiff_t(from), frame.begin() + ptrdiff_t(from + len)) ==
               Bytes(kernel.begin() + ptrdiff_t(from), kernel.begin() + ptrdiff_t(from + len));
    };
    const uint8_t* ip = frame.data() + kL3;

    CHECK(same(0, 6));                         // destination MAC: A
    CHECK(same(6, 6));                         // source MAC: B
    CHECK(same(12, 2));                        // ethertype
    CHECK(same(kL3 + 0, 4));                   // version/IHL, TOS, total length
    CHECK(ip[ip4::kTtl] == ip4::kDefaultTtl);  // fresh TTL (the kernel's is 64 too)
    CHECK(same(kL3 + ip4::kProto, 1));         // ICMP
    CHECK(same(kL3 + ip4::kSrc, 8));           // addresses swapped: B -> A
    CHECK(same(kL4, 64));                      // type 0, code, checksum, id, seq, payload
    CHECK(load_be16(frame.data() + kL4 + 2) == 0x64af);
    // Not compared: the IP id and the DF bit are the sender's choice (the
    // kernel picked a new id and cleared DF), and so the header checksum.
    // Whatever is there, both checksums must verify.
    CHECK(checksum(ip, 20) == 0);
    CHECK(checksum(frame.data() + kL4, 64) == 0);

    // What A receives is a valid ICMP frame that is not a request.
    Frame back;
    CHECK(classify(frame.data(), uint32_t(frame.size()), local_a(), back).kind == FrameKind::icmp);
    CHECK_FALSE(icmp_is_echo_request(back));
}

TEST_CASE("icmp_echo_make_reply patches the checksum right for every value", "[net][reply]") {
    // Sweeping the 16-bit sequence number sweeps the request checksum through
    // all 65536 values, the wrap-arounds of the incremental update included.
    const Bytes request = from_hex(kIcmpEchoRequest);
    for (uint32_t seq = 0; seq <= 0xFFFF; ++seq) {
        Bytes frame = request;
        uint8_t* icmp = frame.data() + kL4;
        store_be16(icmp + 6, uint16_t(seq));
        store_be16(icmp + 2, 0);
        store_be16(icmp + 2, checksum(icmp, 64));
        make_echo_reply(frame);
        uint16_t got = load_be16(icmp + 2);
        store_be16(icmp + 2, 0);
        INFO("seq " << seq);
        REQUIRE(got == checksum(icmp, 64));
    }
}

TEST_CASE("icmp_echo_make_reply sets a fresh TTL and a valid header checksum", "[net][reply]") {
    Bytes frame = from_hex(kIcmpEchoRequest);
    uint8_t* ip = frame.data() + kL3;
    ip[ip4::kTtl] = 1;
    reseal_ipv4(frame);
    make_echo_reply(frame);
    CHECK(ip[ip4::kTtl] == ip4::kDefaultTtl);
    CHECK(checksum(ip, 20) == 0);

    // With header options the whole 24-byte header is checksummed.
    frame = from_hex(kIcmpEchoRequest);
    frame.insert(frame.begin() + kL4, {1, 1, 1, 1});
    ip = frame.data() + kL3;
    ip[0] = 0x46;
    store_be16(ip + ip4::kTotLen, 88);
    reseal_ipv4(frame);
    Frame f = make_echo_reply(frame);
    CHECK(f.l4 == kL4 + 4);
    CHECK(checksum(ip, 24) == 0);
    CHECK(checksum(frame.data() + f.l4, 64) == 0);
    CHECK(frame[f.l4] == icmp::kEchoReply);
}
