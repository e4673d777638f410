// What Stack::on_segment answers (verdict.h), path by path, through a whole
// Stack; and segments staged in one burst (parse -> hash_x4 -> look_up ->
// on_segment) where one ahead changes the flow table for the next.
#include <string>

#include "harness.h"

using namespace tcptest;

namespace {

using Events = std::vector<std::string>;

// "effect/drop", from the names the Stack itself reports.
std::string str(Verdict v) { return std::string(effect_name(v.effect)) + "/" + drop_name(v.drop); }

// A client segment through the Stack; its verdict. h.out holds the reply.
std::string verdict(H& h, const Seg& s, const Tuple& tu = kTuple) {
    h.out.clear();
    return str(h.stack.on_segment(h.now_us(), tu, to_segment(s), h.out));
}

Tunables config(uint8_t syncookies) {
    Tunables c = small_config();
    c.syncookies = syncookies;
    return c;
}

const Tuple kClosedPort{0xC6120001, 0xC6120002, 81, 40000};

}  // namespace

TEST_CASE("verdict: a SYN to a listener opens; the third ACK establishes", "[tcp][verdict]") {
    H h;
    CHECK(verdict(h, {.flags = SYN, .seq = kCisn, .opt = mss_opt()}) == "opened/none");
    REQUIRE(h.out.size() == 1);
    h.iss = h.out[0].seq.raw();
    expect(h.out[0],
           {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(h.state() == State::SynRcvd);

    CHECK(verdict(h, {.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1}) == "established/none");
    CHECK(h.out.empty());
    CHECK(h.state() == State::Established);
    CHECK(h.app.events == Events{"open"});

    // Data in ESTABLISHED: taken by the connection, nothing more.
    CHECK(verdict(h, {.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "hello"}) ==
          "none/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 6, .window = 65535});
    CHECK(h.app.received == "hello");
}

TEST_CASE("verdict: a cookie SYN is answered, its ACK makes the connection", "[tcp][verdict]") {
    H h(config(2));
    CHECK(verdict(h, {.flags = SYN, .seq = kCisn, .opt = mss_opt()}) == "answered/none");
    REQUIRE(h.out.size() == 1);
    const uint32_t cookie = h.out[0].seq.raw();
    expect(
        h.out[0],
        {.flags = SYN | ACK, .seq = cookie, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.flows() == 0);

    // The connection did not exist: `opened` (the engine learns the client's
    // next hop on it), though it is established at once.
    CHECK(verdict(h, {.flags = ACK, .seq = kCisn + 1, .ack = cookie + 1}) == "opened/none");
    CHECK(h.out.empty());
    CHECK(h.state() == State::Established);
    CHECK(h.app.events == Events{"open"});
    CHECK(h.stack.counters().syncookies_ok.get() == 1);
    CHECK(h.stack.live_tcbs() == 1);
}

TEST_CASE("verdict: segments for a closed port", "[tcp][verdict]") {
    H h;
    // A SYN gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    CHECK(verdict(h, {.flags = SYN, .seq = kCisn}, kClosedPort) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST | ACK, .seq = 0, .ack = kCisn + 1}, kClosedPort);
    CHECK(h.stack.counters().no_listener.get() == 1);
    // A RST is never answered.
    CHECK(verdict(h, {.flags = RST, .seq = kCisn}, kClosedPort) == "dropped/rst_no_conn");
    CHECK(h.out.empty());
    CHECK(h.stack.counters().rst_to_closed_port.get() == 1);
}

TEST_CASE("verdict: segments to a listener that open nothing", "[tcp][verdict]") {
    H h;
    CHECK(verdict(h, {.flags = RST, .seq = kCisn}) == "dropped/rst_no_conn");
    CHECK(h.out.empty());
    CHECK(verdict(h, {.flags = FIN, .seq = kCisn}) == "dropped/not_syn");
    CHECK(h.out.empty());
    CHECK(verdict(h, {.flags = SYN | FIN, .seq = kCisn}) == "dropped/syn_fin");
    CHECK(h.out.empty());
    CHECK(verdict(h, {.flags = ACK, .seq = kCisn, .ack = 4242}) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = 4242});
    CHECK(h.stack.live_tcbs() == 0);
}

TEST_CASE("verdict: PAWS and the sequence check drop", "[tcp][verdict]") {
    H h;
    const uint32_t ours = h.make_established_ts(100);  // TS.Recent = 101
    // Both are answered by an ACK of what we have.
    const Exp ack{.flags = ACK,
                  .seq = h.iss + 1,
                  .ack = kCisn + 1,
                  .window = 65535,
                  .opt = ts_opt(ours, 101)};
    CHECK(verdict(h, {.flags = ACK | PSH,
                      .seq = kCisn + 1,
                      .ack = h.iss + 1,
                      .opt = ts_opt(90, ours),
                      .data = "old"}) == "dropped/paws");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], ack);
    CHECK(verdict(h, {.flags = ACK | PSH,
                      .seq = kCisn + 100000,
                      .ack = h.iss + 1,
                      .opt = ts_opt(102, ours),
                      .data = "far"}) == "dropped/out_of_window");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], ack);
    CHECK(h.app.received.empty());
    CHECK(h.state() == State::Established);
}

