// tcp negotiation alone: what a SYN offers (offer_of), what both sides
// use (agreed), what a TCB takes from it (negotiate: options, send MSS,
// TS.Recent) and the options of our SYN or SYN-ACK (put_syn_options).
#include <catch2/catch.hpp>

#include "harness.h"
#include "tcp/negotiation.h"

using namespace tern::tcp;

namespace {

SynOffer offer(uint16_t mss, bool ws, uint8_t wscale, bool sack, bool ts) {
    SynOffer s;
    s.mss = mss;
    s.wscale_ok = ws;
    s.wscale = wscale;
    s.sack_ok = sack;
    s.timestamps = ts;
    return s;
}

}  // namespace

TEST_CASE("offer_of: each option as the SYN carried it; no MSS option means 536",
          "[tcp][negotiation]") {
    const SynOffer none = offer_of(TcpOptions{});
    CHECK(none.mss == 536);
    CHECK(!none.wscale_ok);
    CHECK(none.wscale == 0);
    CHECK(!none.sack_ok);
    CHECK(!none.timestamps);
    CHECK(!none.ecn);

    const SynOffer all = offer_of(tcptest::full_offer(777));
    CHECK(all.mss == 1400);
    CHECK(all.wscale_ok);
    CHECK(all.wscale == 7);
    CHECK(all.sack_ok);
    CHECK(all.timestamps);
    CHECK(!all.ecn);

    // An MSS option is taken as given, even below 536.
    TcpOptions small;
    small.has_mss = true;
    small.mss = 100;
    CHECK(offer_of(small).mss == 100);
    // A window scale option of shift 0 is still an offer of scaling.
    TcpOptions ws0;
    ws0.has_wscale = true;
    const SynOffer w = offer_of(ws0);
    CHECK(w.wscale_ok);
    CHECK(w.wscale == 0);
    CHECK(w.mss == 536);
}

TEST_CASE("agreed: each option only if both sides offer it", "[tcp][negotiation]") {
    const SynOffer peer_all = offer(1400, true, 9, true, true);
    const SynOffer peer_none = offer(1220, false, 0, false, false);
    Tunables on;  // timestamps, window scaling and SACK enabled by default
    REQUIRE(on.timestamps);
    REQUIRE(on.window_scaling);
    REQUIRE(on.sack);

    SynOffer a = agreed(on, peer_all);
    CHECK(a.mss == 1400);  // the peer's: what it can receive
    CHECK(a.wscale_ok);
    CHECK(a.wscale == 9);
    CHECK(a.sack_ok);
    CHECK(a.timestamps);
    CHECK(!a.ecn);

    a = agreed(on, peer_none);
    CHECK(a.mss == 1220);
    CHECK(!a.wscale_ok);
    CHECK(!a.sack_ok);
    CHECK(!a.timestamps);

    // One tunable off at a time: only that option goes.
    Tunables no_ws = on;
    no_ws.window_scaling = false;
    a = agreed(no_ws, peer_all);
    CHECK(!a.wscale_ok);
    CHECK(a.sack_ok);
    CHECK(a.timestamps);
    Tunables no_sack = on;
    no_sack.sack = false;
    a = agreed(no_sack, peer_all);
    CHECK(a.wscale_ok);
    CHECK(!a.sack_ok);
    CHECK(a.timestamps);
    Tunables no_ts = on;
    no_ts.timestamps = false;
    a = agreed(no_ts, peer_all);
    CHECK(a.wscale_ok);
    CHECK(a.sack_ok);
    CHECK(!a.timestamps);
    // Our MSS does not enter the agreement.
    Tunables small_mss = on;
    small_mss.mss = 536;
    CHECK(agreed(small_mss, peer_all).mss == 1400);
    // ECN is never agreed (not supported).
    SynOffer ecn = peer_all;
    ecn.ecn = true;
    CHECK(!agreed(on, ecn).ecn);
}

