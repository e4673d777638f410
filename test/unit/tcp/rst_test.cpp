// Resets and blind-attack defences: RFC 9293 3.10.7.1-4 RST rules, RFC 5961
// (challenge ACKs for RST and SYN, ACK validation, rate limit), RFC 7323
// PAWS.
#include "harness.h"

using namespace tcptest;

namespace {
constexpr Tuple kClosed{0xC6120001, 0xC6120002, 81, 40000};  // nobody listens on 81

// Our ACK with timestamps at SND.NXT = ISS + 1, window 65535.
Exp ts_ack(const H& h, uint32_t ack, uint32_t ours, uint32_t ecr) {
    return {.flags = ACK, .seq = h.iss + 1, .ack = ack, .window = 65535, .opt = ts_opt(ours, ecr)};
}

// The client's data at `seq` with TSval `tsval`, acknowledging ISS + 1.
Seg ts_data(const H& h, uint32_t seq, uint32_t tsval, uint32_t ours, std::string data) {
    return {.flags = ACK | PSH,
            .seq = seq,
            .ack = h.iss + 1,
            .opt = ts_opt(tsval, ours),
            .data = std::move(data)};
}
}  // namespace

TEST_CASE("closed port: no ACK -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>", "[tcp][rst]") {
    H h;
    h.send({.flags = SYN, .seq = kCisn, .data = "ab"}, kClosed);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = 0, .ack = kCisn + 3}, kClosed);  // SYN + 2 bytes
    h.send({.flags = FIN, .seq = 77}, kClosed);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = 0, .ack = 78}, kClosed);
    h.send({.flags = 0, .seq = 77}, kClosed);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = 0, .ack = 77}, kClosed);
    CHECK(h.stack.counters().no_listener.get() == 3);
    CHECK(h.stack.counters().rst_sent.get() == 3);
}

TEST_CASE("closed port: ACK -> <SEQ=SEG.ACK><CTL=RST>", "[tcp][rst]") {
    H h;
    h.send({.flags = ACK | PSH, .seq = 5, .ack = 0xFFFFFF00, .data = "data"}, kClosed);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = 0xFFFFFF00, .ack = 0}, kClosed);
}

TEST_CASE("a RST is never answered with a RST", "[tcp][rst]") {
    H h;
    h.send({.flags = RST, .seq = 5}, kClosed);
    h.send({.flags = RST | ACK, .seq = 5, .ack = 9}, kClosed);
    h.send({.flags = RST, .seq = 5});  // to the listener
    h.send({.flags = RST | ACK, .seq = 5, .ack = 9});
    CHECK(h.out.empty());
    CHECK(h.stack.counters().rst_sent.get() == 0);
    CHECK(h.stack.counters().rst_to_closed_port.get() == 4);
    H h2;
    h2.make_established();
    h2.send({.flags = RST, .seq = kCisn + 70000});  // outside the window
    CHECK(h2.out.empty());
    CHECK(h2.state() == State::Established);
    CHECK(h2.stack.counters().rst_out_of_window.get() == 1);
}

TEST_CASE("LISTEN: an ACK gets <SEQ=SEG.ACK><CTL=RST>", "[tcp][rst]") {
    H h;
    h.send({.flags = ACK, .seq = 1, .ack = 4242});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = 4242});
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.counters().listen_ack_rst.get() == 1);
}

TEST_CASE("SYN_RCVD: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>, entry kept", "[tcp][rst]") {
    H h;
    h.make_syn_rcvd();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 7});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = h.iss + 7});
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss});  // acknowledges nothing
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = h.iss});
    CHECK(h.state() == State::SynRcvd);
    CHECK(h.stack.counters().synrcvd_bad_ack.get() == 2);
    CHECK(h.app.events.empty());
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    CHECK(h.state() == State::Established);
}

TEST_CASE("SYN_RCVD: an exact RST removes the half-open entry silently", "[tcp][rst]") {
    H h;
    h.make_syn_rcvd();
    h.send({.flags = RST, .seq = kCisn + 1});
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.stack.half_open(80) == 0);
    CHECK(h.stack.armed_timers() == 0);
    CHECK(h.app.events.empty());
}