TEST_CASE("verdict: other drops of a synchronized connection", "[tcp][verdict]") {
    H h;
    h.make_established();
    CHECK(verdict(h, {.flags = PSH, .seq = kCisn + 1, .data = "x"}) == "dropped/no_ack");
    CHECK(h.out.empty());
    // An ACK of what was never sent: dropped, answered by a challenge ACK.
    CHECK(verdict(h, {.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1000}) == "dropped/bad_ack");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    CHECK(h.state() == State::Established);
}

TEST_CASE("verdict: an exact RST closes", "[tcp][verdict]") {
    H h;
    h.make_established();
    CHECK(verdict(h, {.flags = RST, .seq = kCisn + 1}) == "closed/none");
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.app.events == Events{"open", "closed:reset"});
}

TEST_CASE("verdict: the last ACK in LAST_ACK closes", "[tcp][verdict]") {
    H h;
    h.make_last_ack();
    CHECK(verdict(h, {.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2}) == "closed/none");
    CHECK(h.out.empty());
    CHECK(h.state() == State::Closed);
    CHECK(h.stack.live_tcbs() == 0);
}

TEST_CASE("verdict: the FIN that enters TIME_WAIT closes; TIME_WAIT answers and drops",
          "[tcp][verdict]") {
    H h;
    h.make_fin_wait_2();
    CHECK(verdict(h, {.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2}) == "closed/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(h.state() == State::TimeWait);
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.stack.time_wait_records() == 1);
    // The FIN again: re-ACKed from the record.
    CHECK(verdict(h, {.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2}) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    // An in-order pure ACK: nothing to do.
    CHECK(verdict(h, {.flags = ACK, .seq = kCisn + 2, .ack = h.iss + 2}) == "dropped/time_wait");
    CHECK(h.out.empty());
    // A new SYN above the old sequence space takes the tuple over (RFC
    // 6191): the record goes and a half-open entry is made.
    CHECK(verdict(h, {.flags = SYN, .seq = kCisn + 5000, .opt = mss_opt()}) == "opened/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = SYN | ACK,
                      .seq = h.iss + 2 + 65537,
                      .ack = kCisn + 5001,
                      .window = 65535,
                      .opt = mss_opt()});
    CHECK(h.state() == State::SynRcvd);
    CHECK(h.stack.time_wait_records() == 0);
}

TEST_CASE("verdict: SYNs refused by the limiter, the backlog and the pool", "[tcp][verdict]") {
    Tunables limited = config(1);
    limited.syn_rate_per_source = 1;
    limited.syn_burst_per_source = 1;
    Tunables backlog = config(0);  // cookies off: a full queue drops
    backlog.max_syn_backlog = 1;
    Tunables pool = config(0);
    pool.max_tcbs = 1;
    Tuple same_source = kTuple;
    same_source.remote_port = 40001;
    struct Case {
        Tunables cfg;
        Tuple second;  // the second SYN's tuple
        const char* verdict;
        tern::util::Counter Counters::*counter;
    };
    for (const Case& k :
         {Case{limited, same_source, "dropped/rate_limited", &Counters::syn_rate_limited},
          Case{backlog, client_tuple(1), "dropped/syn_backlog", &Counters::syn_backlog_drops},
          Case{pool, client_tuple(1), "dropped/no_memory", &Counters::pool_exhausted}}) {
        INFO(k.verdict);
        H h(k.cfg);
        CHECK(verdict(h, {.flags = SYN, .seq = kCisn, .opt = mss_opt()}) == "opened/none");
        CHECK(verdict(h, {.flags = SYN, .seq = kCisn, .opt = mss_opt()}, k.second) == k.verdict);
        CHECK(h.out.empty());
        CHECK((h.stack.counters().*k.counter).get() == 1);
        CHECK(h.stack.live_tcbs() == 1);
        CHECK(h.stack.half_open(80) == 1);
    }
}

