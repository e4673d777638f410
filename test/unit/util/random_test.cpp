#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "util/random.h"

using namespace tern::util;

TEST_CASE("random_key gives distinct non-zero keys", "[random]") {
    const SipKey a = random_key(), b = random_key();
    // 2^-64 chance of a false failure per check.
    CHECK((a.k0 | a.k1) != 0);
    CHECK((a.k0 != b.k0 || a.k1 != b.k1));
    CHECK(a.k0 != a.k1);
}

TEST_CASE("random_bytes fills the whole buffer", "[random]") {
    // 1 MiB: several getrandom() calls may be needed; every byte value should
    // appear, and no 4 KiB page should be left zero.
    std::vector<uint8_t> buf(1 << 20, 0);
    random_bytes(buf.data(), buf.size());
    std::array<size_t, 256> hist{};
    for (uint8_t v : buf) ++hist[v];
    CHECK(std::all_of(hist.begin(), hist.end(), [](size_t c) { return c > 0; }));
    for (size_t page = 0; page < buf.size(); page += 4096) {
        REQUIRE(!std::all_of(buf.begin() + long(page), buf.begin() + long(page + 4096),
                             [](uint8_t v) { return v == 0; }));
    }
    // Roughly uniform: each value expected 4096 times, sigma ~64.
    const auto [lo, hi] = std::minmax_element(hist.begin(), hist.end());
    CHECK(*lo > 3500);
    CHECK(*hi < 4700);

    random_bytes(nullptr, 0);  // empty request is fine
}
