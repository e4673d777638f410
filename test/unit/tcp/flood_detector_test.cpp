#include <catch2/catch.hpp>

#include "tcp/flood_detector.h"

using tern::tcp::FloodDetector;

namespace {
const tern::util::SipKey kKey{1, 2};
}

TEST_CASE("a SYN rate above the threshold starts a flood; calm seconds end it", "[tcp][flood]") {
    FloodDetector d(1000, kKey);
    CHECK(!d.tick(0));
    // Second 0: 5000 SYNs from 5000 distinct sources.
    for (uint32_t i = 0; i < 5000; ++i) d.on_syn(0xC6130000u + i);
    CHECK(!d.tick(999));
    CHECK(d.tick(1000));  // judged at the end of the second
    REQUIRE(d.report().active);
    CHECK(d.report().start_ms == 0);
    CHECK(d.report().peak_rate == 5000);
    CHECK(d.report().distinct_pct >= 90);  // linear counting: within a few %
    CHECK(d.report().floods == 1);
    // Second 1: 800 SYNs, all from one source: still inside the flood.
    for (int i = 0; i < 800; ++i) d.on_syn(0xC6130001u);
    CHECK(!d.tick(2000));
    CHECK(d.report().peak_rate == 5000);
    // Ten calm seconds later it ends, exactly then.
    CHECK(!d.tick(10999));
    CHECK(d.report().active);
    CHECK(d.tick(11000));
    CHECK(!d.report().active);
    CHECK(d.report().end_ms == 11000);
    CHECK(d.report().floods == 1);
}

TEST_CASE("cookies needed (a full half-open queue) start a flood at any rate", "[tcp][flood]") {
    FloodDetector d(0, kKey);  // rate threshold off
    d.tick(0);
    for (int i = 0; i < 300; ++i) d.on_syn(0xC6120001u);
    CHECK(!d.tick(1000));  // no cookies: no flood
    d.on_syn(0xC6120001u);
    d.on_cookie();
    CHECK(d.tick(2000));
    CHECK(d.report().active);
    CHECK(d.report().start_ms == 1000);
    CHECK(d.report().distinct_pct == 100);  // 1 SYN, 1 source
}

TEST_CASE("a flash crowd from few sources reports a low distinct share", "[tcp][flood]") {
    FloodDetector d(100, kKey);
    d.tick(0);
    for (int i = 0; i < 2000; ++i) d.on_syn(0xC6120000u + uint32_t(i % 20));
    CHECK(d.tick(1000));
    CHECK(d.report().peak_rate == 2000);
    CHECK(d.report().distinct_pct == 1);  // 20 sources / 2000 SYNs
}

TEST_CASE("a long stall ends a flood without replaying every second", "[tcp][flood]") {
    FloodDetector d(10, kKey);
    d.tick(0);
    for (int i = 0; i < 100; ++i) d.on_syn(uint32_t(i));
    CHECK(d.tick(1000));
    CHECK(d.tick(5ull * 3600 * 1000));  // five hours later
    CHECK(!d.report().active);
    for (int i = 0; i < 100; ++i) d.on_syn(uint32_t(i));
    CHECK(d.tick(5ull * 3600 * 1000 + 1000));
    CHECK(d.report().active);
    CHECK(d.report().floods == 2);
}

TEST_CASE("a busy legitimate load (every SYN completes) is not a flood", "[tcp][flood]") {
    FloodDetector d(1000, kKey);
    d.tick(0);
    for (uint32_t i = 0; i < 5000; ++i) {
        d.on_syn(0xC6120000u + i % 50);
        d.on_established();
    }
    CHECK(!d.tick(1000));
    CHECK(!d.report().active);
    // Half of them completing is not enough to clear a SYN rate that high.
    for (uint32_t i = 0; i < 5000; ++i) {
        d.on_syn(0xC6130000u + i);
        if (i % 3 == 0) d.on_established();
    }
    CHECK(d.tick(2000));
    CHECK(d.report().active);
}
