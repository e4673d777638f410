// Nodes behind one VIP (issue 18): a handshake whose SYN reached node A and
// whose ACK reaches node B completes on B, whatever their uptimes, with
// B's TSvals never behind A's SYN-ACK; with tcp.syncookies = 1 when the
// secret is shared; and never with another secret.
#include "harness.h"

using namespace tcptest;

namespace {

namespace sc = tern::util::syncookie;

const sc::CookieSecrets kShared{{0x1111, 0x2222}, {0x3333, 0x4444}};
// Wall-clock time of the handshake: 2026-12-07, in ms since the epoch.
constexpr uint64_t kWallMs = 1'796'601'600'000ull;

Tunables mode(uint8_t syncookies, uint32_t backlog = 4096) {
    Tunables c = small_config();
    c.syncookies = syncookies;
    c.max_syn_backlog = backlog;
    return c;
}

// A node up for `uptime_ms`, its clock set from the wall clock as the
// engine does, holding the shared secrets.
struct Node : H {
    Node(Tunables c, uint64_t key, uint64_t uptime_ms, const sc::CookieSecrets& s = kShared,
         bool shared = true)
        : H(c, tern::util::SipKey{key, ~key}, uptime_ms) {
        stack.set_wall_offset_ms(kWallMs - uptime_ms);
        stack.set_cookie_secrets(s, shared);
    }
    // Both clocks move together (they are synchronised).
    void elapse(uint64_t ms) { now_ms += ms; }
    // This node's wall clock reads kWallMs + `ms` now (a skewed node).
    void set_wall(int64_t ms) { stack.set_wall_offset_ms(kWallMs + ms - now_ms); }
    // This node's own TSval for kTuple now, had it sent the SYN-ACK.
    uint32_t own_tsval() const { return uint32_t(now_ms) + stack.tuple_hash(kTuple).ts_offset(); }
};

// Linux's SYN (full_offer), with or without its timestamps.
TcpOptions offer(bool ts) {
    TcpOptions o = full_offer(5000);
    o.has_timestamp = ts;
    o.ts_val = ts ? o.ts_val : 0;
    return o;
}

// SYN to `a`, ACK with a request to `b` 40 ms later: B must establish and
// deliver; returns A's SYN-ACK.
OutSegment move_handshake(Node& a, Node& b, bool ts) {
    const size_t a_tcbs = a.stack.live_tcbs();
    a.send({.flags = SYN, .seq = kCisn, .opt = offer(ts)});
    REQUIRE(a.out.size() == 1);
    const OutSegment sa = a.out[0];
    REQUIRE(sa.flags == (SYN | ACK));
    CHECK(a.stack.live_tcbs() == a_tcbs);  // a cookie: A keeps nothing
    a.elapse(40);
    b.elapse(40);
    b.send({.flags = ACK | PSH,
            .seq = kCisn + 1,
            .ack = sa.seq.raw() + 1,
            .window = 100,
            .opt = ts ? ts_opt(5040, sa.opt.ts_val) : TcpOptions{},
            .data = "GET"});
    return sa;
}

// B answers: its TSvals continue from A's SYN-ACK, at B's clock rate.
void check_answer(Node& b, const OutSegment& sa, bool ts) {
    REQUIRE(b.state() == State::Established);
    CHECK(b.app.received == "GET");
    CHECK(b.stack.counters().syncookies_ok.get() == 1);
    b.elapse(5);
    REQUIRE(b.app.conn->send(reinterpret_cast<const uint8_t*>("HTTP/1.1 200"), 12) == 12);
    b.flush();
    REQUIRE(b.out.size() == 1);
    const OutSegment d = b.out[0];
    CHECK(d.flags == (ACK | PSH));
    CHECK(d.seq.raw() == sa.seq.raw() + 1);
    CHECK(d.ack.raw() == kCisn + 4);
    CHECK(d.total_payload() == 12);
    CHECK(d.opt.has_timestamp == ts);
    if (!ts) return;
    CHECK(d.opt.ts_ecr == 5040);
    // Not older than the SYN-ACK's (the client's PAWS would drop it): it
    // continues from the SYN-ACK's TSval as echoed when the ACK came (40 ms
    // after it), 5 ms before, at 1 tick per ms.
    CHECK(d.opt.ts_val == sa.opt.ts_val + 5);
    b.elapse(10);
    REQUIRE(b.app.conn->send(reinterpret_cast<const uint8_t*>("x"), 1) == 1);
    b.flush();
    REQUIRE(b.out.size() == 1);
    CHECK(b.out[0].opt.ts_val == d.opt.ts_val + 10);
}

// B refuses A's cookie: a RST for the ACK, no connection, no data.
void check_refused(Node& b, const OutSegment& sa, uint64_t cookies_checked) {
    CHECK(b.state() == State::Closed);
    CHECK(b.stack.live_tcbs() == 0);
    CHECK(b.stack.counters().syncookies_failed.get() == cookies_checked);
    CHECK(b.app.received.empty());
    REQUIRE(b.out.size() == 1);
    expect(b.out[0], {.flags = RST, .seq = sa.seq.raw() + 1});
}

}  // namespace