// ------------------------------------------------- staged bursts (inbound.h)

namespace {

// Four client segments staged as the engine stages a receive burst: parsed
// (here: built), hashed four at a time, all looked up before the first is
// processed.
struct Burst {
    Seg segs[4];
    Tuple t[4] = {kTuple, kTuple, kTuple, kTuple};
    Inbound in[4];

    void stage(H& h) {
        Inbound* p[4];
        for (int i = 0; i < 4; ++i) {
            in[i].tuple = t[i];
            in[i].seg = to_segment(segs[i]);
            p[i] = &in[i];
        }
        h.stack.hash_x4(h.now_us(), p);
        for (Inbound& x : in) h.stack.look_up(x);
    }
    std::string run(H& h, int i) {
        h.out.clear();
        return str(h.stack.on_segment(h.now_us(), in[i], h.out));
    }
};

}  // namespace

TEST_CASE("burst: a SYN staged twice opens once; the second is its retransmission",
          "[tcp][verdict][burst]") {
    H h;
    Burst b;
    for (Seg& s : b.segs) s = {.flags = SYN, .seq = kCisn, .opt = mss_opt()};
    b.stage(h);
    for (const Inbound& x : b.in) REQUIRE(x.ref == 0);  // nothing there when looked up
    CHECK(b.run(h, 0) == "opened/none");
    REQUIRE(h.out.size() == 1);
    h.iss = h.out[0].seq.raw();
    expect(h.out[0],
           {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    // The flow table changed: the next copy finds the half-open entry.
    CHECK(b.run(h, 1) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0],
           {.flags = SYN | ACK, .seq = h.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(h.stack.counters().synrcvd_dup_syn.get() == 1);
    CHECK(h.stack.counters().passive_opens.get() == 1);
    CHECK(h.stack.live_tcbs() == 1);
    CHECK(h.stack.flows() == 1);
    CHECK(h.stack.half_open(80) == 1);
    CHECK(h.stack.check_invariants() == "");
}

TEST_CASE("burst: a SYN and its ACK in one burst establish", "[tcp][verdict][burst]") {
    // The ISS is a keyed function of the tuple and the clock: a twin Stack
    // (same key, same clock) tells it before the burst is staged.
    H twin;
    twin.make_syn_rcvd();
    H h;
    Burst b;
    b.segs[0] = {.flags = SYN, .seq = kCisn, .opt = mss_opt()};
    b.segs[1] = {.flags = ACK | PSH, .seq = kCisn + 1, .ack = twin.iss + 1, .data = "GET"};
    b.segs[2] = {.flags = SYN, .seq = 7, .opt = mss_opt()};
    b.t[2] = client_tuple(2);
    b.segs[3] = {.flags = SYN, .seq = 9, .opt = mss_opt()};
    b.t[3] = client_tuple(3);
    b.stage(h);
    REQUIRE(b.in[1].ref == 0);
    CHECK(b.run(h, 0) == "opened/none");
    REQUIRE(h.out.size() == 1);
    expect(
        h.out[0],
        {.flags = SYN | ACK, .seq = twin.iss, .ack = kCisn + 1, .window = 65535, .opt = mss_opt()});
    CHECK(b.run(h, 1) == "established/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = twin.iss + 1, .ack = kCisn + 4, .window = 65535});
    CHECK(h.state() == State::Established);
    CHECK(h.app.events == Events{"open", "data:GET"});
    CHECK(h.stack.counters().listen_ack_rst.get() == 0);
    CHECK(b.run(h, 2) == "opened/none");
    CHECK(b.run(h, 3) == "opened/none");
    CHECK(h.stack.live_tcbs() == 3);
    CHECK(h.stack.check_invariants() == "");
}

TEST_CASE("burst: a segment behind a RST that freed its TCB does not reach the slot's new owner",
          "[tcp][verdict][burst]") {
    H h;
    h.make_established();
    // RST (TCB 0 freed), a SYN of another client (TCB 0 reused), then data
    // for the reset connection, all looked up before the RST.
    Burst b;
    b.segs[0] = {.flags = RST, .seq = kCisn + 1};
    b.segs[1] = {.flags = SYN, .seq = 7, .opt = mss_opt()};
    b.t[1] = client_tuple(1);
    b.segs[2] = {.flags = ACK | PSH, .seq = kCisn + 1, .ack = h.iss + 1, .data = "late"};
    b.segs[3] = {.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1};
    b.stage(h);
    REQUIRE(b.in[2].ref == FlowTable::tcb_ref(0));
    CHECK(b.run(h, 0) == "closed/none");
    CHECK(h.out.empty());
    CHECK(b.run(h, 1) == "opened/none");
    REQUIRE(h.out.size() == 1);
    const uint32_t iss1 = h.out[0].seq.raw();
    expect(h.out[0], {.flags = SYN | ACK, .seq = iss1, .ack = 8, .window = 65535, .opt = mss_opt()},
           client_tuple(1));
    REQUIRE(h.stack.find(client_tuple(1)) != nullptr);
    // The data finds no connection: an ACK to a listener, <SEQ=SEG.ACK><CTL=RST>.
    CHECK(b.run(h, 2) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = RST, .seq = h.iss + 1});
    CHECK(h.app.events == Events{"open", "closed:reset"});
    CHECK(h.stack.state_of(client_tuple(1)) == State::SynRcvd);
    CHECK(h.stack.live_tcbs() == 1);
    CHECK(h.stack.check_invariants() == "");
}

TEST_CASE("burst: a FIN retransmitted behind the FIN that entered TIME_WAIT is re-ACKed",
          "[tcp][verdict][burst]") {
    H h;
    h.make_fin_wait_2();
    Burst b;
    for (Seg& s : b.segs) s = {.flags = FIN | ACK, .seq = kCisn + 1, .ack = h.iss + 2};
    b.stage(h);
    CHECK(b.run(h, 0) == "closed/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(b.run(h, 1) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 2, .ack = kCisn + 2, .window = 65535});
    CHECK(h.stack.counters().tw_fin_reack.get() == 1);
    CHECK(h.stack.counters().tw_created.get() == 1);
    CHECK(h.stack.time_wait_records() == 1);
    CHECK(h.stack.live_tcbs() == 0);
    CHECK(h.app.events == Events{"open", "peer_closed", "closed:normal"});
    CHECK(h.stack.check_invariants() == "");
}

TEST_CASE("verdict: a challenge ACK is answered within the RFC 5961 budget, dropped beyond it",
          "[tcp][verdict]") {
    Tunables c = small_config();
    c.challenge_ack_limit = 1;
    H h(c);
    h.make_established();
    // A RST in the window but not at RCV.NXT: the challenge ACK goes out.
    CHECK(verdict(h, {.flags = RST, .seq = kCisn + 2}) == "answered/none");
    REQUIRE(h.out.size() == 1);
    expect(h.out[0], {.flags = ACK, .seq = h.iss + 1, .ack = kCisn + 1, .window = 65535});
    // The second in the same second: over the budget, nothing sent.
    CHECK(verdict(h, {.flags = RST, .seq = kCisn + 3}) == "dropped/challenge_limited");
    CHECK(h.out.empty());
    CHECK(h.stack.counters().challenge_acks.get() == 1);
    CHECK(h.stack.counters().challenge_ack_limited.get() == 1);
    // With the budget back, an unacceptable ACK is still a drop for its own
    // reason, though its challenge ACK goes out.
    h.advance_by(1000);
    CHECK(verdict(h, {.flags = ACK, .seq = kCisn + 1, .ack = h.iss + 1000}) == "dropped/bad_ack");
    REQUIRE(h.out.size() == 1);
    CHECK(h.state() == State::Established);
}
