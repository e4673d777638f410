// Wire format: TCP header and option parsing, every malformed kind rejected
// with its own reason, and builder -> parser round trips.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

#include "tcp/segment.h"

using namespace tern::tcp;
using tern::util::SeqNum;

namespace {

// A 20-byte header with the given data offset (in words) and flags.
std::vector<uint8_t> header(uint8_t doff_words, uint8_t flags, std::vector<uint8_t> options = {},
                            std::vector<uint8_t> payload = {}) {
    std::vector<uint8_t> b;
    b.reserve(20 + options.size() + payload.size());
    b.resize(20);
    b[0] = 0x30;  // src port 12345
    b[1] = 0x39;
    b[2] = 0x00;  // dst port 80
    b[3] = 80;
    b[4] = 0x01, b[5] = 0x02, b[6] = 0x03, b[7] = 0x04;    // seq
    b[8] = 0xA0, b[9] = 0xB0, b[10] = 0xC0, b[11] = 0xD0;  // ack
    b[12] = uint8_t(doff_words << 4);
    b[13] = flags;
    b[14] = 0xFF, b[15] = 0xF0;  // window
    b[18] = 0x00, b[19] = 0x07;  // urgent
    for (uint8_t x : options) b.push_back(x);
    for (uint8_t x : payload) b.push_back(x);
    return b;
}

ParseResult parse(const std::vector<uint8_t>& b, Segment& s) {
    return parse_segment(b.data(), b.size(), s);
}

}  // namespace

TEST_CASE("parse_segment reads the fixed header fields", "[tcp][segment]") {
    auto b = header(5, flag::kAck | flag::kPsh, {}, {'h', 'i'});
    Segment s;
    REQUIRE(parse(b, s) == ParseResult::Ok);
    CHECK(s.seq == SeqNum(0x01020304));
    CHECK(s.ack == SeqNum(0xA0B0C0D0));
    CHECK(s.flags == (flag::kAck | flag::kPsh));
    CHECK(s.window == 0xFFF0);
    CHECK(s.urgent == 7);
    CHECK(s.payload_len == 2);
    CHECK(std::memcmp(s.payload, "hi", 2) == 0);
    CHECK(s.seg_len() == 2);
    CHECK(s.opt == TcpOptions{});
}

TEST_CASE("SEG.LEN counts SYN and FIN", "[tcp][segment]") {
    Segment s;
    s.flags = flag::kSyn;
    CHECK(s.seg_len() == 1);
    s.flags = flag::kFin | flag::kAck;
    s.payload_len = 10;
    CHECK(s.seg_len() == 11);
}

TEST_CASE("malformed headers are rejected with distinct reasons", "[tcp][segment]") {
    Segment s;
    SECTION("shorter than 20 bytes") {
        auto b = header(5, 0);
        b.resize(19);
        CHECK(parse(b, s) == ParseResult::Truncated);
    }
    SECTION("data offset below 5") {
        for (uint8_t d = 0; d < 5; ++d)
            CHECK(parse(header(d, 0), s) == ParseResult::DataOffsetTooSmall);
    }
    SECTION("data offset beyond the segment") {
        CHECK(parse(header(6, 0), s) == ParseResult::DataOffsetBeyondSegment);
        CHECK(parse(header(15, 0, {1, 1, 1, 1}), s) == ParseResult::DataOffsetBeyondSegment);
    }
    SECTION("option length running past the header") {
        // MSS claims 4 bytes but only 2 are left before the data offset.
        CHECK(parse(header(6, 0, {1, 1, 2, 4}), s) == ParseResult::OptionOverrun);
        // A kind byte with no room for its length byte.
        CHECK(parse(header(6, 0, {1, 1, 1, 8}), s) == ParseResult::OptionOverrun);
        // Unknown kind whose length runs past the header.
        CHECK(parse(header(6, 0, {99, 9, 0, 0}), s) == ParseResult::OptionOverrun);
    }
    SECTION("zero-length option") {
        CHECK(parse(header(6, 0, {99, 0, 0, 0}), s) == ParseResult::OptionZeroLength);
        CHECK(parse(header(6, 0, {2, 0, 0, 0}), s) == ParseResult::OptionZeroLength);
    }
    SECTION("one-length option") {
        CHECK(parse(header(6, 0, {99, 1, 0, 0}), s) == ParseResult::OptionOneLength);
        CHECK(parse(header(6, 0, {8, 1, 1, 1}), s) == ParseResult::OptionOneLength);
    }
    SECTION("each reason has a name") {
        CHECK(std::string(parse_result_name(ParseResult::OptionZeroLength)) ==
              "option_zero_length");
    }
}