TEST_CASE("ESTABLISHED: RST exactly at RCV.NXT resets the connection", "[tcp][rst]") {
    H h;
    h.make_established();
    h.send({.flags = RST, .seq = kCisn + 1});
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.app.events == std::vector<std::string>{"open", "closed:reset"});
    CHECK(h.stack.counters().conn_reset.get() == 1);
}

TEST_CASE("RFC 5961 3.2: an in-window RST that is not exact gets a challenge ACK",
          "[tcp][rst][rfc5961]") {
    H h;
    h.make_established();
    h.send({.flags = RST, .seq = kCisn + 1000});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    CHECK(h.state() == State::Established);
    CHECK(h.stack.counters().challenge_acks.get() == 1);
    // The real peer answers the challenge with an exact RST.
    h.send({.flags = RST, .seq = kCisn + 1});
    CHECK(h.state() == State::Closed);
}

TEST_CASE("RFC 5961 4.2: a SYN in a synchronized state gets a challenge ACK",
          "[tcp][rst][rfc5961]") {
    H h;
    h.make_established();
    SECTION("in window") { h.send({.flags = SYN, .seq = kCisn + 10}); }
    SECTION("out of window") { h.send({.flags = SYN, .seq = kCisn - 50000}); }
    SECTION("the old ISN") { h.send({.flags = SYN, .seq = kCisn}); }
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    CHECK(h.state() == State::Established);
    CHECK(h.stack.counters().challenge_acks.get() == 1);
}

TEST_CASE("RFC 5961 7: challenge ACKs are rate-limited per core per second",
          "[tcp][rst][rfc5961]") {
    Tunables c = small_config();
    c.challenge_ack_limit = 3;
    H h(c);
    h.make_established();
    h.now_ms = (h.now_ms / 1000 + 1) * 1000;  // start of a second
    size_t sent = 0;
    for (int i = 0; i < 5; ++i)
        sent += h.send({.flags = RST, .seq = kCisn + 100 + uint32_t(i)}).size();
    CHECK(sent == 3);
    CHECK(h.stack.counters().challenge_ack_limited.get() == 2);
    h.now_ms += 999;
    CHECK(h.send({.flags = SYN, .seq = kCisn}).size() == 0);  // same second
    h.now_ms += 1;
    CHECK(h.send({.flags = SYN, .seq = kCisn}).size() == 1);  // next second
    CHECK(h.state() == State::Established);
}

TEST_CASE("RFC 5961 5.2: ACKs outside [SND.UNA - MAX.SND.WND, SND.NXT] are dropped",
          "[tcp][rst][rfc5961]") {
    H h;
    h.make_established();
    SECTION("acknowledging data never sent") {
        h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 2, .data = "x"});
    }
    SECTION("too old: below SND.UNA - MAX.SND.WND") {
        h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1 - 65536, .data = "x"});
    }
    REQUIRE(h.out.size() == 1);  // an ACK, as a (rate-limited) challenge
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    CHECK(h.app.received.empty());  // the segment was dropped
    CHECK(h.stack.counters().bad_ack_drops.get() == 1);
}

TEST_CASE("an old duplicate ACK within MAX.SND.WND is fine", "[tcp][rst][rfc5961]") {
    H h;
    h.make_established();
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1 - 65535, .data = "x"});
    CHECK(h.app.received == "x");
    CHECK(h.stack.counters().bad_ack_drops.get() == 0);
}

TEST_CASE("sequence check: unacceptable segments are ACKed and dropped", "[tcp][rst]") {
    H h;
    h.make_established();
    SECTION("beyond the window") {
        h.send({.flags = ACK, .seq = kCisn + 1 + 65535, .ack = h.iss + 1, .data = "x"});
    }
    SECTION("entirely old") {
        h.send({.flags = ACK, .seq = kCisn - 10, .ack = h.iss + 1, .data = "old"});
    }
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    CHECK(h.app.received.empty());
    CHECK(h.stack.counters().out_of_window.get() == 1);
}

TEST_CASE("a segment without ACK in a synchronized state is dropped", "[tcp][rst]") {
    H h;
    h.make_established();
    h.send({.flags = PSH, .seq = kCisn + 1, .data = "x"});
    CHECK(h.out.empty());
    CHECK(h.app.received.empty());
    CHECK(h.stack.counters().no_ack_drops.get() == 1);
}

