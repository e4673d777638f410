// Resets through a Worker: what it answers with no connection (RFC 9293
// 3.10.7.1-2) and how it takes a RST on one (RFC 5961 3.2: only the exact
// RCV.NXT resets; elsewhere in the window, a challenge ACK).
#include <catch2/catch.hpp>

#include "tcp_peer.h"

using namespace tern;
using namespace tern::test;
using tcp::State;

TEST_CASE("a SYN to a closed port gets RST/ACK with ack = seq + 1; a RST gets nothing",
          "[engine][tcp][rst]") {
    Rig r("tcp_rst_closed", {"listen.port=7", "listen.app=echo"});
    Peer p(r, 40030, 9);  // nothing listens on 9
    auto out = p.exchange({p.syn()});
    REQUIRE(out.size() == 1);
    // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>: no window, no options.
    SentSegment e = p.expect(kRst | kAck, 0, 1, 0);
    e.opt = {};
    CHECK(out[0] == e);
    CHECK(r.tcp().no_listener.get() == 1);
    CHECK(r.tcp().rst_sent.get() == 1);

    // A SYN carrying 5 bytes: they count in SEG.LEN.
    PeerSegment s = p.base(kSyn, 0, 0);
    s.ack = 0;
    s.payload = bytes("hello");
    out = p.exchange({p.frame(s)});
    REQUIRE(out.size() == 1);
    e = p.expect(kRst | kAck, 0, 6, 0);
    e.opt = {};
    CHECK(out[0] == e);

    // Never a RST for a RST.
    p.ts = false;
    CHECK(p.exchange({p.segment(kRst, 1, 0)}).empty());
    CHECK(r.tcp().rst_to_closed_port.get() == 1);
    CHECK(r.tcp().rst_sent.get() == 2);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.w().counters().tx_packets.get() == 2);
    CHECK(r.rp.mbufs_in_use() == 0);
}

TEST_CASE("an ACK to a listener with no cookie state gets RST with seq = its ACK number",
          "[engine][tcp][rst]") {
    SECTION("tcp.syncookies=1, no cookie sent: not even checked as one") {
        Rig r("tcp_rst_listen1", {"listen.port=7", "listen.app=echo"});
        Peer p(r, 40031, 7);
        p.iss = 0x12345678;  // an ACK number the worker never gave out
        auto out = p.exchange({p.segment(kAck, 1, 1)});
        REQUIRE(out.size() == 1);
        // <SEQ=SEG.ACK><CTL=RST>
        SentSegment e = p.expect(kRst, 1, 0, 0);
        e.opt = {};
        CHECK(out[0] == e);
        CHECK(out[0].seq == 0x12345679);
        CHECK(r.tcp().listen_ack_rst.get() == 1);
        CHECK(r.tcp().syncookies_failed.get() == 0);
        CHECK(r.tcp().syncookies_ok.get() == 0);
        CHECK(r.stack().live_tcbs() == 0);
    }
    SECTION("tcp.syncookies=2: checked as a cookie, refused, the same RST") {
        Rig r("tcp_rst_listen2", {"listen.port=7", "listen.app=echo", "tcp.syncookies=2"});
        Peer p(r, 40032, 7);
        p.iss = 0x12345678;
        auto out = p.exchange({p.segment(kAck | kPsh, 1, 1, "data")});
        REQUIRE(out.size() == 1);
        SentSegment e = p.expect(kRst, 1, 0, 0);
        e.opt = {};
        CHECK(out[0] == e);
        CHECK(r.tcp().listen_ack_rst.get() == 1);
        CHECK(r.tcp().syncookies_failed.get() == 1);
        CHECK(r.tcp().bytes_delivered.get() == 0);
        CHECK(r.stack().live_tcbs() == 0);
        CHECK(r.stack().flows() == 0);
    }
}

TEST_CASE("RST on a connection: one off RCV.NXT draws a challenge ACK, outside the window "
          "nothing, exactly RCV.NXT resets",
          "[engine][tcp][rst]") {
    Rig r("tcp_rst_conn", {"listen.port=7", "listen.app=echo"});
    Peer p(r, 40033, 7);
    p.connect();
    p.echo(1, 1, "abc", 65533);
    CHECK(p.exchange({p.segment(kAck, 4, 4)}).empty());
    // The challenge ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, echoing
    // TS.Recent, which neither RSTs nor SYNs move.
    const uint32_t ts_recent = p.ts_sent;
    auto challenge_ack = [&] {
        const bool ts = p.ts;
        p.ts = true;
        SentSegment e = p.expect(kAck, 4, 4, 65535);
        e.opt.ts->ecr = ts_recent;
        p.ts = ts;
        return e;
    };

    // RCV.NXT is 4 (relative). The RSTs carry no timestamp (as Linux's).
    p.ts = false;
    auto out = p.exchange({p.segment(kRst | kAck, 5, 4)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == challenge_ack());
    CHECK(r.tcp().challenge_acks.get() == 1);
    CHECK(r.stack().state_of(p.tuple()) == State::Established);

    // The window is 65,535: its last number draws a challenge ACK too; the
    // next one is outside, dropped silently (RFC 5961 3.2).
    out = p.exchange({p.segment(kRst, 4 + 65534, 0)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == challenge_ack());
    CHECK(p.exchange({p.segment(kRst, 4 + 65535, 0)}).empty());
    CHECK(r.tcp().challenge_acks.get() == 2);
    CHECK(r.tcp().rst_out_of_window.get() == 1);
    CHECK(r.stack().state_of(p.tuple()) == State::Established);

    // A SYN on the connection: a challenge ACK as well (RFC 5961 4.2).
    p.ts = true;
    out = p.exchange({p.segment(kSyn, 100, 0)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == challenge_ack());
    CHECK(r.tcp().syn_in_window.get() == 1);
    CHECK(r.tcp().challenge_acks.get() == 3);

    // Exactly RCV.NXT: the connection is reset; nothing is sent.
    p.ts = false;
    CHECK(p.exchange({p.segment(kRst, 4, 0)}).empty());
    CHECK(r.stack().state_of(p.tuple()) == State::Closed);
    CHECK(r.tcp().rst_received.get() == 1);
    CHECK(r.tcp().conn_reset.get() == 1);
    CHECK(r.tcp().conn_closed.get() == 1);
    CHECK(r.tcp().rst_sent.get() == 0);
    CHECK(r.stack().live_tcbs() == 0);
    CHECK(r.stack().time_wait_records() == 0);
    CHECK(r.stack().flows() == 0);
    CHECK(r.stack().armed_timers() == 0);
    CHECK(r.w().counters().live_conns.get() == 0);
    CHECK(r.stack().check_invariants() == "");
    CHECK(r.rp.mbufs_in_use() == 0);
}