TEST_CASE("a malformed option ends the options; the segment is still parsed", "[tcp][segment]") {
    // Linux tcp_parse_options returns at a malformed option, keeping the
    // ones before it, and the segment is processed.
    Segment s;
    const auto b = header(8, 0x02, {2, 4, 0x04, 0xB0, 8, 0, 0, 0, 3, 3, 7, 0}, {'h', 'i'});
    CHECK(parse(b, s) == ParseResult::OptionZeroLength);
    CHECK(parsed(ParseResult::OptionZeroLength));
    CHECK(s.opt.has_mss);
    CHECK(s.opt.mss == 1200);
    CHECK(!s.opt.has_timestamp);
    CHECK(!s.opt.has_wscale);  // after the malformed one: not read
    CHECK(s.payload_len == 2);
    CHECK(std::memcmp(s.payload, "hi", 2) == 0);
    CHECK(s.seq.raw() == 0x01020304);
    CHECK(parsed(ParseResult::OptionOverrun));
    CHECK(parsed(ParseResult::OptionOneLength));
    CHECK(parsed(ParseResult::Ok));
    CHECK(!parsed(ParseResult::Truncated));
    CHECK(!parsed(ParseResult::DataOffsetTooSmall));
    CHECK(!parsed(ParseResult::DataOffsetBeyondSegment));
}

