// Passive and active open: RFC 9293 3.5, 3.10.7.2-4; option negotiation
// (RFC 7323, RFC 2018); issue 3 item 3 (handshake rules).
#include <algorithm>
#include <iterator>

#include "harness.h"
#include "tcp/inbound.h"

using namespace tcptest;

TEST_CASE("three-way handshake: SYN -> SYN-ACK -> ACK -> ESTABLISHED", "[tcp][handshake]") {
    H h;
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
    REQUIRE(h.out.size() == 1);
    h.iss = h.out[0].seq.raw();
    expect(h.out[0],
           {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(h.state() == State::SynRcvd);
    CHECK(h.stack.half_open(80) == 1);
    CHECK(h.app.events.empty());  // the app sees nothing before the handshake completes

    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    CHECK(h.out.empty());
    CHECK(h.state() == State::Established);
    CHECK(h.stack.half_open(80) == 0);
    CHECK(h.app.events == std::vector<std::string>{"open"});
    CHECK(h.stack.counters().established.get() == 1);
    CHECK(h.stack.armed_timers() == 0);  // SYN-ACK timer cancelled, no keepalive
}

TEST_CASE("handshake with data on the third ACK: delivered and ACKed", "[tcp][handshake]") {
    H h;
    h.make_syn_rcvd();
    h.send({.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "GET /"});
    CHECK(h.state() == State::Established);
    CHECK(h.app.events == std::vector<std::string>{"open", "data:GET /"});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1 + 5, .window = 65535});
}

TEST_CASE("SYN with payload: not delivered, not acknowledged (ack = x + 1)", "[tcp][handshake]") {
    H h;
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt(), .data = "early"});
    REQUIRE(h.out.size() == 1);
    h.iss = h.out[0].seq.raw();
    expect(h.out[0],
           {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(h.stack.counters().syn_data_ignored.get() == 5);
    // The client retransmits the bytes after the handshake; they arrive once.
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1, .data = "early"});
    CHECK(h.app.received == "early");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 6, .window = 65535});
}

TEST_CASE("SYN-ACK negotiates only the options the client offered", "[tcp][handshake][options]") {
    H h;
    SECTION("timestamps, window scale and SACK all offered") {
        TcpOptions o = mss_opt(1400);
        o.has_wscale = true;
        o.wscale = 7;
        o.sack_permitted = true;
        o.has_timestamp = true;
        o.ts_val = 5555;
        h.send({.flags = SYN, .seq = kCisn, .opt = o});
        REQUIRE(h.out.size() == 1);
        const OutSegment& sa = h.out[0];
        h.iss = sa.seq.raw();
        TcpOptions e = mss_opt();
        e.has_wscale = true;
        e.wscale = 0;  // our 64 KiB window needs no shift
        e.sack_permitted = true;
        e.has_timestamp = true;
        e.ts_val = sa.opt.ts_val;  // our clock + per-tuple offset
        e.ts_ecr = 5555;
        expect(sa, {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = e});

        // TSval advances with the clock (ms), echo follows the client.
        const uint32_t ts0 = sa.opt.ts_val;
        h.now_ms += 25;
        h.send({.flags = ACK,
                .seq = kCisn + 1,
                .ack = h.iss + 1,
                .window = 100,
                .opt = ts_opt(5600, ts0),
                .data = "x"});
        REQUIRE(h.out.size() == 1);
        // The window of a non-SYN segment is scaled: 100 << 7.
        h.app.conn->send(reinterpret_cast<const uint8_t*>("y"), 1);
        h.flush();
        REQUIRE(h.out.size() == 1);
        expect(h.out[0], {.flags = ACK | PSH,
                          .seq = h.iss + 1,
                          .ack = kCisn + 2,
                          .window = 65535,
                          .opt = ts_opt(ts0 + 25, 5600),
                          .data = "y"});
    }
    SECTION("window scale is used only if both sides send it") {
        Tunables c = small_config();
        c.rcv_wnd = 1 << 20;  // needs shift 5
        H h2(c);
        TcpOptions o = mss_opt();
        o.has_wscale = true;
        o.wscale = 2;
        h2.send({.flags = SYN, .seq = kCisn, .opt = o});
        REQUIRE(h2.out.size() == 1);
        CHECK(h2.out[0].opt.has_wscale);
        CHECK(h2.out[0].opt.wscale == 5);
        CHECK(h2.out[0].window == 65535);  // SYN windows are never scaled
        h2.iss = h2.out[0].seq.raw();
        h2.send({.flags = ACK, .seq = kCisn + 1, .ack = h2.iss + 1, .data = "a"});
        REQUIRE(h2.out.size() == 1);
        CHECK(h2.out[0].window == (1 << 20) >> 5);

        // Without the client's option: no wscale, window capped at 65535.
        H h3(c);
        h3.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
        REQUIRE(h3.out.size() == 1);
        CHECK(!h3.out[0].opt.has_wscale);
        h3.iss = h3.out[0].seq.raw();
        h3.send({.flags = ACK, .seq = kCisn + 1, .ack = h3.iss + 1, .data = "a"});
        REQUIRE(h3.out.size() == 1);
        CHECK(h3.out[0].window == 65535);
    }
    SECTION("options disabled by config are not offered back") {
        Tunables c = small_config();
        c.timestamps = false;
        c.sack = false;
        c.window_scaling = false;
        H h2(c);
        TcpOptions o = mss_opt();
        o.has_wscale = true;
        o.sack_permitted = true;
        o.has_timestamp = true;
        o.ts_val = 1;
        h2.send({.flags = SYN, .seq = kCisn, .opt = o});
        REQUIRE(h2.out.size() == 1);
        expect(h2.out[0], {.flags = SYN | ACK,
                           .seq = h2.out[0].seq.raw(),
                           .ack = kCisn + 1,
                           .window = 65535,
                           .opt = mss_opt()});
    }
}

