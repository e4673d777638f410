// SYN cookies through the Stack (issue 4 item 5): tcp.syncookies 0/1/2, no
// state for a cookie SYN, every offered option kept, data on the cookie
// ACK delivered, forged ACKs rejected.
#include "harness.h"

using namespace tcptest;

namespace {

Tunables cookie_config(uint8_t mode, uint32_t backlog = 4096) {
    Tunables c = small_config();
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
    // Our TSvals continue from the cookie's as the ACK echoes it (never
    // behind it, and the same on whichever node completes the cookie).
    CHECK(h.out[0].opt.ts_val == sa.opt.ts_val);
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
    Tunables c = cookie_config(1);
    c.max_tcbs = 1;
    H h(c);
    h.send({.flags = SYN, .seq = 5, .opt = mss_opt()}, client_tuple(1));
    h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()});
    REQUIRE(h.out.size() == 1);
    CHECK(h.stack.counters().syncookies_sent.get() == 1);
    CHECK(h.stack.counters().pool_exhausted.get() == 0);
}

// Four segments from clients 1..4 as an engine stages them: parsed into
// Inbounds, hashed, with the MACs Stack::hash_x4() prepares.
struct Group {
    Tuple t[4] = {client_tuple(1), client_tuple(2), client_tuple(3), client_tuple(4)};
    Segment s[4];
    Inbound in[4];
    CookieMac macs[4];

    Group(const Stack& st, const Seg (&segs)[4]) {
        for (int i = 0; i < 4; ++i) {
            s[i] = to_segment(segs[i]);
            in[i].tuple = t[i];
            in[i].seg = s[i];
            st.hash(in[i]);
        }
    }
    void prepare(H& on) {
        Inbound* p[4] = {&in[0], &in[1], &in[2], &in[3]};
        on.stack.hash_x4(on.now_us(), p);
        for (int i = 0; i < 4; ++i) macs[i] = in[i].mac;
    }
    // Segment i through `on`, with `mac` as its prepared cookie.
    const Outbox& send(H& on, int i, const CookieMac* mac) {
        on.out.clear();
        Inbound x = in[i];
        x.mac = mac ? *mac : CookieMac{};
        on.stack.on_segment(on.now_us(), x, on.out);
        return on.out;
    }
};

TEST_CASE("cookie MACs prepared four at a time give the cookies computed one by one",
          "[tcp][syncookie]") {
    H plain(cookie_config(2));
    H batched(cookie_config(2));
    // Three SYNs and one ACK (which gets no MAC) from four clients.
    Seg segs[4];
    for (int i = 0; i < 4; ++i)
        segs[i] = {.flags = SYN, .seq = kCisn + 7 * uint32_t(i), .opt = full_offer(100 + i)};
    segs[2].opt.has_timestamp = false;  // the plain encoding too
    segs[3] = {.flags = ACK, .seq = kCisn, .ack = 5};
    Group g(batched.stack, segs);
    g.prepare(batched);
    CHECK(g.macs[3].gen == 0);  // not a SYN: nothing prepared
    for (int i = 0; i < 3; ++i) {
        INFO("SYN " << i);
        CHECK(g.macs[i].gen != 0);
        plain.send(segs[i], g.t[i]);
        g.send(batched, i, &g.macs[i]);
        REQUIRE(plain.out.size() == 1);
        REQUIRE(batched.out.size() == 1);
        // The same secret (kKey): the same cookie, option for option.
        CHECK(batched.out[0].seq == plain.out[0].seq);
        CHECK(batched.out[0].opt == plain.out[0].opt);
    }
    // The prepared MAC is what the cookie is made of (a wrong one shows).
    CookieMac wrong = g.macs[0];
    wrong.mac ^= uint64_t(1) << 50;
    g.send(batched, 0, &wrong);
    REQUIRE(batched.out.size() == 1);
    CHECK(batched.out[0].seq != plain.out[0].seq);
    plain.send(segs[0], g.t[0]);  // keeps the counts of the two alike
    // A MAC prepared for another segment is not used for this one: the
    // cookie is still this segment's own.
    plain.send(segs[0], g.t[0]);
    g.send(batched, 0, &g.macs[1]);
    REQUIRE(batched.out.size() == 1);
    CHECK(batched.out[0].seq == plain.out[0].seq);
    // Nor one prepared at another clock (its TSval and counter are stale).
    plain.advance_by(1000);
    batched.advance_by(1000);
    plain.send(segs[0], g.t[0]);
    g.send(batched, 0, &g.macs[0]);
    REQUIRE(batched.out.size() == 1);
    CHECK(batched.out[0].seq == plain.out[0].seq);
    CHECK(batched.out[0].opt == plain.out[0].opt);
    // Nor one prepared under the previous secret.
    const tern::util::syncookie::CookieSecrets fresh{{7, 8}, {7, 8}};
    plain.stack.set_cookie_secrets(fresh);
    batched.stack.set_cookie_secrets(fresh);
    plain.send(segs[1], g.t[1]);
    g.send(batched, 1, &g.macs[1]);
    REQUIRE(batched.out.size() == 1);
    CHECK(batched.out[0].seq == plain.out[0].seq);
    CHECK(plain.stack.counters().syncookies_sent.get() == 7);
}

TEST_CASE("tcp.syncookies = 1: a cookie is prepared only while the half-open queue is full",
          "[tcp][syncookie]") {
    H plain(cookie_config(1, 1));
    H batched(cookie_config(1, 1));
    Seg segs[4];
    for (int i = 0; i < 4; ++i)
        segs[i] = {.flags = SYN, .seq = kCisn + 11 * uint32_t(i), .opt = full_offer(100)};
    Group g(batched.stack, segs);
    // Room in the queue: SYNs get half-open entries, so nothing is prepared.
    g.prepare(batched);
    for (const CookieMac& m : g.macs) CHECK(m.gen == 0);
    // The queue full (backlog 1): the next SYNs would get cookies, and do.
    const Seg first{.flags = SYN, .seq = 5, .opt = mss_opt()};
    plain.send(first, client_tuple(9));
    batched.send(first, client_tuple(9));
    REQUIRE(batched.stack.half_open(80) == 1);
    g.prepare(batched);
    for (int i = 0; i < 4; ++i) {
        INFO("SYN " << i);
        CHECK(g.macs[i].gen != 0);
        g.send(plain, i, nullptr);
        g.send(batched, i, &g.macs[i]);
        REQUIRE(plain.out.size() == 1);
        REQUIRE(batched.out.size() == 1);
        CHECK(batched.out[0].flags == (SYN | ACK));
        CHECK(batched.out[0].ack == g.s[i].seq + 1);
        CHECK(batched.out[0].seq == plain.out[0].seq);
        CHECK(batched.out[0].opt == plain.out[0].opt);
    }
    CHECK(batched.stack.counters().syncookies_sent.get() == 4);
    CHECK(batched.stack.half_open(80) == 1);
}