// ---------------------------------------------------------------- PAWS

TEST_CASE("PAWS (RFC 7323 5): an old TSval is ACKed and dropped", "[tcp][paws]") {
    H h;
    const uint32_t ours = h.make_established_ts(100);  // TS.Recent = 101
    h.send(ts_data(h, kCisn + 1, 90, ours, "dup"));
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], ts_ack(h, kCisn + 1, ours, 101));
    CHECK(h.app.received.empty());
    CHECK(h.stack.counters().paws_drops.get() == 1);

    // An equal or newer TSval passes and becomes TS.Recent.
    h.send(ts_data(h, kCisn + 1, 101, ours, "a"));
    CHECK(h.app.received == "a");
    h.send(ts_data(h, kCisn + 2, 150, ours, "b"));
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].opt.ts_ecr == 150);
    CHECK(h.app.received == "ab");
}

TEST_CASE("PAWS compares timestamps modulo 2^32", "[tcp][paws]") {
    H h;
    const uint32_t ours = h.make_established_ts(0xFFFFFFF0u);  // TS.Recent = 0xFFFFFFF1
    h.send(ts_data(h, kCisn + 1, 5, ours, "w"));
    CHECK(h.app.received == "w");
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].opt.ts_ecr == 5);
}

TEST_CASE("PAWS does not block an exact RST", "[tcp][paws]") {
    H h;
    const uint32_t ours = h.make_established_ts(1000);
    h.send({.flags = RST, .seq = kCisn + 1, .opt = ts_opt(1, ours)});
    CHECK(h.state() == State::Closed);
}

TEST_CASE(
    "TS.Recent follows only acceptable ACKs (RFC 7323 4.3): a blind bogus ACK cannot wedge PAWS",
    "[tcp][paws]") {
    H h;
    const uint32_t ours = h.make_established_ts(100);  // TS.Recent = 101
    // In the window, but acknowledging data never sent, with a TSval far
    // ahead: dropped with a challenge ACK that still echoes 101.
    h.send({.flags = ACK | PSH,
            .seq = kCisn + 1,
            .ack = h.iss + 1000,
            .opt = ts_opt(0x70000000u, ours),
            .data = "x"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], ts_ack(h, kCisn + 1, ours, 101));
    CHECK(h.stack.counters().bad_ack_drops.get() == 1);
    // The real peer's next segment, with its own clock, is not PAWS-dropped.
    h.send(ts_data(h, kCisn + 1, 102, ours, "a"));
    CHECK(h.app.received == "a");
    CHECK(h.stack.counters().paws_drops.get() == 0);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], ts_ack(h, kCisn + 2, ours, 102));
}

TEST_CASE("PAWS: TS.Recent idle for 24 days is invalid (RFC 7323 5.5)", "[tcp][paws]") {
    H h;
    const uint32_t ours = h.make_established_ts(100);  // TS.Recent = 101, stamped now
    const uint64_t t0 = h.now_ms;
    constexpr uint64_t k24Days = 24ull * 86400 * 1000;
    // A second short of 24 days: an older TSval is still PAWS-dropped.
    h.advance_to(t0 + k24Days - 1000);
    h.send(ts_data(h, kCisn + 1, 50, ours, "a"));
    CHECK(h.app.received.empty());
    CHECK(h.stack.counters().paws_drops.get() == 1);
    // 24 days: TS.Recent no longer counts; the segment is taken and its
    // TSval becomes TS.Recent.
    h.advance_to(t0 + k24Days);
    h.send(ts_data(h, kCisn + 1, 50, ours, "a"));
    CHECK(h.app.received == "a");
    CHECK(h.stack.counters().paws_drops.get() == 1);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].ack.raw() == kCisn + 2);
    CHECK(h.out[0].opt.ts_ecr == 50);
    // ... and is judged as usual from then on.
    h.send(ts_data(h, kCisn + 2, 49, ours, "b"));
    CHECK(h.app.received == "a");
    CHECK(h.stack.counters().paws_drops.get() == 2);
}
