// Many connections through one Stack: pools, flow table, timers and chunks
// must all balance (issue 3 item 7: "a full lifecycle run in a loop").
#include "harness.h"

using namespace tcptest;

namespace {

// Answers every request with "OK"; on even connections the server closes
// first (TIME_WAIT here), on odd ones after the client's FIN.
struct HttpApp : App {
    uint64_t opened = 0, closed = 0;
    void on_open(Conn& c) override {
        ++opened;
        c.user = nullptr;
    }
    void on_data(Conn& c, const uint8_t*, size_t) override {
        c.send(reinterpret_cast<const uint8_t*>("OK"), 2);
        if ((c.tuple().remote_port & 1) == 0) c.close();
    }
    void on_peer_closed(Conn& c) override { c.close(); }
    void on_closed(Conn&, CloseReason r) override {
        if (r == CloseReason::Normal) ++closed;
    }
};

Segment seg(uint8_t flags, uint32_t seq, uint32_t ack, const char* data = nullptr,
            uint32_t len = 0) {
    Segment s;
    s.flags = flags;
    s.seq = SeqNum(seq);
    s.ack = SeqNum(ack);
    s.window = 65535;
    s.payload = reinterpret_cast<const uint8_t*>(data);
    s.payload_len = len;
    return s;
}

}  // namespace

TEST_CASE("100k connection lifecycles through one Stack leave nothing behind", "[tcp][lifecycle]") {
    Tunables c;
    c.max_tcbs = 1024;
    c.max_tw_buckets = 70000;  // 60 s of TIME_WAIT at one connection per ms
    c.send_chunks = 1024;
    HttpApp app;
    uint64_t now_us = 1'000'000'000;
    Stack stack(c, kKey, now_us);
    REQUIRE(stack.listen(80, app));
    Outbox out;
    constexpr uint32_t kConns = 100'000;
    uint64_t max_tw = 0;
    for (uint32_t i = 0; i < kConns; ++i) {
        const Tuple tu = client_tuple(i);
        const uint32_t cisn = 7 * i;
        out.clear();
        stack.on_segment(now_us, tu, seg(SYN, cisn, 0), out);
        REQUIRE(out.size() == 1);
        const uint32_t iss = out[0].seq.raw();
        const bool server_first = (tu.remote_port & 1) == 0;
        out.clear();
        if (server_first) {
            stack.on_segment(now_us, tu, seg(ACK | PSH, cisn + 1, iss + 1, "GET", 3), out);
            REQUIRE(out.size() == 1);  // "OK" + FIN
            REQUIRE(out[0].flags == (ACK | PSH | FIN));
            out.clear();
            stack.on_segment(now_us, tu, seg(ACK | FIN, cisn + 4, iss + 4), out);
            REQUIRE(out.size() == 1);
            REQUIRE(stack.state_of(tu) == State::TimeWait);
        } else {
            stack.on_segment(now_us, tu, seg(ACK | PSH | FIN, cisn + 1, iss + 1, "GET", 3), out);
            REQUIRE(out.size() == 1);  // "OK" + FIN, ACKing the client's FIN
            REQUIRE(out[0].ack.raw() == cisn + 5);
            out.clear();
            stack.on_segment(now_us, tu, seg(ACK, cisn + 5, iss + 4), out);
            REQUIRE(out.empty());
            REQUIRE(stack.state_of(tu) == State::Closed);
        }
        now_us += 1000;
        out.clear();
        stack.advance(now_us, out);
        max_tw = std::max<uint64_t>(max_tw, stack.time_wait_records());
        REQUIRE(stack.live_tcbs() == 0);
    }
    CHECK(app.opened == kConns);
    CHECK(app.closed == kConns);
    CHECK(max_tw == 30'000);  // 60 s of even connections, one per 2 ms
    out.clear();
    stack.advance(now_us + 60'000'000, out);
    out.clear();
    stack.flush(now_us + 60'000'001, out);
    CHECK(out.empty());
    CHECK(stack.live_tcbs() == 0);
    CHECK(stack.time_wait_records() == 0);
    CHECK(stack.armed_timers() == 0);
    CHECK(stack.flows() == 0);
    CHECK(stack.chunks_in_use() == 0);
    CHECK(stack.counters().tw_created.get() == kConns / 2);
    CHECK(stack.counters().tw_expired.get() == kConns / 2);
    CHECK(stack.counters().established.get() == kConns);
}
