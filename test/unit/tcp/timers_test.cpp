// Protocol timers with exact timings on a virtual clock: SYN-ACK backoff
// (issue 4 item 2), keepalive (issue 4 item 3). RTO, FIN_WAIT_2 and 2MSL
// are in data_test.cpp and teardown_test.cpp.
#include "harness.h"

using namespace tcptest;

namespace {

// Times (ms after t0) at which the Stack sent a segment with these flags,
// stepping the clock 1 ms at a time until `until`.
std::vector<uint64_t> sends(H& h, uint64_t t0, uint64_t until, uint8_t flags) {
    std::vector<uint64_t> at;
    for (uint64_t t = t0 + 1; t <= t0 + until; ++t) {
        h.advance_to(t);
        for (const OutSegment& s : h.out) {
            if (s.flags == flags) at.push_back(t - t0);
        }
    }
    return at;
}

}  // namespace

TEST_CASE("SYN-ACK retransmitted at 1, 3, 7, 15, 31 s; entry dropped at 63 s",
          "[tcp][timer][synack]") {
    H h;
    h.make_syn_rcvd();
    const uint64_t t0 = h.now_ms;
    std::vector<uint64_t> at;
    uint64_t gone = 0;
    for (uint64_t t = t0 + 1; t <= t0 + 70000 && !gone; ++t) {
        h.advance_to(t);
        for (const OutSegment& s : h.out) {
            expect(s, {.flags = SYN | ACK,
                       .seq = h.iss,
                       .ack = kCisn + 1,
                       .window = 65535,
                       .opt = mss_opt()});
            at.push_back(t - t0);
        }
        if (h.state() == State::Closed) gone = t - t0;
    }
    CHECK(at == std::vector<uint64_t>{1000, 3000, 7000, 15000, 31000});
    CHECK(gone == 63000);
    CHECK(h.stack.half_open(80) == 0);
    CHECK(h.stack.armed_timers() == 0);
    CHECK(h.stack.counters().synack_timeouts.get() == 1);
    CHECK(h.app.events.empty());
    // The client, believing it is connected, sends data: RST.
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "hi"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = h.iss + 1});
}

TEST_CASE("tcp.synack_retries = 2: two retransmissions, dropped at 7 s; RST variant",
          "[tcp][timer][synack]") {
    Tunables c = small_config();
    c.synack_retries = 2;
    SECTION("silently") {
        H h(c);
        h.make_syn_rcvd();
        const uint64_t t0 = h.now_ms;
        CHECK(sends(h, t0, 6999, SYN | ACK) == std::vector<uint64_t>{1000, 3000});
        CHECK(h.state() == State::SynRcvd);
        h.advance_to(t0 + 7000);
        CHECK(h.out.empty());
        CHECK(h.state() == State::Closed);
    }
    SECTION("with tcp.synack_fail_rst") {
        c.synack_fail_rst = true;
        H h(c);
        h.make_syn_rcvd();
        const uint64_t t0 = h.now_ms;
        h.advance_to(t0 + 1000);
        h.advance_to(t0 + 3000);
        h.advance_to(t0 + 7000);
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = RST | ACK, .seq = h.iss + 1, .ack = kCisn + 1});
        CHECK(h.state() == State::Closed);
    }
}

TEST_CASE("a late third ACK after SYN-ACK retransmissions still establishes",
          "[tcp][timer][synack]") {
    H h;
    h.make_syn_rcvd();
    h.advance_by(1000);
    h.advance_by(2000);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    CHECK(h.state() == State::Established);
    CHECK(h.stack.armed_timers() == 0);
}

TEST_CASE("after a retransmitted SYN-ACK without an RTT sample data starts with RTO 3 s",
          "[tcp][timer][synack][rto]") {
    // RFC 6298 5.7 (Linux TCP_TIMEOUT_FALLBACK): the 1 s initial RTO proved
    // too short for this path.
    H h;
    h.make_syn_rcvd();
    h.advance_by(1000);  // SYN-ACK retransmitted: no RTT sample (Karn)
    REQUIRE(h.out.size() == 1);
    h.advance_by(500);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    REQUIRE(h.state() == State::Established);
    REQUIRE(h.app.conn->send(reinterpret_cast<const uint8_t*>("x"), 1) == 1);
    h.flush();
    REQUIRE(h.out.size() == 1);
    const uint64_t t0 = h.now_ms;
    CHECK(sends(h, t0, 3000, ACK | PSH) == std::vector<uint64_t>{3000});
    // Backed off from 3 s: the next one 6 s later.
    CHECK(sends(h, t0 + 3000, 6000, ACK | PSH) == std::vector<uint64_t>{6000});
}

TEST_CASE("an RTT sample from the first SYN-ACK sets the RTO as usual", "[tcp][timer][rto]") {
    H h;
    h.make_syn_rcvd();
    h.advance_by(100);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    REQUIRE(h.app.conn->send(reinterpret_cast<const uint8_t*>("x"), 1) == 1);
    h.flush();
    REQUIRE(h.out.size() == 1);
    // SRTT 100, RTTVAR 50: RTO = 100 + 4 * 50 = 300 ms.
    CHECK(sends(h, h.now_ms, 300, ACK | PSH) == std::vector<uint64_t>{300});
}

