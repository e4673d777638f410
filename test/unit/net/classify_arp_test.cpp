#include <catch2/catch.hpp>

#include <algorithm>

#include "rx.h"

using namespace tern::net;
using namespace tern::test;
using tern::util::store_be16;
using tern::util::store_be32;

TEST_CASE_METHOD(ArpRequestRx, "classify: captured ARP request for us is arp", "[net][classify]") {
    CHECK(run() == "arp");
    CHECK(f.l3 == kL3);
    CHECK(f.data == frame.data());
    CHECK(f.len == 42);

    frame = from_hex(kArpRequestKernel);  // the kernel's own request (target MAC zero)
    CHECK(run() == "arp");

    std::copy(kMacB.b.begin(), kMacB.b.end(),
              frame.begin());  // unicast, as the kernel re-checks a cached entry
    CHECK(run() == "arp");
}

TEST_CASE_METHOD(ArpRequestRx, "classify: ARP that is not a request for us", "[net][classify]") {
    local.ip = 0xC6120003;  // asks for 198.18.0.2, we are .3
    CHECK(run() == "drop:not_for_us");

    local = local_a();  // B's reply, arriving at A: not a request
    frame = from_hex(kArpReplyKernel);
    CHECK(run() == "drop:not_for_us");

    local = local_b();
    frame = from_hex(kArpRequestArping);
    frame[0] = 0x02;  // unicast to someone else
    CHECK(run() == "drop:not_for_us");
}

TEST_CASE_METHOD(ArpRequestRx, "classify: ARP for other hardware or protocol is unsupported",
                 "[net][classify]") {
    SECTION("htype 6 (IEEE 802)") { frame[kL3 + 1] = 6; }
    SECTION("ptype IPv6") { store_be16(&frame[kL3 + 2], 0x86DD); }
    SECTION("hlen 8") { frame[kL3 + 4] = 8; }
    SECTION("plen 16") { frame[kL3 + 5] = 16; }
    CHECK(run() == "drop:unsupported");
}

TEST_CASE_METHOD(ArpRequestRx, "classify: every truncated ARP request is dropped",
                 "[net][classify]") {
    check_prefixes(frame, local, 42, "arp");
    // On a wire the request is padded to the 60-byte minimum: cutting padding is harmless.
    frame.resize(60, 0);
    CHECK(run() == "arp");
    check_prefixes(frame, local, 42, "arp");
}
