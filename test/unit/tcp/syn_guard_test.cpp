// tcp::SynGuard alone, over its own ConnTable and Listeners: the
// tcp.syncookies decision, cookies minted and checked (the options they
// keep, their tuple, bits and lifetime), which ACKs are checked at all,
// secret rotation, the wall-clock offset, MACs prepared four at a time,
// and the per-source limiter.
#include <optional>

#include "harness.h"
#include "tcp/syn_guard.h"

using namespace tcptest;
namespace sc = tern::util::syncookie;

namespace {

constexpr Tuple kOther{0xC6120001, 0xC6120003, 80, 40000};
// The start of cookie period 100 (the guard's cookie clock has no offset
// unless a test sets one).
constexpr uint64_t kPeriodStart = 100 * sc::kPeriodMs;
// A flow hash as the Stack's hasher gives it: slot in the low half, the
// tuple's TS offset in the high half.
constexpr FlowHash kHash{uint64_t(0x0000abcdu) << 32 | 0x1234u};

Tunables guard_config(uint8_t syncookies) {
    Tunables c;
    c.max_tcbs = 4;
    c.max_tw_buckets = 4;
    c.max_listeners = 4;
    c.max_syn_backlog = 2;
    c.syn_limiter_sources = 64;
    c.syncookies = syncookies;
    return c;
}

// A SynGuard with the parts it reads, and a listener on port 80.
struct Fixture {
    Tunables cfg;
    Counters ctr;
    RecApp app;
    ConnTable conns;
    Listeners ls;
    SynGuard g;

    explicit Fixture(Tunables c, const tern::util::SipKey& key = kKey)
        : cfg(c),
          conns(cfg.max_tcbs, cfg.max_tw_buckets, ctr),
          ls(cfg.max_listeners, conns),
          g(cfg, key, ls, conns) {
        REQUIRE(ls.add(80, app, {}, cfg.somaxconn, false));
    }
    Listener& l80() { return *ls.find(80); }

    // A half-open entry of port 80, as a passive open makes one.
    Tcb& half_open(uint32_t k) {
        Tcb* t = conns.alloc(Tuple{0xC6120001, 0xC6130000 + k, 80, 2000}, k);
        REQUIRE(t != nullptr);
        Listeners::enter_syn_rcvd(l80(), *t);
        return *t;
    }

    // The cookie for a SYN of `tu` answered at `now`, as the passive open
    // mints it (nothing prepared).
    sc::Cookie mint(const Segment& syn, uint64_t now, const Tuple& tu = kTuple,
                    FlowHash h = kHash) const {
        return g.mint(tu, agreed(cfg, offer_of(syn.opt)), syn, h, now, nullptr);
    }
};

Segment syn_of(const TcpOptions& o, uint32_t seq = kCisn, uint8_t flags = flag::kSyn) {
    Segment s;
    s.seq = SeqNum(seq);
    s.flags = flags;
    s.window = 65535;
    s.opt = o;
    return s;
}

// The client's ACK of a cookie SYN-ACK (with TSopt if the SYN had it).
Segment ack_of(const sc::Cookie& c, bool ts, uint32_t seq = kCisn + 1) {
    Segment s;
    s.seq = SeqNum(seq);
    s.ack = SeqNum(c.isn + 1);
    s.flags = flag::kAck;
    s.window = 512;
    if (ts) {
        s.opt.has_timestamp = true;
        s.opt.ts_val = 101;
        s.opt.ts_ecr = c.tsval;
    }
    return s;
}

}  // namespace

