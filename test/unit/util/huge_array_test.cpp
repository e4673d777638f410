#include <catch2/catch.hpp>

#include <cstdint>

#include "util/huge_array.h"

using tern::util::HugeArray;

namespace {
struct Item {
    uint32_t a = 7;
    uint64_t b = 0;
};
}  // namespace

TEST_CASE("HugeArray: value-initialised, writable, big ones on a 2 MiB boundary", "[huge_array]") {
    HugeArray<Item> small(100);
    REQUIRE(small.size() == 100);
    for (size_t i = 0; i < small.size(); ++i) REQUIRE(small[i].a == 7);
    small[99].b = 1;
    CHECK(small[99].b == 1);

    // 3 MiB worth: mapped on its own, aligned so huge pages can back it.
    const size_t n = (size_t(3) << 20) / sizeof(Item);
    HugeArray<Item> big(n);
    CHECK(reinterpret_cast<uintptr_t>(big.get()) % HugeArray<Item>::kHugePage == 0);
    for (size_t i = 0; i < n; ++i) REQUIRE((big[i].a == 7 && big[i].b == 0));
    big[n - 1].b = 42;
    CHECK(big.get()[n - 1].b == 42);
}
