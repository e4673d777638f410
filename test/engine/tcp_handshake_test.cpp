// The passive open through a Worker: the exact SYN-ACK, ESTABLISHED after
// the third ACK, the SYN-ACK's retransmission schedule on the virtual
// clock, and the stateless handshake of a SYN cookie (tcp.syncookies=2).
#include <catch2/catch.hpp>

#include "tcp_peer.h"
#include "util/syncookie.h"

using namespace tern;
using namespace tern::test;
using tcp::State;

TEST_CASE("three-way handshake to the echo listener: the exact SYN-ACK, then ESTABLISHED",
          "[engine][tcp]") {
    // tcp.rcv_wnd 262,144 does not fit 16 bits: the worker offers window
    // scale 3 (the smallest shift that fits, RFC 7323 2.3).
    Rig r("tcp_hs", {"listen.port=7", "listen.app=echo", "tcp.rcv_wnd=262144"});
    Peer p(r, 40001, 7);
    p.open(3);  // a SYN's window (65,535) is never scaled
    CHECK(r.stack().state_of(p.tuple()) == State::SynRcvd);
    CHECK(r.stack().half_open(7) == 1);
    CHECK(r.tcp().passive_opens.get() == 1);
    CHECK(r.tcp().syncookies_sent.get() == 0);
    CHECK(r.w().counters().half_open_conns.get() == 1);
    CHECK(r.w().counters().live_conns.get() == 1);

    // The third ACK, 2 ms later: nothing to send.
    CHECK(p.exchange({p.segment(kAck, 1, 1)}, 2000).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::Established);
    const tcp::Conn* c = r.stack().find(p.tuple());
    REQUIRE(c);
    CHECK(c->state() == State::Established);
    CHECK(c->tuple() == p.tuple());
    CHECK(r.stack().half_open(7) == 0);
    CHECK(r.tcp().established.get() == 1);
    CHECK(r.tcp().segments_in.get() == 2);
    CHECK(r.tcp().segments_out.get() == 1);
    CHECK(r.w().counters().half_open_conns.get() == 0);
    CHECK(r.w().counters().live_conns.get() == 1);
    CHECK(r.w().counters().rx_packets.get() == 2);
    CHECK(r.w().counters().tcp_segments.get() == 2);
    CHECK(r.w().counters().tx_packets.get() == 1);

    // One byte, echoed: our window is scaled now, by 3. The echo offers
    // what its send buffer (tcp.wmem 65,536) has left: 65,535 bytes,
    // rounded down to the scale: 8191 << 3.
    p.echo(1, 1, "x", 8191);
    CHECK(r.stack().check_invariants() == "");
    CHECK(r.rp.mbufs_in_use() == 0);
}

