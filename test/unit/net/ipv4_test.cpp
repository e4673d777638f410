#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "net/checksum.h"
#include "net/ipv4.h"
#include "util/bytes.h"

using tern::net::format_ipv4;
using tern::net::parse_ipv4;
using tern::net::parse_ipv4_cidr;

TEST_CASE("parse_ipv4 accepts dotted quads", "[net][ipv4]") {
    CHECK(parse_ipv4("198.18.0.2") == 0xC6120002u);
    CHECK(parse_ipv4("0.0.0.0") == 0u);
    CHECK(parse_ipv4("255.255.255.255") == 0xFFFFFFFFu);
    CHECK(parse_ipv4("198.19.0.1") == 0xC6130001u);
    CHECK(parse_ipv4("1.2.3.4") == 0x01020304u);
}

TEST_CASE("parse_ipv4 rejects everything else", "[net][ipv4]") {
    for (const char* bad : {"",           "1",          "1.2.3",
                            "1.2.3.4.5",  "256.1.1.1",  "1.2.3.256",
                            "1.2.3.999",  "01.2.3.4x",  "1.2.3.4x",
                            " 1.2.3.4",   "1.2.3.4 ",   "1..3.4",
                            ".1.2.3",     "1.2.3.",     "1.2.3.4.",
                            "a.b.c.d",    "-1.2.3.4",   "+1.2.3.4",
                            "1.-2.3.4",   "1.2.3.0004", "4294967297.1.1.1",
                            "1.2.3.4/24", "1,2,3,4",    "0x1.2.3.4",
                            "1.2.3.4\n"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(parse_ipv4(bad).has_value());
    }
    // Not NUL-terminated: only the view's bytes count.
    std::string_view cut("1.2.3.45", 7);
    CHECK(parse_ipv4(cut) == 0x01020304u);
    CHECK_FALSE(parse_ipv4(std::string_view("1.2.3.4", 6)).has_value());
}

TEST_CASE("format_ipv4 and parse_ipv4 round-trip", "[net][ipv4]") {
    CHECK(format_ipv4(0xC6120002u) == "198.18.0.2");
    CHECK(format_ipv4(0) == "0.0.0.0");
    CHECK(format_ipv4(0xFFFFFFFFu) == "255.255.255.255");
    CHECK(format_ipv4(0xC613FF01u) == "198.19.255.1");
    std::mt19937 rng(791);
    for (int i = 0; i < 10000; ++i) {
        uint32_t a = rng();
        REQUIRE(parse_ipv4(format_ipv4(a)) == a);
    }
}

TEST_CASE("parse_ipv4_cidr accepts address/prefix", "[net][ipv4]") {
    auto c = parse_ipv4_cidr("198.18.0.2/24");
    REQUIRE(c);
    CHECK(c->addr == 0xC6120002u);
    CHECK(c->prefix == 24);
    CHECK(c->mask() == 0xFFFFFF00u);
    CHECK(c->broadcast() == 0xC61200FFu);

    auto bare = parse_ipv4_cidr("198.19.2.3");  // a bare address is a /32
    REQUIRE(bare);
    CHECK(bare->prefix == 32);
    CHECK(bare->mask() == 0xFFFFFFFFu);
    CHECK(bare->broadcast() == 0xFFFFFFFFu);  // RFC 3021: no directed broadcast

    auto all = parse_ipv4_cidr("0.0.0.0/0");
    REQUIRE(all);
    CHECK(all->prefix == 0);
    CHECK(all->mask() == 0u);
    CHECK(all->broadcast() == 0xFFFFFFFFu);

    auto p31 = parse_ipv4_cidr("192.0.2.1/31");
    REQUIRE(p31);
    CHECK(p31->mask() == 0xFFFFFFFEu);
    CHECK(p31->broadcast() == 0xFFFFFFFFu);  // the other end of a /31 is a host

    auto p1 = parse_ipv4_cidr("192.0.2.1/1");
    REQUIRE(p1);
    CHECK(p1->mask() == 0x80000000u);
    CHECK(p1->broadcast() == 0xFFFFFFFFu);
}

TEST_CASE("parse_ipv4_cidr rejects malformed input", "[net][ipv4]") {
    for (const char* bad :
         {"", "/", "/24", "1.2.3/24", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/+8",
          "1.2.3.4/8x", "1.2.3.4/ 8", "1.2.3.4//8", "1.2.3.4/8/8", "1.2.3.4/4294967320",
          "256.1.1.1/8", "01.2.3.4x/8", "1.2.3.4 /8", "1.2.3.4/100"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(parse_ipv4_cidr(bad).has_value());
    }
}

TEST_CASE("ipv4_write_header: fields and a checksum summed from the values", "[net][ipv4]") {
    using namespace tern::net;
    std::mt19937 rng(791);
    for (int round = 0; round < 1000; ++round) {
        uint8_t ip[20];
        const uint32_t saddr = 0xC6120000u | (rng() & 0x1FFFF), daddr = 0xC6120000u | (rng() & 0x1FFFF);
        const auto l4_len = uint16_t(rng() % 1481), id = uint16_t(rng());
        const uint8_t proto = round % 2 ? ip4::kProtoTcp : 17;
        ipv4_write_header(ip, saddr, daddr, proto, l4_len, id, false);
        CHECK(ip[0] == 0x45);
        CHECK(ip[1] == 0);
        CHECK(tern::util::load_be16(ip + ip4::kTotLen) == 20 + l4_len);
        CHECK(tern::util::load_be16(ip + ip4::kId) == id);
        CHECK(tern::util::load_be16(ip + ip4::kFragOff) == 0x4000);
        CHECK(ip[ip4::kTtl] == ip4::kDefaultTtl);
        CHECK(ip[ip4::kProto] == proto);
        CHECK(tern::util::load_be32(ip + ip4::kSrc) == saddr);
        CHECK(tern::util::load_be32(ip + ip4::kDst) == daddr);
        REQUIRE(checksum(ip, 20) == 0);  // a header with its checksum sums to 0
    }
    uint8_t ip[20];
    ipv4_write_header(ip, 0xC6120001, 0xC6120002, ip4::kProtoTcp, 40, 7, true);
    CHECK(tern::util::load_be16(ip + ip4::kCsum) == 0);  // the NIC's to fill
}
