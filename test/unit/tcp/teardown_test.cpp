// Connection teardown (RFC 9293 3.6, 3.10.7.4 fifth and eighth steps),
// TIME_WAIT (3.10.7.4 TIME-WAIT, RFC 6191), FIN_WAIT_2 timeout.
#include "harness.h"

using namespace tcptest;

using Events = std::vector<std::string>;

TEST_CASE("passive close: FIN, ACK / FIN, ACK -> CLOSE_WAIT, LAST_ACK, CLOSED", "[tcp][close]") {
    H h;
    h.make_established();
    // 1. client FIN
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    // 2. our ACK of it
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::CloseWait);
    CHECK(h.app.events == Events{"open", "peer_closed"});
    // 3. the app closes: our FIN
    h.app.conn->close();
    h.flush();
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = FIN | ACK, .seq = h.iss + 1, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::LastAck);
    // 4. client ACK of our FIN
    h.send({.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2});
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.app.events == Events{"open", "peer_closed", "closed:normal"});
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.time_wait_records() == 0);
    CHECK(h.stack.armed_timers() == 0);
    CHECK(h.stack.flows() == 0);
}

TEST_CASE("passive close where the app closes from on_peer_closed: ACK rides on the FIN",
          "[tcp][close]") {
    H h;
    h.make_established();
    h.app.on_peer_closed_hook = [](Conn& c) { c.close(); };
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = FIN | ACK, .seq = h.iss + 1, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::LastAck);
    h.send({.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2});
    CHECK(h.state() == State::Closed);
}

TEST_CASE("active close: FIN / ACK / FIN / ACK -> FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT, CLOSED",
          "[tcp][close]") {
    H h;
    h.make_established();
    const uint64_t t0 = h.now_ms;
    // 1. our FIN
    h.app.conn->close();
    CHECK(h.state() == State::FinWait1);  // RFC 9293 3.10.4: at once
    h.flush();
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = FIN | ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    // 2. client ACK of our FIN
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 2});
    CHECK(h.out.empty());
    CHECK(h.state() == State::FinWait2);
    // 3. client FIN
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2});
    // 4. our ACK
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::TimeWait);
    CHECK(h.app.events == Events{"open", "peer_closed", "closed:normal"});
    CHECK(h.stack.live_tcbs() == 0);  // the TCB is gone, a record remains
    CHECK(h.stack.time_wait_records() == 1);
    CHECK(h.stack.armed_timers() == 1);
    // 2*MSL later (tcp.msl_ms = 30000): CLOSED, to the millisecond.
    h.advance_to(t0 + 60000 - 1);
    CHECK(h.state() == State::TimeWait);
    h.advance_to(t0 + 60000);
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.stack.time_wait_records() == 0);
    CHECK(h.stack.armed_timers() == 0);
    CHECK(h.stack.flows() == 0);
}

TEST_CASE("active close with FIN and ACK of our FIN in one segment", "[tcp][close]") {
    H h;
    h.make_fin_wait_1();
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::TimeWait);
}

TEST_CASE("simultaneous close goes through CLOSING", "[tcp][close]") {
    H h;
    h.make_fin_wait_1();  // our FIN seq iss+1 is out
    // The client's FIN crossed ours: it does not acknowledge our FIN.
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::Closing);
    // Its ACK of our FIN.
    h.send({.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2});
    CHECK(h.out.empty());
    CHECK(h.state() == State::TimeWait);
    CHECK(h.app.events == Events{"open", "peer_closed", "closed:normal"});
}

TEST_CASE("data queued before close goes out before the FIN", "[tcp][close]") {
    H h;
    h.make_established();
    h.app.conn->send(reinterpret_cast<const uint8_t*>("bye"), 3);
    h.app.conn->close();
    h.flush();
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = FIN | PSH | ACK,
                      .seq = h.iss + 1,
                      .ack = kCisn + 1,
                      .window = 65535,
                      .data = "bye"});
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 4});
    CHECK(h.state() == State::FinWait1);  // data acknowledged, FIN not yet
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 5});
    CHECK(h.state() == State::FinWait2);
}

TEST_CASE("half-close: data still delivered in FIN_WAIT_2, ignored after the peer's FIN",
          "[tcp][close]") {
    H h;
    h.make_fin_wait_2();
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 2, .data = "late"});
    CHECK(h.app.received == "late");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 5, .window = 65535});

    H h2;
    h2.make_close_wait();
    h2.send({.flags = ACK | PSH, .seq = kCisn + 2, .ack = h2.iss + 1, .data = "x"});
    CHECK(h2.app.received.empty());
    CHECK(h2.stack.counters().data_after_fin.get() == 1);
}

