// SYN cookies through the Stack (issue 4 item 5): tcp.syncookies 0/1/2, no
// state for a cookie SYN, every offered option kept, data on the cookie
// ACK delivered, forged ACKs rejected.
#include "harness.h"

using namespace tcptest;

namespace {

TcpOptions full_offer(uint32_t ts_val) {
    TcpOptions o = mss_opt(1400);
    o.has_wscale = true;
    o.wscale = 7;
    o.sack_permitted = true;
    o.has_timestamp = true;
    o.ts_val = ts_val;
    return o;
}

Config cookie_config(uint8_t mode, uint32_t backlog = 4096) {
    Config c = small_config();
    c.syncookies = mode;
    c.max_syn_backlog = backlog;
    return c;
}

// After a cookie handshake on kTuple: check MSS (1400 - 12 for TSopt),
// window scale (peer window 100 << 7) and SACK, all recovered from the cookie.
void check_options_kept(H& h, uint32_t iss, uint32_t our_ts, bool ts) {
    const std::string big(3000, 'q');
    TcpOptions o = ts ? ts_opt(300, our_ts) : TcpOptions{};
    h.send(
        {.flags = ACK, .seq = kCisn + 1, .ack = iss + 1, .window = 100, .opt = o});  // 12800 bytes
    h.app.conn->send(reinterpret_cast<const uint8_t*>(big.data()), big.size());
    h.flush();
    REQUIRE(h.out.size() == 3);
    CHECK(h.out[0].total_payload() == (ts ? 1388u : 1400u));
    CHECK(h.out[0].opt.has_timestamp == ts);
    // A hole in what the client sends: the dup ACK carries a SACK block.
    h.send({.flags = ACK,
            .seq = kCisn + 11,
            .ack = iss + 1,
            .window = 100,
            .opt = o,
            .data = "later"});
    REQUIRE(h.out.size() == 1);
    REQUIRE(h.out[0].opt.sack_count == 1);
    CHECK(h.out[0].opt.sack[0].left.raw() == kCisn + 11);
}

}  // namespace

TEST_CASE("tcp.syncookies = 2: no half-open state; the cookie ACK establishes with every option",
          "[tcp][syncookie]") {
    H h(cookie_config(2));
    h.send({.flags = SYN, .seq = kCisn, .opt = full_offer(100), .data = "ignored"});
    REQUIRE(h.out.size() == 1);
    const OutSegment sa = h.out[0];
    const uint32_t iss = sa.seq.raw();
    TcpOptions e = mss_opt();
    e.has_wscale = true;
    e.wscale = 0;
    e.sack_permitted = true;
    e.has_timestamp = true;
    e.ts_val = sa.opt.ts_val;
    e.ts_ecr = 100;
    expect(sa, {.flags = SYN | ACK, .seq = iss, .ack = kCisn + 1, .window = 65535, .opt = e});
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.flows() == 0);
    CHECK(h.stack.armed_timers() == 0);
    CHECK(h.stack.half_open(80) == 0);
    CHECK(h.stack.counters().syncookies_sent.get() == 1);

    // The third ACK carries a request: connection created and data delivered.
    h.now_ms += 30;
    h.send({.flags = ACK | PSH,
            .seq = kCisn + 1,
            .ack = iss + 1,
            .opt = ts_opt(101, sa.opt.ts_val),
            .data = "GET"});
    CHECK(h.state() == State::Established);
    CHECK(h.app.events == std::vector<std::string>{"open", "data:GET"});
    REQUIRE(h.out.size() == 1);
    // Our TSvals continue from the cookie's (never behind it).
    CHECK(int32_t(h.out[0].opt.ts_val - sa.opt.ts_val) >= 30);
    CHECK(h.out[0].opt.ts_ecr == 101);
    CHECK(h.out[0].ack.raw() == kCisn + 4);
    CHECK(h.stack.counters().syncookies_ok.get() == 1);
}

