// Data transfer (issue 3 item 5): in-order delivery exactly once, the
// out-of-order queue, sending within the peer's window, retransmission on
// RTO (RFC 6298: estimator, Karn, backoff, retry limit).
#include "harness.h"

using namespace tcptest;

namespace {

size_t app_send(H& h, const std::string& s) {
    return h.app.conn->send(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char('a' + (i * 7 + i / 26) % 26);
    return s;
}

}  // namespace

TEST_CASE("in-order data is delivered once and every data segment is ACKed", "[tcp][data]") {
    H h;
    h.make_established();
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "abc"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 4, .window = 65535});
    h.send({.flags = ACK | PSH, .seq = kCisn + 4, .ack = h.iss + 1, .data = "de"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 6, .window = 65535});
    // A retransmission of bytes already received: ACKed, not delivered.
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "abc"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 6, .window = 65535});
    // Partly old, partly new: only the new part is delivered.
    h.send({.flags = ACK | PSH, .seq = kCisn + 4, .ack = h.iss + 1, .data = "defg"});
    CHECK(h.app.received == "abcdefg");
    CHECK(h.app.events == std::vector<std::string>{"open", "data:abc", "data:de", "data:fg"});
    // A pure ACK needs no answer.
    h.send({.flags = ACK, .seq = kCisn + 8, .ack = h.iss + 1});
    CHECK(h.out.empty());
}

TEST_CASE("out-of-order segments are held and delivered in order exactly once",
          "[tcp][data][ooo]") {
    H h;
    h.make_established();
    // 3rd and 2nd segments first: each answered with a duplicate ACK.
    h.send({.flags = ACK, .seq = kCisn + 7, .ack = h.iss + 1, .data = "ghi"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    h.send({.flags = ACK, .seq = kCisn + 4, .ack = h.iss + 1, .data = "def"});
    h.send({.flags = ACK, .seq = kCisn + 4, .ack = h.iss + 1, .data = "def"});  // duplicate
    CHECK(h.app.received.empty());
    CHECK(h.stack.counters().ooo_queued.get() == 2);
    CHECK(h.stack.chunks_in_use() == 2);
    // The gap fills: everything, in order, once.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .data = "abc"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 10, .window = 65535});
    CHECK(h.app.events == std::vector<std::string>{"open", "data:abc", "data:def", "data:ghi"});
    CHECK(h.stack.counters().ooo_delivered.get() == 2);
    // Late duplicates of held segments deliver nothing.
    h.send({.flags = ACK, .seq = kCisn + 4, .ack = h.iss + 1, .data = "def"});
    CHECK(h.app.received == "abcdefghi");
    h.flush();
    CHECK(h.stack.chunks_in_use() == 0);
}

TEST_CASE("overlapping held segments are trimmed against RCV.NXT", "[tcp][data][ooo]") {
    H h;
    h.make_established();
    h.send({.flags = ACK, .seq = kCisn + 3, .ack = h.iss + 1, .data = "cdef"});
    h.send({.flags = ACK, .seq = kCisn + 5, .ack = h.iss + 1, .data = "efgh"});
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .data = "abcd"});
    CHECK(h.app.received == "abcdefgh");
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].ack.raw() == kCisn + 9);
}

TEST_CASE("dup ACKs carry SACK blocks for held data when SACK is on", "[tcp][data][ooo][sack]") {
    H h;
    TcpOptions o = mss_opt();
    o.sack_permitted = true;
    h.send({.flags = SYN, .seq = kCisn, .opt = o});
    h.iss = h.out[0].seq.raw();
    CHECK(h.out[0].opt.sack_permitted);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    h.send({.flags = ACK, .seq = kCisn + 11, .ack = h.iss + 1, .data = "kl"});
    h.send({.flags = ACK, .seq = kCisn + 21, .ack = h.iss + 1, .data = "uv"});
    h.send({.flags = ACK, .seq = kCisn + 13, .ack = h.iss + 1, .data = "mn"});
    REQUIRE(h.out.size() == 1);
    Exp e{.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535};
    e.opt.sack_count = 2;
    e.opt.sack[0] = SackBlock{SeqNum(kCisn + 11), SeqNum(kCisn + 15)};
    e.opt.sack[1] = SackBlock{SeqNum(kCisn + 21), SeqNum(kCisn + 23)};
    expect(h.out[0], e);
}