TEST_CASE("keepalive: probes at 7200 s then every 75 s, RST after 9 unanswered",
          "[tcp][timer][keepalive]") {
    H h;
    RecApp kapp;
    REQUIRE(h.stack.listen(8080, kapp, ListenOptions{.keepalive = true}));
    const Tuple tu{0xC6120001, 0xC6120002, 8080, 40000};
    Exp probe{.flags = ACK, .ack = kCisn + 1, .window = 65535};
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()}, tu);
    const uint32_t iss = h.out[0].seq.raw();
    probe.seq = iss;  // SND.UNA - 1
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1}, tu);
    REQUIRE(h.stack.state_of(tu) == State::Established);
    const uint64_t t0 = h.now_ms;

    SECTION("unanswered") {
        h.advance_to(t0 + 7'200'000 - 1);
        CHECK(h.out.empty());
        for (int k = 0; k < 9; ++k) {
            const uint64_t due = t0 + 7'200'000 + 75'000ull * k;
            h.advance_to(due - 1);
            CHECK(h.out.empty());
            h.advance_to(due);
            REQUIRE(h.out.size() == 1);
            expect(h.out[0], probe, tu);
        }
        h.advance_to(t0 + 7'200'000 + 75'000 * 9 - 1);
        CHECK(h.out.empty());
        h.advance_to(t0 + 7'200'000 + 75'000 * 9);
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = RST | ACK, .seq = iss + 1, .ack = kCisn + 1}, tu);
        CHECK(kapp.events == std::vector<std::string>{"open", "closed:timeout"});
        CHECK(h.stack.counters().keepalive_probes.get() == 9);
    }
    SECTION("any segment from the peer restarts the idle clock") {
        h.advance_to(t0 + 3'000'000);
        h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1}, tu);
        const uint64_t t1 = h.now_ms;
        h.advance_to(t0 + 7'200'000);
        CHECK(h.out.empty());
        h.advance_to(t1 + 7'200'000 - 1);
        CHECK(h.out.empty());
        h.advance_to(t1 + 7'200'000);
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], probe, tu);
        // Two probes, then an answer: the count starts over.
        h.advance_to(t1 + 7'275'000);
        REQUIRE(h.out.size() == 1);
        h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1}, tu);
        const uint64_t t2 = h.now_ms;
        h.advance_to(t1 + 7'350'000);
        CHECK(h.out.empty());
        h.advance_to(t2 + 7'200'000);
        REQUIRE(h.out.size() == 1);
        CHECK(h.stack.state_of(tu) == State::Established);
    }
}

TEST_CASE("no keepalive without the listener option", "[tcp][timer][keepalive]") {
    H h;
    h.make_established();
    CHECK(h.stack.armed_timers() == 0);
    h.advance_by(10'000'000);
    CHECK(h.out.empty());
    CHECK(h.state() == State::Established);
}

TEST_CASE("timers that do not fit in the Outbox fire at the next advance()", "[tcp][timer]") {
    Tunables c = small_config();
    c.max_tcbs = 100;
    c.max_syn_backlog = 100;
    H h(c);
    for (uint32_t i = 0; i < 100; ++i) h.send({.flags = SYN, .seq = kCisn}, client_tuple(i));
    const uint64_t t0 = h.now_ms;
    h.advance_to(t0 + 1000);
    const size_t first = h.out.size();
    CHECK(first >= Outbox::kCapacity - 1);
    CHECK(h.stack.counters().outbox_full.get() == 0);  // nothing lost
    h.advance_to(t0 + 1000);
    CHECK(first + h.out.size() == 100);
    CHECK(h.stack.counters().synack_retransmits.get() == 100);
    // The schedule is not shifted: the next round is still due at 3 s.
    h.advance_to(t0 + 2999);
    CHECK(h.out.empty());
    h.advance_to(t0 + 3000);
    CHECK(h.out.size() >= Outbox::kCapacity - 1);
}

TEST_CASE("out-of-window junk does not reset the keepalive idle clock", "[tcp][timer][keepalive]") {
    H h;
    RecApp kapp;
    REQUIRE(h.stack.listen(8080, kapp, ListenOptions{.keepalive = true}));
    const Tuple tu{0xC6120001, 0xC6120002, 8080, 40000};
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()}, tu);
    const uint32_t iss = h.out[0].seq.raw();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1}, tu);
    const uint64_t t0 = h.now_ms;
    h.advance_to(t0 + 7'000'000);
    h.send({.flags = ACK, .seq = kCisn + 900'000, .ack = iss + 1}, tu);  // not acceptable
    h.advance_to(t0 + 7'200'000);
    REQUIRE(h.out.size() == 1);  // the probe is on time
    CHECK(h.out[0].seq.raw() == iss);
}