TEST_CASE("an unanswered SYN-ACK is sent again at 1 s and 3 s, then the half-open entry goes",
          "[engine][tcp]") {
    Rig r("tcp_hs_rtx", {"listen.port=7", "listen.app=echo", "tcp.synack_retries=2"});
    Peer p(r, 40002, 7);
    p.open();
    const uint64_t t0 = r.now_us;

    // RFC 6298 backoff from the first SYN-ACK: due at +1 s, then +3 s (the
    // same segment, only the TSval moves with the clock), then the entry
    // goes at +7 s (tcp.synack_retries = 2).
    CHECK(p.advance(t0 + 999'000 - r.now_us).empty());
    auto out = p.advance(1000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect_synack());
    CHECK(r.tcp().synack_retransmits.get() == 1);
    CHECK(p.advance(t0 + 2'999'000 - r.now_us).empty());
    out = p.advance(1000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect_synack());
    CHECK(r.tcp().synack_retransmits.get() == 2);
    CHECK(r.stack().state_of(p.tuple()) == State::SynRcvd);
    CHECK(p.advance(t0 + 6'999'000 - r.now_us).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::SynRcvd);
    CHECK(p.advance(1000).empty());  // silently: tcp.synack_fail_rst is off
    CHECK(r.stack().state_of(p.tuple()) == State::Closed);
    CHECK(r.tcp().synack_timeouts.get() == 1);
    CHECK(r.stack().half_open(7) == 0);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.w().counters().half_open_conns.get() == 0);
    CHECK(r.stack().check_invariants() == "");
}

TEST_CASE("a SYN cookie handshake (tcp.syncookies=2): no state until the ACK, then every option "
          "the SYN offered",
          "[engine][tcp][cookie]") {
    Rig r("tcp_cookie", {"listen.port=7", "listen.app=echo", "tcp.syncookies=2",
                         "tcp.rcv_wnd=262144"});
    Peer p(r, 40003, 7);
    p.syn_opts.mss = 1400;  // a VXLAN path: the cookie's MSS table has it (index 3)
    p.window = 12;          // x 128 (wscale 7): 1,536 bytes; unscaled it would be 12
    p.open(3);
    const uint32_t cookie = p.iss, cookie_ts = p.ts_base;
    // What the cookie carries (util/syncookie.h, timestamp encoding): the
    // MSS index in the ISN's low 3 bits; in the TSval's low 6 bits the
    // peer's window scale (7) and SACK-permitted (bit 4).
    static_assert(util::syncookie::kMssTable[3] == 1400);
    CHECK((cookie & 7) == 3);
    CHECK((cookie_ts & 0x3f) == (7 | 0x10));
    // Nothing kept.
    CHECK(r.stack().state_of(p.tuple()) == State::Closed);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.stack().half_open(7) == 0);
    CHECK(r.tcp().syncookies_sent.get() == 1);
    CHECK(r.tcp().passive_opens.get() == 0);

    // The ACK 3 ms later echoes the cookie's TSval: ESTABLISHED.
    CHECK(p.exchange({p.segment(kAck, 1, 1)}, 3000).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::Established);
    CHECK(r.tcp().syncookies_ok.get() == 1);
    CHECK(r.tcp().syncookies_failed.get() == 0);
    CHECK(r.tcp().established.get() == 1);
    CHECK(r.stack().live_tcbs() == 1);
    // The connection's TS clock continues from the TSval the ACK echoed,
    // read at the ACK (not from the SYN-ACK's time: the cookie's TSval was
    // rounded down, and may be another node's).
    p.ts_base = cookie_ts;
    p.ts_base_ms = r.now_ms();

    // 1,448 bytes (our MSS 1460 less TS) 2 ms later. The echo comes back in
    // segments of the cookie's MSS, 1400 less TS: 1388 + 60, both within the
    // peer's 1,536-byte window (its scale survived). Our window: the echo's
    // send space, 65,536 - 1,448 = 64,088 = 8011 << 3.
    std::string data(1448, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = char('a' + i % 26);
    auto out = p.exchange({p.segment(kAck | kPsh, 1, 1, data)}, 2000);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == p.expect(kAck, 1, 1449, 8011, std::string_view(data).substr(0, 1388)));
    CHECK(out[1] == p.expect(kAck | kPsh, 1389, 1449, 8011, std::string_view(data).substr(1388)));

    // The peer acknowledges it all: the send buffer is empty again, and
    // the window opened by more than an MSS: a window update (65,536 bytes).
    out = p.exchange({p.segment(kAck, 1449, 1449)}, 1000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kAck, 1449, 1449, 8192));

    // SACK survived the cookie: 100 bytes beyond a 100-byte hole are held
    // and reported in a SACK block. The TSecr stays the last in-order
    // segment's (RFC 7323 4.3: TS.Recent moves only at RCV.NXT or below).
    const uint32_t in_order_ts = p.ts_sent;
    out = p.exchange({p.segment(kAck | kPsh, 1549, 1449, std::string(100, 'B'))}, 1000);
    REQUIRE(out.size() == 1);
    SentSegment e = p.expect(kAck, 1449, 1449, 8192);
    e.opt.ts->ecr = in_order_ts;
    e.opt.sack = {{p.isn + 1549, p.isn + 1649}};
    CHECK(out[0] == e);
    CHECK(r.tcp().ooo_queued.get() == 1);
    // The hole filled: both echoed in one segment.
    out = p.exchange({p.segment(kAck | kPsh, 1449, 1449, std::string(100, 'A'))}, 1000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kAck | kPsh, 1449, 1649, 8167,
                             std::string(100, 'A') + std::string(100, 'B')));
    CHECK(r.tcp().ooo_delivered.get() == 1);
    CHECK(r.stack().check_invariants() == "");
}
