// Pseudo-random scripts through the fuzz driver: the invariants of
// Stack::check_invariants() hold after every step, and everything is
// released at the end. (The same driver backs a libFuzzer target.)
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "fuzz_driver.h"

TEST_CASE("random segment scripts keep the Stack's invariants", "[tcp][fuzz]") {
    std::mt19937 rng(12345);
    std::vector<uint8_t> buf;
    for (int round = 0; round < 300; ++round) {
        buf.resize(2000 + rng() % 20000);
        for (auto& b : buf) b = uint8_t(rng());
        const std::string err = tcpfuzz::run(buf.data(), buf.size());
        INFO("round " << round);
        REQUIRE(err.empty());
    }
}