TEST_CASE("a retransmitted FIN in CLOSE_WAIT is re-ACKed", "[tcp][close]") {
    H h;
    h.make_close_wait();
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 2, .window = 65535});
    CHECK(h.app.events == Events{"open", "peer_closed"});  // told once
}

TEST_CASE("our FIN is retransmitted on RTO in LAST_ACK", "[tcp][close][rto]") {
    H h;
    h.make_last_ack();
    const uint64_t t0 = h.now_ms;
    // The handshake measured an RTT of 0 ms, so RTO = tcp.rto_min = 200 ms.
    h.advance_to(t0 + 199);
    CHECK(h.out.empty());
    h.advance_to(t0 + 200);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = FIN | ACK, .seq = h.iss + 1, .ack = kCisn + 2, .window = 65535});
    h.advance_to(t0 + 200 + 400);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].flags == (FIN | ACK));
    h.send({.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2});
    CHECK(h.state() == State::Closed);
    CHECK(h.stack.armed_timers() == 0);
}

// ---------------------------------------------------------------- TIME_WAIT

TEST_CASE("TIME_WAIT: a retransmitted FIN is re-ACKed and restarts 2MSL", "[tcp][timewait]") {
    H h;
    h.make_time_wait();
    const uint64_t t0 = h.now_ms;
    h.advance_to(t0 + 60000 - 1);
    CHECK(h.state() == State::TimeWait);
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(h.stack.counters().tw_fin_reack.get() == 1);
    const uint64_t t1 = h.now_ms;
    h.advance_to(t0 + 60000);
    CHECK(h.state() == State::TimeWait);
    h.advance_to(t1 + 60000 - 1);
    CHECK(h.state() == State::TimeWait);
    h.advance_to(t1 + 60000);
    CHECK(h.state() == State::Closed);
    CHECK(h.stack.counters().tw_expired.get() == 1);
}

TEST_CASE("TIME_WAIT: other segments", "[tcp][timewait]") {
    H h;
    h.make_time_wait();
    SECTION("a duplicate in-order ACK is dropped silently") {
        h.send({.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2});
        CHECK(h.out.empty());
        CHECK(h.stack.counters().tw_dropped.get() == 1);
    }
    SECTION("data is answered with an ACK") {
        h.send({.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2, .data = "zz"});
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    }
    SECTION("an exact RST ends it; tcp.rfc1337 would ignore it") {
        h.send({.flags = RST, .seq = kCisn + 2});
        CHECK(h.out.empty());
        CHECK(h.state() == State::Closed);
        CHECK(h.stack.time_wait_records() == 0);
        CHECK(h.stack.armed_timers() == 0);
    }
    SECTION("an in-window inexact RST gets a challenge ACK, record stays") {
        h.send({.flags = RST, .seq = kCisn + 100});
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
        CHECK(h.state() == State::TimeWait);
    }
}

TEST_CASE("TIME_WAIT: RFC 1337 mode ignores RSTs", "[tcp][timewait]") {
    Tunables c = small_config();
    c.rfc1337 = true;
    H h(c);
    h.make_time_wait();
    h.send({.flags = RST, .seq = kCisn + 2});
    CHECK(h.out.empty());
    CHECK(h.state() == State::TimeWait);
    CHECK(h.stack.counters().tw_rst_ignored.get() == 1);
}

TEST_CASE("TIME_WAIT: a SYN above the old RCV.NXT reuses the tuple (RFC 6191)", "[tcp][timewait]") {
    H h;
    h.make_time_wait();
    const uint32_t old_iss = h.iss;
    SECTION("higher sequence: new connection, ISS above the old sequence space") {
        h.send({.flags = SYN, .seq = kCisn + 100000, .opt = mss_opt()});
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = SYN | ACK,
                          .seq = old_iss + 2 + 65537,
                          .ack = kCisn + 100001,
                          .window = 65535,
                          .opt = mss_opt()});
        CHECK(h.state() == State::SynRcvd);
        CHECK(h.stack.time_wait_records() == 0);
        CHECK(h.stack.counters().tw_reuse.get() == 1);
        h.send({.flags = ACK, .seq = kCisn + 100001, .ack = old_iss + 2 + 65538});
        CHECK(h.state() == State::Established);
    }
    SECTION("old sequence: answered with an ACK, record kept") {
        h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = ACK, .seq = old_iss + 2, .ack = kCisn + 2, .window = 65535});
        CHECK(h.state() == State::TimeWait);
    }
}