TEST_CASE("send MSS follows the peer's MSS option (536 without one)", "[tcp][handshake][options]") {
    auto segment_sizes = [](uint16_t peer_mss, bool has_mss) {
        H h;
        TcpOptions o;
        o.has_mss = has_mss;
        o.mss = peer_mss;
        h.send({.flags = SYN, .seq = kCisn, .opt = o});
        h.iss = h.out[0].seq.raw();
        h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
        std::string big(1000, 'z');
        h.app.conn->send(reinterpret_cast<const uint8_t*>(big.data()), big.size());
        h.flush();
        std::vector<uint32_t> sizes;
        for (const OutSegment& s : h.out) sizes.push_back(s.total_payload());
        return sizes;
    };
    CHECK(segment_sizes(0, false) == std::vector<uint32_t>{536, 464});
    CHECK(segment_sizes(600, true) == std::vector<uint32_t>{600, 400});
    CHECK(segment_sizes(9000, true) == std::vector<uint32_t>{1000});
}

TEST_CASE("a tiny MSS option with timestamps is raised to 48 (Linux tcp_min_snd_mss)",
          "[tcp][handshake][options]") {
    // MSS 4 - 12 bytes of TSopt used to wrap to a 65,528-byte send MSS.
    H h;
    const uint32_t ours = h.make_established_ts(100, mss_opt(4));
    // An echo app: 1,000 bytes come back in segments of 48 - 12 = 36 bytes.
    h.app.on_data_hook = [](Conn& c, const std::string& s) {
        REQUIRE(c.send(reinterpret_cast<const uint8_t*>(s.data()), s.size()) == s.size());
    };
    std::string req(1000, '\0');
    for (size_t i = 0; i < req.size(); ++i) req[i] = char('a' + i % 26);
    h.send({.flags = ACK | PSH,
            .seq = kCisn + 1,
            .ack = h.iss + 1,
            .opt = ts_opt(102, ours),
            .data = req});
    CHECK(h.stack.check_invariants().empty());
    REQUIRE(h.out.size() == 28);  // 27 * 36 + 28
    std::string echoed;
    for (size_t i = 0; i < h.out.size(); ++i) {
        const OutSegment& s = h.out[i];
        CHECK(s.seq.raw() == h.iss + 1 + 36 * i);
        CHECK(s.total_payload() == (i + 1 < h.out.size() ? 36u : 28u));
        echoed += payload_of(s);
    }
    CHECK(echoed == req);
    CHECK(h.stack.check_invariants().empty());
}

TEST_CASE("a SYN with a malformed option is answered with the options before it",
          "[tcp][handshake][options]") {
    // 20-byte header + MSS 1200, an option of length 0, WS 7 (not read).
    std::vector<uint8_t> b(32, 0);
    b[0] = 40000 >> 8, b[1] = 40000 & 0xFF, b[3] = 80;  // ports
    b[4] = 0, b[5] = 0, b[6] = 0x03, b[7] = 0xE8;       // seq 1000 (kCisn)
    b[12] = 8 << 4;
    b[13] = SYN;
    b[14] = 0xFF, b[15] = 0xFF;
    const uint8_t opts[] = {2, 4, 0x04, 0xB0, 8, 0, 0, 0, 3, 3, 7, 0};
    std::copy(std::begin(opts), std::end(opts), b.begin() + 20);
    H h;
    Inbound in;
    REQUIRE(h.stack.parse(kTuple.local_addr, kTuple.remote_addr, b.data(), b.size(), in));
    CHECK(in.tuple == kTuple);
    CHECK(h.stack.counters().parse_option_zero_length.get() == 1);
    h.out.clear();
    h.stack.on_segment(h.now_us(), kTuple, in.seg, h.out);
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = SYN | ACK,
                      .seq = h.out[0].seq.raw(),
                      .ack = kCisn + 1,
                      .window = 65535,
                      .opt = mss_opt()});  // no window scaling: its option was not read
    h.iss = h.out[0].seq.raw();
    h.send({.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1});
    REQUIRE(h.state() == State::Established);
    const std::string big(1500, 'z');
    h.app.conn->send(reinterpret_cast<const uint8_t*>(big.data()), big.size());
    h.flush();
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0].total_payload() == 1200);  // the MSS before the bad option counts
    CHECK(h.out[1].total_payload() == 300);
}