TEST_CASE("a cookie handshake moved to a node started 5,000 s later completes there",
          "[tcp][syncookie][multinode]") {
    const bool ts = GENERATE(false, true);
    Node a(mode(2), 1, 5'000'000);  // up 83 minutes
    Node b(mode(2), 2, 10'000);     // up 10 s: its uptime counter would be 78 periods behind
    const OutSegment sa = move_handshake(a, b, ts);
    check_answer(b, sa, ts);
    CHECK(a.stack.counters().syncookies_sent.get() == 1);
    CHECK(b.stack.counters().syncookies_failed.get() == 0);
}

TEST_CASE("the moved connection's TSvals continue from the SYN-ACK whichever node's TS clock is ahead",
          "[tcp][syncookie][multinode]") {
    // Each node's TS offset for a tuple comes from its own key: find nodes
    // whose own clock for kTuple is behind A's and ahead of it.
    Node a(mode(2), 1, 5'000'000);
    a.send({.flags = SYN, .seq = kCisn, .opt = offer(true)});
    const uint32_t a_ts = a.out[0].opt.ts_val;
    uint64_t behind_key = 0, ahead_key = 0;
    for (uint64_t k = 2; k < 64 && !(behind_key && ahead_key); ++k) {
        Node b(mode(2), k, 10'000);
        (int32_t(b.own_tsval() + 40 - a_ts) < 0 ? behind_key : ahead_key) = k;
    }
    REQUIRE(behind_key);
    REQUIRE(ahead_key);
    for (uint64_t key : {behind_key, ahead_key}) {
        Node a2(mode(2), 1, 5'000'000);
        Node b(mode(2), key, 10'000);
        const OutSegment sa = move_handshake(a2, b, true);
        check_answer(b, sa, true);
    }
}

TEST_CASE("tcp.syncookies = 1 with a shared secret: a node that sent no cookie checks the ACK",
          "[tcp][syncookie][multinode]") {
    // A's half-open queue (1 entry) is full: the client's SYN gets a cookie.
    Node a(mode(1, 1), 1, 5'000'000);
    a.send({.flags = SYN, .seq = 777, .opt = offer(false)}, client_tuple(9));
    REQUIRE(a.stack.half_open(80) == 1);
    SECTION("shared: B completes it") {
        Node b(mode(1), 2, 10'000);
        const OutSegment sa = move_handshake(a, b, true);
        check_answer(b, sa, true);
    }
    SECTION("not shared (a node's own random secret): B answers RST, as Linux") {
        Node b(mode(1), 2, 10'000, kShared, false);
        check_refused(b, move_handshake(a, b, true), 0);  // not even checked
    }
}

TEST_CASE("a node with another secret refuses the moved handshake with a RST",
          "[tcp][syncookie][multinode]") {
    Node a(mode(2), 1, 5'000'000);
    const sc::CookieSecrets other{{0x5555, 0x6666}, {0x7777, 0x8888}};
    Node b(mode(2), 2, 10'000, other);
    check_refused(b, move_handshake(a, b, true), 1);
}

TEST_CASE("nodes whose wall clocks differ a little still agree, before and after a period starts",
          "[tcp][syncookie][multinode]") {
    // kWallMs is the start of a 64 s cookie period.
    static_assert(kWallMs % sc::kPeriodMs == 0);
    Node a(mode(2), 1, 5'000'000);
    Node b(mode(2), 2, 10'000);
    SECTION("B's clock 30 s ahead of A's") {
        b.set_wall(30'000);
        check_answer(b, move_handshake(a, b, true), true);
    }
    SECTION("A mints 0.5 s into a period, B's clock is 1.5 s behind (still in the last period)") {
        a.set_wall(500);
        b.set_wall(-1'000);
        check_answer(b, move_handshake(a, b, true), true);
    }
    SECTION("a node 3 s behind is beyond the tolerance: RST") {
        a.set_wall(500);
        b.set_wall(-2'500);
        check_refused(b, move_handshake(a, b, true), 1);
    }
}