TEST_CASE("tcp.syncookies = 1: cookies only when the half-open queue is full", "[tcp][syncookie]") {
    H h(cookie_config(1, 1));
    // The first SYN gets a half-open entry, the next one a cookie.
    h.send({.flags = SYN, .seq = 5, .opt = mss_opt()}, client_tuple(1));
    CHECK(h.stack.half_open(80) == 1);
    CHECK(h.stack.counters().syncookies_sent.get() == 0);
    h.send({.flags = SYN, .seq = kCisn, .opt = full_offer(100)});
    REQUIRE(h.out.size() == 1);
    const uint32_t iss = h.out[0].seq.raw();
    const uint32_t our_ts = h.out[0].opt.ts_val;
    CHECK(h.stack.half_open(80) == 1);
    CHECK(h.stack.counters().syncookies_sent.get() == 1);
    CHECK(h.stack.live_tcbs() == 1);
    // MSS, window scale and SACK come back through the timestamp bits.
    check_options_kept(h, iss, our_ts, true);
    CHECK(h.state() == State::Established);
}

TEST_CASE("a cookie without timestamps still keeps window scale and SACK", "[tcp][syncookie]") {
    H h(cookie_config(2));
    TcpOptions o = full_offer(0);
    o.has_timestamp = false;
    h.send({.flags = SYN, .seq = kCisn, .opt = o});
    REQUIRE(h.out.size() == 1);
    CHECK(!h.out[0].opt.has_timestamp);
    CHECK(h.out[0].opt.has_wscale);
    CHECK(h.out[0].opt.sack_permitted);
    check_options_kept(h, h.out[0].seq.raw(), 0, false);
}

TEST_CASE("forged or stale cookie ACKs are rejected with a RST", "[tcp][syncookie]") {
    H h(cookie_config(2));
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
    const uint32_t iss = h.out[0].seq.raw();
    SECTION("one bit off in the ACK number") {
        h.send({.flags = ACK, .seq = kCisn + 1, .ack = (iss ^ 0x100) + 1});
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = RST, .seq = (iss ^ 0x100) + 1});
    }
    SECTION("another tuple") {
        h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1}, client_tuple(3));
        REQUIRE(h.out.size() == 1);
        CHECK(h.out[0].flags == RST);
    }
    SECTION("a different client ISN") {
        h.send({.flags = ACK, .seq = kCisn + 2, .ack = iss + 1});
        REQUIRE(h.out.size() == 1);
        CHECK(h.out[0].flags == RST);
    }
    SECTION("two cookie periods later") {
        h.now_ms += 2 * 64'000 + 64'000;
        h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1});
        REQUIRE(h.out.size() == 1);
        CHECK(h.out[0].flags == RST);
    }
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.counters().syncookies_failed.get() == 1);
}

TEST_CASE("a cookie ACK in the previous period is accepted", "[tcp][syncookie]") {
    H h(cookie_config(2));
    h.now_ms = 64'000 * 100 + 63'999;  // the last ms of a period
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
    const uint32_t iss = h.out[0].seq.raw();
    h.now_ms += 2;  // next period
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss + 1});
    CHECK(h.out.empty());
    CHECK(h.state() == State::Established);
}

TEST_CASE("tcp.syncookies = 1 without recent overflow: ACKs are not cookie candidates",
          "[tcp][syncookie]") {
    H h(cookie_config(1));
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = 12345});
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].flags == RST);
    CHECK(h.stack.counters().syncookies_failed.get() == 0);  // not even checked
}

TEST_CASE("tcp.syncookies = 1 also covers an exhausted TCB pool", "[tcp][syncookie]") {
    Config c = cookie_config(1);
    c.max_tcbs = 1;
    H h(c);
    h.send({.flags = SYN, .seq = 5, .opt = mss_opt()}, client_tuple(1));
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
    REQUIRE(h.out.size() == 1);
    CHECK(h.stack.counters().syncookies_sent.get() == 1);
    CHECK(h.stack.counters().pool_exhausted.get() == 0);
}