TEST_CASE("options: known kinds parsed, unknown/NOP/EOL tolerated", "[tcp][segment]") {
    Segment s;
    SECTION("a Linux SYN: MSS, SACK-permitted, timestamps, NOP, window scale") {
        auto b = header(10, flag::kSyn,
                        {2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        CHECK(s.opt.has_mss);
        CHECK(s.opt.mss == 1460);
        CHECK(s.opt.sack_permitted);
        CHECK(s.opt.has_timestamp);
        CHECK(s.opt.ts_val == 1);
        CHECK(s.opt.ts_ecr == 0);
        CHECK(s.opt.has_wscale);
        CHECK(s.opt.wscale == 7);
    }
    SECTION("unknown kinds skipped by length") {
        auto b = header(8, 0, {30, 6, 1, 2, 3, 4, 2, 4, 0x02, 0x00, 0, 0});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        CHECK(s.opt.mss == 512);
    }
    SECTION("EOL ends the list; bytes after it are padding") {
        auto b = header(7, 0, {1, 0, 0, 0, 99, 1, 0, 0});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        CHECK(s.opt == TcpOptions{});
    }
    SECTION("known kinds with the wrong length are ignored") {
        auto b = header(7, 0, {2, 3, 5, 3, 4, 0, 1, 1});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        CHECK(!s.opt.has_mss);
        CHECK(!s.opt.has_wscale);
    }
    SECTION("window scale above 14 is used as 14 (RFC 7323 2.3)") {
        auto b = header(6, flag::kSyn, {1, 3, 3, 200});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        CHECK(s.opt.wscale == 14);
    }
    SECTION("SACK blocks") {
        auto b = header(10, flag::kAck,
                        {1, 1, 5, 18, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        REQUIRE(s.opt.sack_count == 2);
        CHECK(s.opt.sack[0] == SackBlock{SeqNum(10), SeqNum(20)});
        CHECK(s.opt.sack[1] == SackBlock{SeqNum(30), SeqNum(40)});
    }
    SECTION("SACK with a length that is not 2 + 8n is ignored") {
        auto b =
            header(10, flag::kAck, {1, 1, 5, 14, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 1, 1, 1, 1, 1, 1});
        REQUIRE(parse(b, s) == ParseResult::Ok);
        CHECK(s.opt.sack_count == 0);
    }
}

TEST_CASE("write_tcp_header round-trips through parse_segment", "[tcp][segment]") {
    OutSegment o;
    o.tuple = Tuple{0xC6120001, 0xC6120002, 80, 40000};
    o.seq = SeqNum(0xFFFFFFF0);
    o.ack = SeqNum(12345);
    o.flags = flag::kSyn | flag::kAck;
    o.window = 65535;
    const uint8_t data[] = "abcdef";
    o.payload = data;
    o.payload_len = 3;
    o.payload2 = data + 3;
    o.payload2_len = 3;

    auto check = [&](const TcpOptions& opt, size_t expect_hlen) {
        o.opt = opt;
        uint8_t buf[200];
        const size_t n = write_tcp_segment(buf, sizeof buf, o);
        REQUIRE(n == expect_hlen + 6);
        CHECK(buf[0] == 0);
        CHECK(buf[1] == 80);
        CHECK((buf[2] << 8 | buf[3]) == 40000);
        CHECK(buf[16] == 0);  // checksum left to the engine
        CHECK(buf[17] == 0);
        // The sum reported from the values is the sum of the bytes written.
        uint32_t sum = 0;
        REQUIRE(write_tcp_header(buf, sizeof buf, o, &sum) == expect_hlen);
        uint64_t bytes_sum = 0;
        for (size_t i = 0; i < expect_hlen; i += 2) bytes_sum += uint32_t(buf[i]) << 8 | buf[i + 1];
        CHECK(sum == bytes_sum);
        Segment s;
        REQUIRE(parse_segment(buf, n, s) == ParseResult::Ok);
        CHECK(s.seq == o.seq);
        CHECK(s.ack == o.ack);
        CHECK(s.flags == o.flags);
        CHECK(s.window == o.window);
        CHECK(s.opt == opt);
        REQUIRE(s.payload_len == 6);
        CHECK(std::memcmp(s.payload, "abcdef", 6) == 0);
    };

    check(TcpOptions{}, 20);
    TcpOptions syn;
    syn.has_mss = true;
    syn.mss = 1460;
    syn.sack_permitted = true;
    syn.has_timestamp = true;
    syn.ts_val = 0xDEADBEEF;
    syn.ts_ecr = 7;
    syn.has_wscale = true;
    syn.wscale = 9;
    check(syn, 40);  // 20 + MSS 4 + SACKOK/TS 12 + NOP/WS 4
    TcpOptions ts;
    ts.has_timestamp = true;
    ts.ts_val = 1;
    ts.ts_ecr = 2;
    check(ts, 32);
    TcpOptions sp;
    sp.sack_permitted = true;
    check(sp, 24);
    TcpOptions sack = ts;
    sack.sack_count = 3;
    for (int i = 0; i < 3; ++i) sack.sack[i] = SackBlock{SeqNum(100u * i), SeqNum(100u * i + 50)};
    check(sack, 60);  // 20 + TS 12 + 4 + 3 * 8
}

TEST_CASE("SACK blocks that do not fit are left out", "[tcp][segment]") {
    TcpOptions o;
    o.has_timestamp = true;
    o.sack_count = 4;
    CHECK(options_length(o) == 12 + 4 + 3 * 8);
    o.has_timestamp = false;
    CHECK(options_length(o) == 4 + 4 * 8);
    uint8_t buf[20];
    OutSegment s;
    CHECK(write_tcp_header(buf, sizeof buf, s) == 20);
    s.opt.has_mss = true;
    CHECK(write_tcp_header(buf, sizeof buf, s) == 0);  // needs 24
}

TEST_CASE("options: the common SYN and timestamp layouts parse as any other order",
          "[tcp][segment]") {
    // parse_options recognises Linux's SYN layout and the RFC 7323 timestamp
    // block by their fixed bytes; the same options in another order take the
    // general loop. Both must read the same values, and a near-miss of a
    // fixed byte must not be taken for the layout.
    std::mt19937 rng(7323);
    auto be16 = [](std::vector<uint8_t>& v, uint16_t x) {
        v.push_back(uint8_t(x >> 8));
        v.push_back(uint8_t(x));
    };
    auto be32 = [&](std::vector<uint8_t>& v, uint32_t x) {
        be16(v, uint16_t(x >> 16));
        be16(v, uint16_t(x));
    };
    for (int round = 0; round < 2000; ++round) {
        const uint16_t mss = uint16_t(rng());
        const uint32_t tsv = rng(), tse = rng();
        const uint8_t ws = uint8_t(rng() % 20);
        std::vector<uint8_t> linux_syn{2, 4};
        be16(linux_syn, mss);
        linux_syn.insert(linux_syn.end(), {4, 2, 8, 10});
        be32(linux_syn, tsv);
        be32(linux_syn, tse);
        linux_syn.insert(linux_syn.end(), {1, 3, 3, ws});
        std::vector<uint8_t> other{1, 3, 3, ws, 8, 10};
        be32(other, tsv);
        be32(other, tse);
        other.insert(other.end(), {4, 2, 2, 4});
        be16(other, mss);
        TcpOptions a, b;
        REQUIRE(parse_options(linux_syn.data(), linux_syn.size(), a) == OptionError::None);
        REQUIRE(parse_options(other.data(), other.size(), b) == OptionError::None);
        REQUIRE(a == b);
        CHECK(a.mss == mss);
        CHECK(a.wscale == (ws > 14 ? 14 : ws));
        CHECK((a.has_mss && a.has_wscale && a.sack_permitted && a.has_timestamp));

        std::vector<uint8_t> ts_block{1, 1, 8, 10}, ts_other{8, 10};
        be32(ts_block, tsv);
        be32(ts_block, tse);
        be32(ts_other, tsv);
        be32(ts_other, tse);
        ts_other.insert(ts_other.end(), {0, 0});
        REQUIRE(parse_options(ts_block.data(), ts_block.size(), a) == OptionError::None);
        REQUIRE(parse_options(ts_other.data(), ts_other.size(), b) == OptionError::None);
        REQUIRE(a == b);
        CHECK((a.has_timestamp && a.ts_val == tsv && a.ts_ecr == tse && !a.has_mss));

        // One fixed byte changed: whatever it now means, it is what the
        // general loop makes of it (compared against the bytes shifted by a
        // leading NOP, which never matches a fixed layout).
        std::vector<uint8_t> bent = rng() % 2 ? linux_syn : ts_block;
        const size_t at = rng() % bent.size();
        bent[at] = uint8_t(rng() % 12);
        std::vector<uint8_t> shifted{1};
        shifted.insert(shifted.end(), bent.begin(), bent.end());
        TcpOptions c, d;
        const OptionError ec = parse_options(bent.data(), bent.size(), c);
        const OptionError ed = parse_options(shifted.data(), shifted.size(), d);
        REQUIRE(ec == ed);
        if (ec == OptionError::None) REQUIRE(c == d);
    }
}