TEST_CASE("the out-of-order queue is bounded; overflow is dropped and counted",
          "[tcp][data][ooo]") {
    Tunables c = small_config();
    c.ooo_max_segments = 2;
    H h(c);
    h.make_established();
    h.send({.flags = ACK, .seq = kCisn + 3, .ack = h.iss + 1, .data = "c"});
    h.send({.flags = ACK, .seq = kCisn + 5, .ack = h.iss + 1, .data = "e"});
    h.send({.flags = ACK, .seq = kCisn + 4, .ack = h.iss + 1, .data = "d"});
    CHECK(h.stack.counters().ooo_dropped.get() == 1);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .data = "ab"});
    CHECK(h.app.received == "abc");
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].ack.raw() == kCisn + 4);  // "d" must come again
    h.send({.flags = ACK, .seq = kCisn + 4, .ack = h.iss + 1, .data = "d"});
    CHECK(h.app.received == "abcde");
}

TEST_CASE("a FIN held out of order closes once the gap fills", "[tcp][data][ooo]") {
    H h;
    h.make_established();
    h.send({.flags = FIN | ACK, .seq = kCisn + 2, .ack = h.iss + 1, .data = "b"});
    CHECK(h.state() == State::Established);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .data = "a"});
    CHECK(h.state() == State::CloseWait);
    CHECK(h.app.events == std::vector<std::string>{"open", "data:a", "data:b", "peer_closed"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 4, .window = 65535});
}

TEST_CASE("an app response from on_data rides on the ACK", "[tcp][data]") {
    H h;
    h.make_established();
    h.app.on_data_hook = [](Conn& c, const std::string&) {
        c.send(reinterpret_cast<const uint8_t*>("pong"), 4);
    };
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "ping"});
    REQUIRE(h.out.size() == 1);
    expect(
        h.out[0],
        {.flags = ACK | PSH, .seq = h.iss + 1, .ack = kCisn + 5, .window = 65535, .data = "pong"});
    CHECK(h.stack.armed_timers() == 1);  // RTO guards "pong"
    h.send({.flags = ACK, .seq = kCisn + 5, .ack = h.iss + 5});
    CHECK(h.out.empty());
    CHECK(h.stack.armed_timers() == 0);
}

TEST_CASE("large sends are cut into MSS segments across chunk boundaries", "[tcp][data]") {
    H h;
    h.make_established();
    const std::string big = pattern(5000);
    CHECK(app_send(h, big) == 5000);
    h.flush();
    REQUIRE(h.out.size() == 4);
    std::string seen;
    uint32_t seq = h.iss + 1;
    for (const OutSegment& s : h.out) {
        CHECK(s.seq.raw() == seq);
        seq += s.total_payload();
        seen += payload_of(s);
    }
    CHECK(h.out[0].total_payload() == 1460);
    CHECK(h.out[1].payload2_len > 0);  // spans chunks 0 and 1
    CHECK(h.out[3].total_payload() == 5000 - 3 * 1460);
    CHECK(h.out[3].flags == (ACK | PSH));
    CHECK(h.out[0].flags == ACK);
    CHECK(seen == big);
    // Everything acknowledged: no chunk stays with the connection.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 5001});
    h.flush();
    CHECK(h.stack.chunks_in_use() == 0);
}

TEST_CASE("sends stay within the peer's window and resume as it opens", "[tcp][data][window]") {
    H h;
    h.send({.flags = SYN, .seq = kCisn, .window = 1000, .opt = mss_opt()});
    h.iss = h.out[0].seq.raw();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .window = 1000});
    const std::string msg = pattern(3000);
    CHECK(app_send(h, msg) == 3000);
    h.flush();
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].total_payload() == 1000);
    // ACK of 500 bytes with the same window: 500 more may go.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 501, .window = 1000});
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].seq.raw() == h.iss + 1001);
    CHECK(h.out[0].total_payload() == 500);
    // A window update alone (same ACK, bigger window) releases the rest.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 501, .window = 5000});
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0].seq.raw() == h.iss + 1501);
    CHECK(h.out[0].total_payload() == 1460);
    CHECK(h.out[1].total_payload() == 40);
}

TEST_CASE("the peer's window is scaled by its shift", "[tcp][data][window]") {
    H h;
    TcpOptions o = mss_opt();
    o.has_wscale = true;
    o.wscale = 3;
    h.send({.flags = SYN, .seq = kCisn, .window = 65535, .opt = o});
    h.iss = h.out[0].seq.raw();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .window = 100});  // 800 bytes
    app_send(h, pattern(2000));
    h.flush();
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].total_payload() == 800);
}

