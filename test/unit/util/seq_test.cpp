#include <catch2/catch.hpp>

#include "util/seq.h"

using tern::util::between;
using tern::util::in_window;
using tern::util::SeqNum;

TEST_CASE("SeqNum compares across the 2^32 wrap", "[seq]") {
    SeqNum a(0xFFFFFFF0u), b(0x10u);
    CHECK(a < b);
    CHECK(b > a);
    CHECK((b - a) == 0x20u);
    CHECK((a + 0x20u) == b);
    CHECK(!(a < a));
    CHECK(a <= a);
}

TEST_CASE("in_window and between are half-open / closed", "[seq]") {
    SeqNum start(0xFFFFFFFEu);
    CHECK(in_window(start, start, 4));
    CHECK(in_window(SeqNum(1), start, 4));
    CHECK(!in_window(SeqNum(2), start, 4));
    CHECK(!in_window(start - 1, start, 4));
    CHECK(!in_window(start, start, 0));
    CHECK(between(SeqNum(10), SeqNum(10), SeqNum(20)));
    CHECK(between(SeqNum(10), SeqNum(20), SeqNum(20)));
    CHECK(!between(SeqNum(10), SeqNum(21), SeqNum(20)));
    CHECK(!between(SeqNum(10), SeqNum(9), SeqNum(20)));
}