TEST_CASE("SynGuard::use_cookie follows tcp.syncookies 0, 1 and 2", "[tcp][syn_guard]") {
    Fixture f(guard_config(1));
    Listener& l = f.l80();
    REQUIRE(f.ls.add(443, f.app, {}, f.cfg.somaxconn, false));
    Listener& other = *f.ls.find(443);

    // 1: only when the listener's half-open queue is full...
    CHECK(!f.g.use_cookie(l));
    Tcb& a = f.half_open(0);
    CHECK(!f.g.use_cookie(l));
    f.half_open(1);
    REQUIRE(l.half_open == 2);  // = tcp.max_syn_backlog
    CHECK(f.g.use_cookie(l));
    CHECK(!f.g.use_cookie(other));
    f.ls.leave_syn_rcvd(a);
    f.conns.free(a);
    CHECK(!f.g.use_cookie(l));
    // ... or when the TCB pool is: for every listener.
    for (uint32_t k = 10; k < 13; ++k) REQUIRE(f.conns.alloc(Tuple{1, k, 81, 1}, k) != nullptr);
    REQUIRE(f.conns.tcbs_exhausted());
    CHECK(l.half_open == 1);
    CHECK(f.g.use_cookie(l));
    CHECK(f.g.use_cookie(other));

    // The tunables are read at each decision.
    f.cfg.syncookies = 0;
    CHECK(!f.g.use_cookie(l));
    CHECK(!f.g.use_cookie(other));
    f.cfg.syncookies = 2;
    REQUIRE(f.conns.tcb(3).listener == kNoListener);  // one of the TCBs of no listener
    f.conns.free(f.conns.tcb(3));
    REQUIRE(!f.conns.tcbs_exhausted());
    CHECK(f.g.use_cookie(l));
    CHECK(f.g.use_cookie(other));
    f.cfg.syncookies = 1;
    CHECK(!f.g.use_cookie(l));
    CHECK(!f.g.use_cookie(other));
}

TEST_CASE("SynGuard: a cookie checks for its tuple and gives back the agreed options",
          "[tcp][syn_guard]") {
    Fixture f(guard_config(2));
    const Segment syn = syn_of(full_offer(100));
    const sc::Cookie c = f.mint(syn, kPeriodStart);
    // ISN: the MSS index (1400 is kMssTable[3]) in the low 3 bits.
    CHECK((c.isn & 7) == 3);
    // TSval: our TS clock for the tuple (the ms clock + the tuple's offset)
    // rounded down to 64 with wscale 7 and SACK (0x10) in the low 6 bits.
    const uint32_t ts_now = uint32_t(kPeriodStart) + 0xabcd;
    const uint32_t bits = 7 | 0x10;
    const uint32_t want_ts = (ts_now & ~63u) + bits - ((ts_now & 63u) < bits ? 64 : 0);
    CHECK(c.tsval == want_ts);

    const std::optional<SynOffer> r = f.g.check(kTuple, ack_of(c, true), kPeriodStart + 300);
    REQUIRE(r.has_value());
    CHECK(r->mss == 1400);
    CHECK(r->wscale_ok);
    CHECK(r->wscale == 7);
    CHECK(r->sack_ok);
    CHECK(r->timestamps);
    CHECK(!r->ecn);

    // Not for another tuple, nor another client ISN.
    CHECK(!f.g.check(kOther, ack_of(c, true), kPeriodStart + 300));
    CHECK(!f.g.check(kTuple, ack_of(c, true, kCisn + 2), kPeriodStart + 300));
    // Not with any bit of the ACK number flipped (the MSS bits included),
    // nor any of the option bits the TSecr brings back.
    for (int bit = 0; bit < 32; ++bit) {
        INFO("ACK bit " << bit);
        Segment a = ack_of(c, true);
        a.ack = SeqNum(a.ack.raw() ^ (1u << bit));
        CHECK(!f.g.check(kTuple, a, kPeriodStart + 300));
    }
    for (int bit = 0; bit < 6; ++bit) {
        INFO("TSecr bit " << bit);
        Segment a = ack_of(c, true);
        a.opt.ts_ecr ^= 1u << bit;
        CHECK(!f.g.check(kTuple, a, kPeriodStart + 300));
    }
    // Nor without its timestamp option (the other encoding).
    CHECK(!f.g.check(kTuple, ack_of(c, false), kPeriodStart + 300));
}

