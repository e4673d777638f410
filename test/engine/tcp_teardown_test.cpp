// Both orderly teardowns through a Worker (RFC 9293 3.6): the client
// closes first (echo answers its FIN with its own: CLOSE_WAIT, LAST_ACK,
// gone; TIME_WAIT is the client's), and the server closes first (http with
// "Connection: close": FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT for 2*MSL on the
// virtual clock, a retransmitted FIN re-ACKed and the 2MSL restarted).
#include <catch2/catch.hpp>

#include "tcp_peer.h"

using namespace tern;
using namespace tern::test;
using tcp::State;

TEST_CASE("the client closes first: our FIN once echo closes, the last ACK ends it, no TIME_WAIT "
          "here",
          "[engine][tcp][teardown]") {
    Rig r("tcp_close_c", {"listen.port=7", "listen.app=echo"});
    Peer p(r, 40020, 7);
    p.connect();
    p.echo(1, 1, "bye", 65533);

    // The client's FIN (acknowledging the echo): echo closes in
    // on_peer_closed, so its FIN carries the ACK of the client's. The
    // window is the listener's whole tcp.rcv_wnd again: after a FIN the
    // echo takes no more bytes, so it sets no limit.
    auto out = p.exchange({p.segment(kFin | kAck, 4, 4)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kFin | kAck, 4, 5, 65535));
    CHECK(r.stack().state_of(p.tuple()) == State::LastAck);
    CHECK(r.tcp().peer_fins.get() == 1);

    // The client's last ACK is lost: our FIN goes again after the RTO,
    // tcp.rto_min_ms (200 ms: every RTT sample so far was 1 ms).
    CHECK(p.advance(199'000).empty());
    out = p.advance(1000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kFin | kAck, 4, 5, 65535));
    CHECK(r.tcp().retransmits.get() == 1);
    // The client, in TIME_WAIT, acknowledges it again: the connection is
    // gone, without a TIME_WAIT record on this side.
    CHECK(p.exchange({p.segment(kAck, 5, 5)}).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::Closed);
    CHECK(r.stack().find(p.tuple()) == nullptr);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().time_wait_records() == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.stack().armed_timers() == 0);
    CHECK(r.tcp().conn_closed.get() == 1);
    CHECK(r.tcp().tw_created.get() == 0);
    CHECK(r.w().counters().live_conns.get() == 0);
    CHECK(r.w().counters().time_wait_conns.get() == 0);
    CHECK(r.w().counters().chunks_in_use.get() == 0);

    // Nothing is left to answer a late segment on the tuple: the closed-port
    // rule with the listener's (3.10.7.2): RST at the segment's ACK number.
    out = p.exchange({p.segment(kAck, 5, 5)});
    REQUIRE(out.size() == 1);
    SentSegment e = p.expect(kRst, 5, 0, 0);
    e.opt = {};
    CHECK(out[0] == e);
    CHECK(r.tcp().listen_ack_rst.get() == 1);
    CHECK(r.stack().check_invariants() == "");
    CHECK(r.rp.mbufs_in_use() == 0);
}

TEST_CASE("the server closes first (http, Connection: close): TIME_WAIT here for 2*MSL, a "
          "retransmitted FIN re-ACKed",
          "[engine][tcp][teardown]") {
    Rig r("tcp_close_s", {"listen.port=80", "listen.app=http", "tcp.msl_ms=50"});
    Peer p(r, 40021, 80);
    p.connect();
    const std::string req = "GET / HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n";
    const std::string resp =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
        "Connection: close\r\n\r\nhello from tern\n";
    const uint32_t L = uint32_t(req.size()), R = uint32_t(resp.size());

    // The answer and our FIN in one segment; the request is complete, so
    // http sets no limit on the window.
    auto out = p.exchange({p.segment(kAck | kPsh, 1, 1, req)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kFin | kAck | kPsh, 1, 1 + L, 65535, resp));
    CHECK(r.stack().state_of(p.tuple()) == State::FinWait1);

    // The client acknowledges the answer and the FIN: FIN_WAIT_2.
    CHECK(p.exchange({p.segment(kAck, 1 + L, R + 2)}).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::FinWait2);

    // The client's FIN: our ACK, and the connection becomes a TIME_WAIT
    // record (the TCB is freed).
    out = p.exchange({p.segment(kFin | kAck, 1 + L, R + 2)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kAck, R + 2, L + 2, 65535));
    CHECK(r.stack().state_of(p.tuple()) == State::TimeWait);
    CHECK(r.stack().find(p.tuple()) == nullptr);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().time_wait_records() == 1);
    CHECK(r.tcp().tw_created.get() == 1);
    CHECK(r.w().counters().live_conns.get() == 0);
    CHECK(r.w().counters().time_wait_conns.get() == 1);

    // Our ACK was lost: the client sends its FIN again 40 ms later. The
    // record answers the same ACK and restarts 2*MSL from now.
    out = p.exchange({p.segment(kFin | kAck, 1 + L, R + 2)}, 40'000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kAck, R + 2, L + 2, 65535));
    CHECK(r.tcp().tw_fin_reack.get() == 1);
    const uint64_t restarted = r.now_us;

    // 2*MSL = 100 ms after the retransmitted FIN, not after the first.
    CHECK(p.advance(restarted + 99'000 - r.now_us).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::TimeWait);
    CHECK(r.tcp().tw_expired.get() == 0);
    CHECK(p.advance(1000).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::Closed);
    CHECK(r.tcp().tw_expired.get() == 1);
    CHECK(r.stack().time_wait_records() == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.stack().armed_timers() == 0);
    CHECK(r.w().counters().time_wait_conns.get() == 0);
    CHECK(r.w().counters().chunks_in_use.get() == 0);
    CHECK(r.tcp().conn_closed.get() == 1);
    CHECK(r.stack().check_invariants() == "");
    CHECK(r.rp.mbufs_in_use() == 0);
}
