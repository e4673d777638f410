// Per-source SYN limit and flood detection through the Stack.
#include "harness.h"

using namespace tcptest;

TEST_CASE("a source above tcp.syn_rate_per_source is throttled, others are not",
          "[tcp][limiter]") {
    Tunables c = small_config();
    c.syn_rate_per_source = 10;
    c.syn_burst_per_source = 5;
    H h(c);
    Tuple noisy = client_tuple(0), quiet{0xC6120001, 0xC6130042, 80, 5555};
    REQUIRE(noisy.remote_addr != quiet.remote_addr);
    int answered = 0;
    // 20 SYNs from one source on 20 ports within one millisecond: the
    // bucket starts with 5 tokens.
    for (uint16_t i = 0; i < 20; ++i) {
        Tuple t = noisy;
        t.remote_port = uint16_t(2000 + i);
        answered += int(h.send({.flags = SYN, .seq = kCisn}, t).size());
    }
    CHECK(answered == 5);
    CHECK(h.stack.counters().syn_rate_limited.get() == 15);
    // Another source is untouched.
    REQUIRE(h.send({.flags = SYN, .seq = kCisn}, quiet).size() == 1);
    CHECK(h.out[0].flags == (SYN | ACK));
    // 10 SYN/s refill: 100 ms later one more token.
    h.advance_by(100);
    Tuple t = noisy;
    t.remote_port = 3000;
    CHECK(h.send({.flags = SYN, .seq = kCisn}, t).size() == 1);
    t.remote_port = 3001;
    CHECK(h.send({.flags = SYN, .seq = kCisn}, t).size() == 0);
    CHECK(h.stack.counters().syn_rate_limited.get() == 16);
}

TEST_CASE("the Stack reports a SYN flood when cookies switch on, and its end", "[tcp][flood]") {
    Tunables c = small_config();
    c.max_syn_backlog = 4;
    c.syncookies = 1;
    c.syn_flood_rate = 0;
    H h(c);
    h.advance_by(1);
    CHECK(!h.stack.take_flood_change());
    for (uint32_t i = 0; i < 50; ++i) h.send({.flags = SYN, .seq = kCisn}, client_tuple(i));
    CHECK(h.stack.counters().syncookies_sent.get() == 46);
    h.advance_by(1000);
    CHECK(h.stack.take_flood_change());
    CHECK(!h.stack.take_flood_change());
    CHECK(h.stack.flood().active);
    CHECK(h.stack.flood().peak_rate == 50);
    CHECK(h.stack.counters().syn_floods.get() == 1);
    CHECK(h.stack.counters().syn_flood_active.get() == 1);
    CHECK(h.stack.counters().syn_flood_peak_rate.get() == 50);
    h.advance_by(FloodDetector::kQuietSeconds * 1000);
    CHECK(h.stack.take_flood_change());
    CHECK(!h.stack.flood().active);
    CHECK(h.stack.counters().syn_flood_active.get() == 0);
}