TEST_CASE("SynGuard: a cookie's MSS comes from the cookie table", "[tcp][syn_guard]") {
    Fixture f(guard_config(2));
    struct Case {
        bool has_mss;
        uint16_t offered;
        uint16_t kept;
    };
    for (const Case k : {Case{true, 1460, 1460}, Case{true, 1450, 1440}, Case{true, 9000, 8960},
                         Case{true, 1300, 1220}, Case{true, 500, 536}, Case{false, 0, 536}}) {
        for (const bool ts : {true, false}) {
            INFO("offered " << k.offered << " has_mss " << k.has_mss << " ts " << ts);
            TcpOptions o = full_offer(100);
            o.mss = k.offered;
            o.has_mss = k.has_mss;
            o.has_timestamp = ts;
            const sc::Cookie c = f.mint(syn_of(o), kPeriodStart);
            if (!ts) CHECK(c.tsval == 0);
            const std::optional<SynOffer> r = f.g.check(kTuple, ack_of(c, ts), kPeriodStart);
            REQUIRE(r.has_value());
            CHECK(r->mss == k.kept);
            CHECK(r->wscale_ok);
            CHECK(r->wscale == 7);
            CHECK(r->sack_ok);
            CHECK(r->timestamps == ts);
        }
    }
}

TEST_CASE("SynGuard: a cookie keeps only what was agreed", "[tcp][syn_guard]") {
    Tunables cfg = guard_config(2);
    cfg.sack = false;
    cfg.window_scaling = false;
    Fixture f(cfg);
    const sc::Cookie c = f.mint(syn_of(full_offer(100)), kPeriodStart);
    const std::optional<SynOffer> r = f.g.check(kTuple, ack_of(c, true), kPeriodStart);
    REQUIRE(r.has_value());
    CHECK(r->mss == 1400);
    CHECK(!r->wscale_ok);
    CHECK(r->wscale == 0);
    CHECK(!r->sack_ok);
    CHECK(r->timestamps);
    // A SYN offering nothing but an MSS: nothing else comes back.
    const sc::Cookie p = f.mint(syn_of(mss_opt()), kPeriodStart);
    const std::optional<SynOffer> q = f.g.check(kTuple, ack_of(p, false), kPeriodStart);
    REQUIRE(q.has_value());
    CHECK(q->mss == 1460);
    CHECK(!q->wscale_ok);
    CHECK(!q->sack_ok);
    CHECK(!q->timestamps);
}