TEST_CASE("a retransmitted SYN in SYN_RCVD re-sends the same SYN-ACK", "[tcp][handshake]") {
    H h;
    h.make_syn_rcvd();
    h.now_ms += 300;
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
    REQUIRE(h.out.size() == 1);
    expect(h.out[0],
           {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(h.stack.counters().synrcvd_dup_syn.get() == 1);
    // The backoff schedule is untouched: the first retransmission is still
    // due 1 s after the first SYN-ACK.
    h.advance_to(h.now_ms - 300 + 999);
    CHECK(h.out.empty());
    h.advance_by(1);
    CHECK(h.out.size() == 1);
}

TEST_CASE("SYN+FIN and bare segments to a listener are dropped", "[tcp][handshake]") {
    H h;
    h.send({.flags = SYN | FIN, .seq = kCisn});
    CHECK(h.out.empty());
    CHECK(h.stack.counters().syn_fin_drops.get() == 1);
    h.send({.flags = 0, .seq = kCisn});
    CHECK(h.out.empty());
    h.send({.flags = FIN, .seq = kCisn});
    CHECK(h.out.empty());
    CHECK(h.stack.counters().listen_no_syn.get() == 2);
    CHECK(h.stack.live_tcbs() == 0);
}

TEST_CASE("half-open queue capped by tcp.max_syn_backlog", "[tcp][handshake]") {
    Tunables c = small_config();
    c.max_syn_backlog = 3;
    c.syncookies = 0;  // else the overflow is answered with cookies
    H h(c);
    for (uint32_t i = 0; i < 5; ++i) h.send({.flags = SYN, .seq = kCisn}, client_tuple(i));
    CHECK(h.stack.half_open(80) == 3);
    CHECK(h.stack.counters().syn_backlog_drops.get() == 2);
    CHECK(h.stack.live_tcbs() == 3);
}

TEST_CASE("TCB pool exhaustion refuses SYNs and counts them", "[tcp][handshake]") {
    Tunables c = small_config();
    c.max_tcbs = 2;
    c.syncookies = 0;
    H h(c);
    for (uint32_t i = 0; i < 4; ++i) h.send({.flags = SYN, .seq = kCisn}, client_tuple(i));
    CHECK(h.stack.live_tcbs() == 2);
    CHECK(h.stack.counters().pool_exhausted.get() == 2);
}

// ---------------------------------------------------------------- active open

namespace {

struct Client {
    Tunables cfg = small_config();
    Stack stack{cfg, kKey, 5'000'000};
    RecApp app;
    Outbox out;
    uint64_t now_ms = 5000;
    Tuple tu{0xC6120001, 0xC6120002, 50000, 8080};  // we connect to 198.18.0.2:8080

    const Outbox& recv(const Seg& s) {
        out.clear();
        stack.on_segment(now_ms * 1000, tu, to_segment(s), out);
        return out;
    }
};

}  // namespace

TEST_CASE("active open: SYN_SENT -> ESTABLISHED", "[tcp][handshake][active]") {
    Client c;
    Conn* conn = c.stack.connect(c.now_ms * 1000, c.tu, c.app, c.out);
    REQUIRE(conn != nullptr);
    REQUIRE(c.out.size() == 1);
    const OutSegment syn = c.out[0];
    CHECK(syn.flags == SYN);
    CHECK(syn.opt.has_mss);
    CHECK(syn.opt.has_wscale);
    CHECK(syn.opt.sack_permitted);
    CHECK(syn.opt.has_timestamp);
    CHECK(syn.opt.ts_ecr == 0);
    CHECK(c.stack.state_of(c.tu) == State::SynSent);
    const uint32_t iss = syn.seq.raw();

    SECTION("SYN-ACK with data") {
        c.recv(
            {.flags = SYN | ACK, .seq = 7000, .ack = iss + 1, .opt = mss_opt(), .data = "hello"});
        CHECK(c.stack.state_of(c.tu) == State::Established);
        CHECK(c.app.events == std::vector<std::string>{"open", "data:hello"});
        REQUIRE(c.out.size() == 1);
        CHECK(c.out[0].flags == ACK);
        CHECK(c.out[0].seq.raw() == iss + 1);
        CHECK(c.out[0].ack.raw() == 7006);
        CHECK(!c.out[0].opt.has_timestamp);  // the peer did not answer with TSopt
    }
    SECTION("bad ACK: <SEQ=SEG.ACK><CTL=RST>, still SYN_SENT") {
        c.recv({.flags = SYN | ACK, .seq = 7000, .ack = iss + 5});
        REQUIRE(c.out.size() == 1);
        CHECK(c.out[0].flags == RST);
        CHECK(c.out[0].seq.raw() == iss + 5);
        CHECK(c.stack.state_of(c.tu) == State::SynSent);
    }
    SECTION("RST with an acceptable ACK: refused") {
        c.recv({.flags = RST | ACK, .seq = 0, .ack = iss + 1});
        CHECK(c.out.empty());
        CHECK(c.app.events == std::vector<std::string>{"closed:refused"});
        CHECK(c.stack.live_tcbs() == 0);
    }
    SECTION("RST without ACK is ignored") {
        c.recv({.flags = RST, .seq = 0});
        CHECK(c.stack.state_of(c.tu) == State::SynSent);
    }
    SECTION("simultaneous open: SYN -> SYN_RCVD, SYN-ACK; ACK -> ESTABLISHED") {
        c.recv({.flags = SYN, .seq = 7000, .opt = mss_opt()});
        CHECK(c.stack.state_of(c.tu) == State::SynRcvd);
        REQUIRE(c.out.size() == 1);
        CHECK(c.out[0].flags == (SYN | ACK));
        CHECK(c.out[0].seq.raw() == iss);
        CHECK(c.out[0].ack.raw() == 7001);
        c.recv({.flags = SYN | ACK,
                .seq = 7000,
                .ack = iss + 1});  // peer's SYN-ACK: a SYN -> challenge
        c.recv({.flags = ACK, .seq = 7001, .ack = iss + 1});
        CHECK(c.stack.state_of(c.tu) == State::Established);
        CHECK(c.app.events == std::vector<std::string>{"open"});
    }
    SECTION("SYN retransmitted with backoff, then Timeout") {
        Outbox o;
        std::vector<uint64_t> at;
        for (uint64_t t = c.now_ms; t <= c.now_ms + 200'000; t += 1) {
            o.clear();
            c.stack.advance(t * 1000, o);
            for (const OutSegment& s : o) {
                if (s.flags == SYN) at.push_back(t - c.now_ms);
            }
            if (c.stack.live_tcbs() == 0) {
                at.push_back(t - c.now_ms);
                break;
            }
        }
        // tcp.syn_retries = 6: 1, 3, 7, 15, 31, 63 s, given up at 127 s.
        CHECK(at == std::vector<uint64_t>{1000, 3000, 7000, 15000, 31000, 63000, 127000});
        CHECK(c.app.events == std::vector<std::string>{"closed:timeout"});
    }
}

TEST_CASE("close() in SYN_RCVD (simultaneous open) queues the FIN until ESTABLISHED",
          "[tcp][handshake][active][close]") {
    // RFC 9293 3.10.4 CLOSE in SYN-RECEIVED: "queue for processing after
    // entering ESTABLISHED state". A connect()ed conn is the only one an app
    // can see in SYN_RCVD.
    Client c;
    Conn* conn = c.stack.connect(c.now_ms * 1000, c.tu, c.app, c.out);
    REQUIRE(conn != nullptr);
    const uint32_t iss = c.out[0].seq.raw();
    c.recv({.flags = SYN, .seq = 7000, .opt = mss_opt()});
    REQUIRE(c.stack.state_of(c.tu) == State::SynRcvd);
    conn->close();
    c.out.clear();
    c.stack.flush(c.now_ms * 1000, c.out);
    CHECK(c.out.empty());  // no FIN before the handshake completes
    CHECK(c.stack.state_of(c.tu) == State::SynRcvd);
    c.recv({.flags = ACK, .seq = 7001, .ack = iss + 1});
    CHECK(c.stack.state_of(c.tu) == State::FinWait1);
    REQUIRE(c.out.size() == 1);
    CHECK(c.out[0].flags == (FIN | ACK));
    CHECK(c.out[0].seq.raw() == iss + 1);
    CHECK(c.out[0].ack.raw() == 7001);
    c.recv({.flags = ACK, .seq = 7001, .ack = iss + 2});
    CHECK(c.stack.state_of(c.tu) == State::FinWait2);
    CHECK(c.app.events == std::vector<std::string>{"open"});
}