TEST_CASE("TIME_WAIT with timestamps: a SYN with a newer TSval reuses the tuple",
          "[tcp][timewait]") {
    H h;
    TcpOptions o = mss_opt();
    o.has_timestamp = true;
    o.ts_val = 100;
    h.send({.flags = SYN, .seq = kCisn, .opt = o});
    h.iss = h.out[0].seq.raw();
    const uint32_t our_ts = h.out[0].opt.ts_val;
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .opt = ts_opt(101, our_ts)});
    h.app.conn->close();
    h.flush();
    h.send({.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2, .opt = ts_opt(102, our_ts)});
    REQUIRE(h.state() == State::TimeWait);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].opt.ts_ecr == 102);

    SECTION("newer TSval, even with a lower sequence number: reuse") {
        TcpOptions n = mss_opt();
        n.has_timestamp = true;
        n.ts_val = 103;
        h.send({.flags = SYN, .seq = 5, .opt = n});
        REQUIRE(h.out.size() == 1);
        CHECK(h.out[0].flags == (SYN | ACK));
        CHECK(h.out[0].ack.raw() == 6);
        CHECK(h.state() == State::SynRcvd);
    }
    SECTION("older TSval, even with a higher sequence number: ACK") {
        TcpOptions n = mss_opt();
        n.has_timestamp = true;
        n.ts_val = 50;
        h.send({.flags = SYN, .seq = kCisn + 99999, .opt = n});
        REQUIRE(h.out.size() == 1);
        CHECK(h.out[0].flags == ACK);
        CHECK(h.out[0].ack.raw() == kCisn + 2);
        CHECK(h.out[0].opt.ts_ecr == 102);
        CHECK(h.state() == State::TimeWait);
    }
}

TEST_CASE("FIN_WAIT_2 idle for tcp.fin_timeout ends silently", "[tcp][close][timer]") {
    // Linux turns an orphaned FIN_WAIT_2 into a TIME_WAIT record of
    // substate FIN_WAIT2 that lasts tcp_fin_timeout and expires without a
    // word (inet_twsk_kill): no RST.
    H h;
    h.make_fin_wait_2();
    const uint64_t t0 = h.now_ms;
    h.advance_to(t0 + 60000 - 1);
    CHECK(h.state() == State::FinWait2);
    h.advance_to(t0 + 60000);
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.app.events == Events{"open", "closed:timeout"});
    CHECK(h.stack.counters().fin_wait2_timeouts.get() == 1);
    CHECK(h.stack.armed_timers() == 0);
}

TEST_CASE("FIN_WAIT_2 still receiving data is not timed out", "[tcp][close][timer]") {
    H h;
    h.make_fin_wait_2();
    const uint64_t t0 = h.now_ms;
    uint32_t seq = kCisn + 1;
    for (int k = 1; k <= 4; ++k) {  // data every fin_timeout / 2, for 2 fin_timeouts
        h.advance_to(t0 + 30000 * k);
        CHECK(h.out.empty());
        REQUIRE(h.state() == State::FinWait2);
        h.send({.flags = ACK, .seq = seq, .ack = h.iss + 2, .data = "d"});
        REQUIRE(h.out.size() == 1);
        ++seq;
    }
    CHECK(h.app.received == "dddd");
    // Idle from the last byte (t0 + 120 s): fin_timeout later it goes.
    h.advance_to(t0 + 180000 - 1);
    CHECK(h.state() == State::FinWait2);
    h.advance_to(t0 + 180000);
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.app.events == Events{"open", "data:d", "data:d", "data:d", "data:d", "closed:timeout"});
}

TEST_CASE("abort() sends RST and discards queued data", "[tcp][close]") {
    H h;
    h.make_established();
    h.app.conn->send(reinterpret_cast<const uint8_t*>("never"), 5);
    h.app.conn->abort();
    h.flush();
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = h.iss + 1, .ack = kCisn + 1});
    CHECK(h.app.events == Events{"open", "closed:aborted"});
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.chunks_in_use() == 1);  // freed, returned at the next call
    h.flush();
    CHECK(h.stack.chunks_in_use() == 0);
}

TEST_CASE("abort() from on_data stops processing of that segment", "[tcp][close]") {
    H h;
    h.make_established();
    h.app.on_data_hook = [](Conn& c, const std::string&) { c.abort(); };
    h.send({.flags = FIN | ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "boom"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = h.iss + 1, .ack = kCisn + 5});
    CHECK(h.app.events == Events{"open", "data:boom", "closed:aborted"});  // no peer_closed
    CHECK(h.stack.live_tcbs() == 0);
}