TEST_CASE("SynGuard: a cookie lives two periods, checked with 2 s of clock skew",
          "[tcp][syn_guard]") {
    Fixture f(guard_config(2));
    const sc::Cookie c = f.mint(syn_of(full_offer(100)), kPeriodStart);
    const Segment a = ack_of(c, true);
    CHECK(f.g.check(kTuple, a, kPeriodStart));
    CHECK(f.g.check(kTuple, a, kPeriodStart + sc::kPeriodMs));
    // Checked at now + 2 s: the next period but one begins for it 2 s early.
    CHECK(f.g.check(kTuple, a, kPeriodStart + 2 * sc::kPeriodMs - 2001));
    CHECK(!f.g.check(kTuple, a, kPeriodStart + 2 * sc::kPeriodMs - 2000));
    CHECK(!f.g.check(kTuple, a, kPeriodStart + 129'000));
    CHECK(!f.g.check(kTuple, a, kPeriodStart + 10 * sc::kPeriodMs));
    // A checking clock up to 2 s behind the minting one still accepts it.
    CHECK(f.g.check(kTuple, a, kPeriodStart - 2000));
    CHECK(!f.g.check(kTuple, a, kPeriodStart - 2001));
}

TEST_CASE("SynGuard::checks_acks: mode 1 only after cookies were sent, unless shared",
          "[tcp][syn_guard]") {
    Fixture f(guard_config(1));
    REQUIRE(f.ls.add(443, f.app, {}, f.cfg.somaxconn, false));
    Listener& l = f.l80();
    Listener& quiet = *f.ls.find(443);
    const uint64_t t0 = 5'000'000;
    CHECK(!f.g.checks_acks(l, t0));
    SynGuard::on_cookie_sent(l, t0);
    CHECK(l.sent_cookies);
    CHECK(l.last_cookie_ms == t0);
    CHECK(f.g.checks_acks(l, t0));
    CHECK(f.g.checks_acks(l, t0 + 2 * sc::kPeriodMs));
    CHECK(!f.g.checks_acks(l, t0 + 2 * sc::kPeriodMs + 1));
    CHECK(!f.g.checks_acks(quiet, t0));
    // Sending again starts the two periods again.
    SynGuard::on_cookie_sent(l, t0 + 200'000);
    CHECK(f.g.checks_acks(l, t0 + 200'000 + 2 * sc::kPeriodMs));

    SECTION("mode 2: always") {
        f.cfg.syncookies = 2;
        CHECK(f.g.checks_acks(quiet, t0));
        CHECK(f.g.checks_acks(l, t0 + 10 * sc::kPeriodMs));
    }
    SECTION("mode 0: never, even with cookies sent and the secret shared") {
        f.g.set_secrets({{1, 2}, {1, 2}}, true);
        f.cfg.syncookies = 0;
        CHECK(!f.g.checks_acks(l, t0 + 200'000));
        CHECK(!f.g.checks_acks(quiet, t0));
    }
    SECTION("mode 1 with a shared secret: always") {
        f.g.set_secrets({{1, 2}, {1, 2}}, true);
        CHECK(f.g.checks_acks(quiet, t0));
        CHECK(f.g.checks_acks(l, t0 + 10 * sc::kPeriodMs));
        // Installed again as this node's own: the rule of mode 1 again.
        f.g.set_secrets({{1, 2}, {1, 2}}, false);
        CHECK(!f.g.checks_acks(quiet, t0));
    }
}

TEST_CASE("SynGuard: a cookie survives one secret rotation, not two", "[tcp][syn_guard]") {
    Fixture f(guard_config(2));
    const Segment syn = syn_of(full_offer(100));
    // Minted under the constructor's secret, which the first set_secrets
    // replaces with unrelated ones.
    const sc::Cookie c0 = f.mint(syn, kPeriodStart);
    sc::CookieSecrets s{{0xa1, 0xa2}, {0xa1, 0xa2}};
    f.g.set_secrets(s, false);
    CHECK(!f.g.check(kTuple, ack_of(c0, true), kPeriodStart));

    const sc::Cookie ca = f.mint(syn, kPeriodStart);
    CHECK(ca.isn != c0.isn);
    CHECK(f.g.check(kTuple, ack_of(ca, true), kPeriodStart));
    sc::rotate(s, {0xb1, 0xb2});
    f.g.set_secrets(s, false);
    CHECK(f.g.check(kTuple, ack_of(ca, true), kPeriodStart));  // the previous secret
    const sc::Cookie cb = f.mint(syn, kPeriodStart);
    CHECK(cb.isn != ca.isn);
    sc::rotate(s, {0xc1, 0xc2});
    f.g.set_secrets(s, false);
    CHECK(!f.g.check(kTuple, ack_of(ca, true), kPeriodStart));  // two rotations old
    CHECK(f.g.check(kTuple, ack_of(cb, true), kPeriodStart));
    // The same holds for the encoding without timestamps.
    TcpOptions plain = full_offer(0);
    plain.has_timestamp = false;
    const sc::Cookie p = f.mint(syn_of(plain), kPeriodStart);
    sc::rotate(s, {0xd1, 0xd2});
    f.g.set_secrets(s, false);
    CHECK(f.g.check(kTuple, ack_of(p, false), kPeriodStart));
    sc::rotate(s, {0xe1, 0xe2});
    f.g.set_secrets(s, false);
    CHECK(!f.g.check(kTuple, ack_of(p, false), kPeriodStart));
}

TEST_CASE("SynGuard: guards whose wall offsets agree check each other's cookies",
          "[tcp][syn_guard]") {
    // Two nodes with one secret: A up for 5 s, B for 2.5 h, so their Stack
    // clocks differ by far more than a cookie's life; the wall clock reads
    // 2026-12-07 on both.
    constexpr uint64_t kWall = 1'796'601'600'000ull;
    const sc::CookieSecrets s{{0x1111, 0x2222}, {0x3333, 0x4444}};
    Fixture a(guard_config(1), {1, 2});
    Fixture b(guard_config(1), {3, 4});
    a.g.set_secrets(s, true);
    b.g.set_secrets(s, true);
    const uint64_t now_a = 5'000, now_b = 9'000'000;
    CHECK(a.g.cookie_ms(now_a) == now_a);
    a.g.set_wall_offset_ms(kWall - now_a);
    b.g.set_wall_offset_ms(kWall - now_b);
    CHECK(a.g.cookie_ms(now_a) == kWall);
    CHECK(b.g.cookie_ms(now_b) == kWall);

    const Segment syn = syn_of(full_offer(100));
    const sc::Cookie ca = a.mint(syn, now_a);
    const sc::Cookie cb = b.mint(syn, now_b);
    const std::optional<SynOffer> rb = b.g.check(kTuple, ack_of(ca, true), now_b + 40);
    REQUIRE(rb.has_value());
    CHECK(rb->mss == 1400);
    CHECK(rb->wscale == 7);
    CHECK(rb->sack_ok);
    CHECK(a.g.check(kTuple, ack_of(cb, true), now_a + 40));
    // Without the offset B's cookie clock is its uptime: A's cookie is not
    // one of its periods.
    b.g.set_wall_offset_ms(0);
    CHECK(!b.g.check(kTuple, ack_of(ca, true), now_b + 40));
}

TEST_CASE("SynGuard::prepare_x4 plans the cookies of bare SYNs to cookie listeners only",
          "[tcp][syn_guard]") {
    Fixture f(guard_config(2));
    const uint64_t now = kPeriodStart + 777;
    const Tuple closed{0xC6120001, 0xC6120004, 81, 40000};  // no listener on 81
    TcpOptions plain = full_offer(0);
    plain.has_timestamp = false;
    Inbound in[4];
    in[0].tuple = kTuple;
    in[0].seg = syn_of(full_offer(100));
    in[1].tuple = kOther;
    in[1].seg = syn_of(plain, 5000);
    in[2].tuple = closed;
    in[2].seg = syn_of(full_offer(100));
    in[3].tuple = kOther;
    in[3].seg = syn_of(full_offer(100), 7000, flag::kSyn | flag::kAck);
    for (int i = 0; i < 4; ++i) {
        in[i].hash = FlowHash{(uint64_t(0x100 + i) << 32) | uint64_t(0x2000 + i)};
        in[i].mac.gen = 99;  // stale: prepare_x4 resets what it does not plan
    }
    Inbound* p[4] = {&in[0], &in[1], &in[2], &in[3]};
    f.g.prepare_x4(now, p);
    CHECK(in[2].mac.gen == 0);
    CHECK(in[3].mac.gen == 0);
    for (int i = 0; i < 2; ++i) {
        INFO("SYN " << i);
        const CookieMac& m = in[i].mac;
        REQUIRE(m.gen != 0);
        CHECK(m.flow == in[i].hash.v);
        CHECK(m.now_ms == now);
        CHECK(m.isn == in[i].seg.seq.raw());
        const SynOffer on = agreed(f.cfg, offer_of(in[i].seg.opt));
        const sc::Cookie hinted = f.g.mint(in[i].tuple, on, in[i].seg, in[i].hash, now, &m);
        const sc::Cookie own = f.g.mint(in[i].tuple, on, in[i].seg, in[i].hash, now, nullptr);
        CHECK(hinted.isn == own.isn);
        CHECK(hinted.tsval == own.tsval);
        // The hint is what the cookie is made of: a wrong MAC shows.
        CookieMac wrong = m;
        wrong.mac ^= uint64_t(1) << 40;
        CHECK(f.g.mint(in[i].tuple, on, in[i].seg, in[i].hash, now, &wrong).isn != own.isn);
        // A hint made for another clock, ISN or flow is not used.
        CookieMac other_clock = wrong;
        other_clock.now_ms = now + 1;
        CHECK(f.g.mint(in[i].tuple, on, in[i].seg, in[i].hash, now, &other_clock).isn == own.isn);
        CookieMac other_isn = wrong;
        other_isn.isn += 1;
        CHECK(f.g.mint(in[i].tuple, on, in[i].seg, in[i].hash, now, &other_isn).isn == own.isn);
        CookieMac other_flow = wrong;
        other_flow.flow ^= 1;
        CHECK(f.g.mint(in[i].tuple, on, in[i].seg, in[i].hash, now, &other_flow).isn == own.isn);
    }
    // Nor one made under the previous secret.
    f.g.set_secrets({{5, 6}, {5, 6}}, false);
    CookieMac stale = in[0].mac;
    stale.mac ^= uint64_t(1) << 40;
    const SynOffer on0 = agreed(f.cfg, offer_of(in[0].seg.opt));
    CHECK(f.g.mint(kTuple, on0, in[0].seg, in[0].hash, now, &stale).isn ==
          f.g.mint(kTuple, on0, in[0].seg, in[0].hash, now, nullptr).isn);

    // SYN+RST, SYN+FIN and a bare ACK are not bare SYNs.
    in[0].seg.flags = flag::kSyn | flag::kRst;
    in[1].seg.flags = flag::kSyn | flag::kFin;
    in[2].tuple = kTuple;
    in[2].seg.flags = flag::kAck;
    in[3].seg.flags = flag::kSyn;  // now a bare SYN
    f.g.prepare_x4(now, p);
    CHECK(in[0].mac.gen == 0);
    CHECK(in[1].mac.gen == 0);
    CHECK(in[2].mac.gen == 0);
    CHECK(in[3].mac.gen != 0);
}

TEST_CASE("SynGuard::prepare_x4 with tcp.syncookies = 1 plans only for a full queue",
          "[tcp][syn_guard]") {
    Fixture f(guard_config(1));
    Inbound in[4];
    for (uint32_t i = 0; i < 4; ++i) {
        in[i].tuple = Tuple{0xC6120001, 0xC6120010 + i, 80, 40000};
        in[i].seg = syn_of(full_offer(100), kCisn + i);
        in[i].hash = FlowHash{uint64_t(i) * 0x1234567 + 1};
    }
    Inbound* p[4] = {&in[0], &in[1], &in[2], &in[3]};
    f.g.prepare_x4(kPeriodStart, p);
    for (const Inbound& x : in) CHECK(x.mac.gen == 0);
    f.half_open(0);
    f.half_open(1);
    f.g.prepare_x4(kPeriodStart, p);
    for (const Inbound& x : in) {
        REQUIRE(x.mac.gen != 0);
        const SynOffer on = agreed(f.cfg, offer_of(x.seg.opt));
        CHECK(f.g.mint(x.tuple, on, x.seg, x.hash, kPeriodStart, &x.mac).isn ==
              f.g.mint(x.tuple, on, x.seg, x.hash, kPeriodStart, nullptr).isn);
    }
}

TEST_CASE("SynGuard::admit applies tcp.syn_rate_per_source per source", "[tcp][syn_guard]") {
    SECTION("off") {
        Fixture f(guard_config(1));
        for (int i = 0; i < 100; ++i) CHECK(f.g.admit(0xC6130001, 1000));
    }
    SECTION("10 SYN/s with a burst of 3") {
        Tunables c = guard_config(1);
        c.syn_rate_per_source = 10;
        c.syn_burst_per_source = 3;
        Fixture f(c);
        const uint64_t t = 1'000'000;
        CHECK(f.g.admit(0xC6130001, t));
        CHECK(f.g.admit(0xC6130001, t));
        CHECK(f.g.admit(0xC6130001, t));
        CHECK(!f.g.admit(0xC6130001, t));
        CHECK(!f.g.admit(0xC6130001, t + 99));
        CHECK(f.g.admit(0xC6130002, t));        // another source has its own bucket
        CHECK(f.g.admit(0xC6130001, t + 100));  // one token per 100 ms
        CHECK(!f.g.admit(0xC6130001, t + 100));
        // 300 ms refill 3 tokens: the burst, and no more.
        CHECK(f.g.admit(0xC6130001, t + 400));
        CHECK(f.g.admit(0xC6130001, t + 400));
        CHECK(f.g.admit(0xC6130001, t + 400));
        CHECK(!f.g.admit(0xC6130001, t + 400));
        CHECK(!f.g.admit(0xC6130001, t + 450));
    }
}