TEST_CASE("negotiate: options, send MSS and TS.Recent in the TCB", "[tcp][negotiation]") {
    Tunables cfg;  // mss 1460, every option on

    SECTION("everything offered") {
        Tcb t;
        negotiate(t, cfg, 5, offer(1400, true, 9, true, true), 4242, 77);
        CHECK(t.ts_ok);
        CHECK(t.sack_ok);
        CHECK(t.ws_ok);
        CHECK(t.snd_wscale == 9);
        CHECK(t.rcv_wscale == 5);
        CHECK(t.ts_recent == 4242);
        CHECK(t.ts_recent_s == 77);     // set now (s): RFC 7323 5.5's 24 days count from it
        CHECK(t.snd_mss == 1400 - 12);  // every segment carries TSopt
    }
    SECTION("nothing offered but an MSS") {
        Tcb t;
        negotiate(t, cfg, 5, offer(1400, false, 9, false, false), 4242, 0);
        CHECK(!t.ts_ok);
        CHECK(!t.sack_ok);
        CHECK(!t.ws_ok);
        CHECK(t.snd_wscale == 0);
        CHECK(t.rcv_wscale == 0);  // no scaling either way
        CHECK(t.ts_recent == 0);
        CHECK(t.snd_mss == 1400);
    }
    SECTION("the smallest of the peer's MSS, ours and a chunk") {
        struct Case {
            uint16_t peer, ours;
            bool ts;
            uint16_t want;
        };
        for (const Case k :
             {Case{1460, 1460, true, 1448}, Case{1460, 1200, true, 1188},
              Case{1460, 1200, false, 1200}, Case{9000, 9000, true, 2048 - 12},
              Case{9000, 9000, false, 2048}, Case{536, 1460, false, 536},
              Case{100, 1460, false, 100}, Case{70, 1460, true, 58}, Case{40, 1460, false, 48}}) {
            INFO("peer " << k.peer << " ours " << k.ours << " ts " << k.ts);
            Tunables c = cfg;
            c.mss = k.ours;
            Tcb t;
            negotiate(t, c, 7, offer(k.peer, false, 0, false, k.ts), 1, 0);
            CHECK(t.snd_mss == k.want);
        }
    }
    SECTION("an option the tunables turn off is not used") {
        Tunables c = cfg;
        c.timestamps = false;
        c.window_scaling = false;
        Tcb t;
        negotiate(t, c, 5, offer(1400, true, 9, true, true), 4242, 0);
        CHECK(!t.ts_ok);
        CHECK(!t.ws_ok);
        CHECK(t.sack_ok);
        CHECK(t.snd_wscale == 0);
        CHECK(t.rcv_wscale == 0);
        CHECK(t.ts_recent == 0);
        CHECK(t.snd_mss == 1400);  // no TSopt room taken
    }
}

// Linux's tcp_min_snd_mss: a peer's MSS option below 48 is raised to 48
// before the TSopt room comes off (it used to be subtracted first, in
// unsigned arithmetic: MSS 8 gave 8 - 12 = 4294967292, truncated to 65532).
TEST_CASE("negotiate: a tiny MSS option with timestamps gives 48 - 12 bytes",
          "[tcp][negotiation]") {
    Tunables cfg;
    for (const uint16_t peer : {0, 1, 8, 11, 47, 48}) {
        INFO("peer MSS " << peer);
        Tcb t;
        negotiate(t, cfg, 7, offer(peer, false, 0, false, true), 1, 0);
        CHECK(t.ts_ok);
        CHECK(t.snd_mss == 36);
    }
}

// The same through a Stack: 640 bytes go out in segments of 36 bytes.
TEST_CASE("a peer's MSS option of 8 with timestamps: segments of 36 bytes", "[tcp][negotiation]") {
    using namespace tcptest;
    H h;
    h.make_established_ts(5, 8);
    const std::string data(640, 'm');
    REQUIRE(h.app.conn->send(reinterpret_cast<const uint8_t*>(data.data()), data.size()) == 640);
    h.flush();
    REQUIRE(h.out.size() == 18);  // 17 * 36 + 28
    for (size_t i = 0; i < h.out.size(); ++i) {
        INFO("segment " << i);
        CHECK(h.out[i].seq.raw() == h.iss + 1 + 36 * i);
        CHECK(h.out[i].total_payload() == (i + 1 < h.out.size() ? 36u : 28u));
    }
}

TEST_CASE("put_syn_options: our MSS and each option of the offer", "[tcp][negotiation]") {
    Tunables cfg;
    cfg.mss = 1440;
    SECTION("all on") {
        TcpOptions o;
        put_syn_options(o, cfg, 6, offer(1400, true, 9, true, true), 111, 222);
        CHECK(o.has_mss);
        CHECK(o.mss == 1440);  // ours, not the peer's
        CHECK(o.has_wscale);
        CHECK(o.wscale == 6);  // our shift, not the peer's
        CHECK(o.sack_permitted);
        CHECK(o.has_timestamp);
        CHECK(o.ts_val == 111);
        CHECK(o.ts_ecr == 222);
        CHECK(o.sack_count == 0);
    }
    SECTION("only the MSS") {
        TcpOptions o;
        put_syn_options(o, cfg, 6, offer(1400, false, 9, false, false), 111, 222);
        TcpOptions want;
        want.has_mss = true;
        want.mss = 1440;
        CHECK(o == want);
    }
    SECTION("each option alone") {
        TcpOptions ws, sack, ts;
        put_syn_options(ws, cfg, 3, offer(1400, true, 9, false, false), 111, 222);
        put_syn_options(sack, cfg, 3, offer(1400, false, 9, true, false), 111, 222);
        put_syn_options(ts, cfg, 3, offer(1400, false, 9, false, true), 111, 222);
        CHECK(ws.has_wscale);
        CHECK(ws.wscale == 3);
        CHECK(!ws.sack_permitted);
        CHECK(!ws.has_timestamp);
        CHECK(!sack.has_wscale);
        CHECK(sack.sack_permitted);
        CHECK(!sack.has_timestamp);
        CHECK(!ts.has_wscale);
        CHECK(!ts.sack_permitted);
        CHECK(ts.has_timestamp);
        CHECK(ts.ts_val == 111);
        CHECK(ts.ts_ecr == 222);
    }
}