TEST_CASE("zero window: probes on the RTO schedule until the window opens", "[tcp][data][window]") {
    H h;
    h.send({.flags = SYN, .seq = kCisn, .window = 0, .opt = mss_opt()});
    h.iss = h.out[0].seq.raw();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .window = 0});
    app_send(h, "hello");
    h.flush();
    CHECK(h.out.empty());
    CHECK(h.stack.armed_timers() == 1);
    const uint64_t t0 = h.now_ms;
    h.advance_to(t0 + 200);  // rto_min after the 0 ms handshake RTT
    REQUIRE(h.out.size() == 1);
    expect(h.out[0],
           {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535, .data = "h"});
    // The peer still has no room: it ACKs nothing. The probe is repeated
    // with backoff, but an answering peer is never given up on.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .window = 0});
    CHECK(h.out.empty());
    h.advance_to(t0 + 200 + 399);
    CHECK(h.out.empty());
    h.advance_to(t0 + 200 + 400);
    REQUIRE(h.out.size() == 1);
    CHECK(payload_of(h.out[0]) == "h");
    // The window opens (and the probe byte was taken).
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 2, .window = 1000});
    REQUIRE(h.out.size() == 1);
    expect(
        h.out[0],
        {.flags = ACK | PSH, .seq = h.iss + 2, .ack = kCisn + 1, .window = 65535, .data = "ello"});
}

TEST_CASE("RTO: retransmission with exponential backoff at exact times", "[tcp][data][rto]") {
    H h;
    h.make_established();  // handshake RTT 0 ms -> RTO = tcp.rto_min = 200 ms
    const uint64_t t0 = h.now_ms;
    app_send(h, "hello");
    h.flush();
    REQUIRE(h.out.size() == 1);
    std::vector<uint64_t> at;
    for (uint64_t t = t0 + 1; t <= t0 + 6200; ++t) {
        h.advance_to(t);
        for (const OutSegment& s : h.out) {
            CHECK(s.seq.raw() == h.iss + 1);
            CHECK(payload_of(s) == "hello");
            at.push_back(t - t0);
        }
    }
    // 200, then doubling: +400, +800, +1600, +3200.
    CHECK(at == std::vector<uint64_t>{200, 600, 1400, 3000, 6200});
    CHECK(h.stack.counters().retransmits.get() == 5);
    // The ACK stops it; Karn: the retransmitted segment gives no RTT sample.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 6});
    CHECK(h.stack.armed_timers() == 0);
}

TEST_CASE("RTO: tcp.retries2 unanswered retransmissions end the connection with RST",
          "[tcp][data][rto]") {
    Tunables c = small_config();
    c.retries2 = 3;
    H h(c);
    h.make_established();
    const uint64_t t0 = h.now_ms;
    app_send(h, "hello");
    h.flush();
    h.advance_to(t0 + 200);
    h.advance_to(t0 + 600);
    h.advance_to(t0 + 1400);
    CHECK(h.state() == State::Established);
    h.advance_to(t0 + 2999);
    CHECK(h.out.empty());
    h.advance_to(t0 + 3000);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = h.iss + 6, .ack = kCisn + 1});
    CHECK(h.state() == State::Closed);
    CHECK(h.app.events == std::vector<std::string>{"open", "closed:timeout"});
    CHECK(h.stack.counters().rto_timeouts.get() == 1);
    CHECK(h.stack.armed_timers() == 0);
}

TEST_CASE("RTO follows the RFC 6298 estimator", "[tcp][data][rto]") {
    H h;
    h.make_syn_rcvd();
    h.now_ms += 100;  // handshake RTT 100 ms: SRTT 100, RTTVAR 50, RTO = 100 + 4*50
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    const uint64_t t0 = h.now_ms;
    app_send(h, "x");
    h.flush();
    h.advance_to(t0 + 299);
    CHECK(h.out.empty());
    h.advance_to(t0 + 300);
    CHECK(h.out.size() == 1);

    // A second sample of 20 ms: RTTVAR = (3*50 + 80)/4 = 57.5, SRTT = (7*100 + 20)/8
    // = 90, RTO = 90 + 230 = 320 ms. (The retransmitted "x" is not timed.)
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 2});
    const uint64_t t1 = h.now_ms;
    app_send(h, "y");
    h.flush();
    h.advance_to(t1 + 20);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 3});
    app_send(h, "z");
    h.flush();
    const uint64_t t2 = h.now_ms;
    h.advance_to(t2 + 319);
    CHECK(h.out.empty());
    h.advance_to(t2 + 320);
    REQUIRE(h.out.size() == 1);
    CHECK(payload_of(h.out[0]) == "z");
}

TEST_CASE("RTO goes back N: the first segment now, the rest as ACKs come", "[tcp][data][rto]") {
    H h;
    h.make_established();
    const uint64_t t0 = h.now_ms;
    app_send(h, pattern(3 * 1460));
    h.flush();
    REQUIRE(h.out.size() == 3);
    h.advance_to(t0 + 200);
    REQUIRE(h.out.size() == 1);
    CHECK(h.out[0].seq.raw() == h.iss + 1);
    CHECK(h.out[0].total_payload() == 1460);
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1 + 1460});
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0].seq.raw() == h.iss + 1 + 1460);
    CHECK(h.out[1].seq.raw() == h.iss + 1 + 2920);
    // An ACK for everything originally sent is still acceptable.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1 + 3 * 1460});
    CHECK(h.stack.armed_timers() == 0);
    CHECK(h.stack.counters().bad_ack_drops.get() == 0);
}

TEST_CASE("send() is bounded by tcp.wmem and refused after close", "[tcp][data]") {
    Tunables c = small_config();
    c.wmem = 4096;
    H h(c);
    h.make_established();
    CHECK(h.app.conn->send_space() == 4096);
    CHECK(app_send(h, pattern(10000)) == 4096);
    CHECK(app_send(h, "more") == 0);
    h.app.conn->close();
    CHECK(app_send(h, "more") == 0);
}

TEST_CASE("a burst larger than the Outbox continues at the next flush()", "[tcp][data]") {
    Tunables c = small_config();
    c.wmem = 200'000;
    H h(c);
    TcpOptions o = mss_opt();
    o.has_wscale = true;
    o.wscale = 7;
    h.send({.flags = SYN, .seq = kCisn, .opt = o});
    h.iss = h.out[0].seq.raw();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .window = 65535});  // 8 MB
    const std::string big = pattern(150'000);
    REQUIRE(app_send(h, big) == big.size());
    std::string seen;
    h.flush();
    CHECK(h.out.size() == Outbox::kCapacity);
    CHECK(h.stack.has_pending_output());
    for (const OutSegment& s : h.out) seen += payload_of(s);
    h.flush();
    CHECK(!h.stack.has_pending_output());
    for (const OutSegment& s : h.out) seen += payload_of(s);
    CHECK(seen == big);  // every byte once, in order
    CHECK(h.stack.counters().outbox_full.get() == 0);
}

TEST_CASE("idle TCBs and TIME_WAIT records stay compact", "[tcp][memory]") {
    CHECK(sizeof(Tcb) <= 256);
    CHECK(sizeof(TimeWait) <= 64);
    // An idle established connection holds no payload chunk.
    H h;
    h.make_established();
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "x"});
    h.flush();
    CHECK(h.stack.chunks_in_use() == 0);
}

TEST_CASE("data segments leave room for the SACK blocks they carry: every one fits the MTU",
          "[tcp][data][ooo][sack]") {
    // A Linux peer on a 1,500-byte MTU: MSS 1460, timestamps, SACK. While
    // its data is held out of order, our segments carry a SACK block too;
    // the payload shrinks by its 12 bytes (1448 -> 1436) so that the IP
    // packet stays at 1,500 bytes (it was 1,512: net_tap refused it).
    H h;
    TcpOptions o = mss_opt();
    o.sack_permitted = true;
    const uint32_t ours = h.make_established_ts(100, o);
    // Bytes 11-12 arrive before 1-10: held, and SACKed from now on.
    h.send({.flags = ACK, .seq = kCisn + 11, .ack = h.iss + 1, .opt = ts_opt(102, ours),
            .data = "kl"});
    REQUIRE(h.out.size() == 1);
    REQUIRE(h.out[0].opt.sack_count == 1);
    REQUIRE(app_send(h, std::string(3000, 'x')) == 3000);
    h.flush();
    REQUIRE(h.out.size() == 3);
    const uint32_t lens[] = {1436, 1436, 128};
    uint32_t seq = h.iss + 1;
    for (size_t i = 0; i < 3; ++i) {
        const OutSegment& s = h.out[i];
        CHECK(s.seq.raw() == seq);
        CHECK(s.ack.raw() == kCisn + 1);
        CHECK(s.total_payload() == lens[i]);
        CHECK(s.opt.has_timestamp);
        REQUIRE(s.opt.sack_count == 1);
        CHECK(s.opt.sack[0].left.raw() == kCisn + 11);
        CHECK(s.opt.sack[0].right.raw() == kCisn + 13);
        CHECK(s.header_length() == 20 + 12 + 12);
        CHECK(20 + s.header_length() + s.total_payload() <= 1500);
        seq += lens[i];
    }
    // The gap fills: no SACK blocks any more, full 1,448-byte segments.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1 + 3000, .opt = ts_opt(103, ours),
            .data = "abcdefghij"});
    REQUIRE(app_send(h, std::string(2000, 'y')) == 2000);
    h.flush();
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0].seq.raw() == h.iss + 1 + 3000);
    CHECK(h.out[0].ack.raw() == kCisn + 13);
    CHECK(h.out[0].opt.sack_count == 0);
    CHECK(h.out[0].total_payload() == 1448);
    CHECK(20 + h.out[0].header_length() + h.out[0].total_payload() == 1500);
    CHECK(h.out[1].total_payload() == 552);
}
