// The one list of tunables fixed once a Stack exists (tcp::keep_sizing),
// which both Stack::update_tunables and the engine's run-time change check
// (same_sizing) go by.
#include <catch2/catch.hpp>

#include "tcp/tunables.h"

using namespace tern::tcp;

TEST_CASE("a run-time change keeps every sizing field and nothing else", "[tcp][tunables]") {
    Tunables built;
    Tunables n;
    n.max_tcbs = 7;
    n.max_tw_buckets = 8;
    n.send_chunks = 9;
    n.max_listeners = 10;
    n.rcv_wnd = 11;
    n.window_scaling = false;
    n.syn_rate_per_source = 12;
    n.syn_burst_per_source = 13;
    n.syn_limiter_sources = 14;
    n.syn_flood_rate = 15;
    n.syncookies = 2;
    n.msl_ms = 16;
    n.somaxconn = 17;
    keep_sizing(n, built);
    Tunables expect = built;
    expect.syncookies = 2;
    expect.msl_ms = 16;
    expect.somaxconn = 17;
    CHECK(n == expect);
}

TEST_CASE("same_sizing tells a live change from one that needs a restart", "[tcp][tunables]") {
    const Tunables live;
    Tunables t = live;
    t.syncookies = 0;
    t.fin_timeout_ms = 1000;
    t.challenge_ack_limit = 5;
    CHECK(same_sizing(live, t));
    for (auto change : {+[](Tunables& x) { x.max_tcbs += 1; },
                        +[](Tunables& x) { x.max_tw_buckets += 1; },
                        +[](Tunables& x) { x.send_chunks += 1; },
                        +[](Tunables& x) { x.max_listeners += 1; },
                        +[](Tunables& x) { x.rcv_wnd += 1; },
                        +[](Tunables& x) { x.window_scaling = !x.window_scaling; },
                        +[](Tunables& x) { x.syn_rate_per_source += 1; },
                        +[](Tunables& x) { x.syn_burst_per_source += 1; },
                        +[](Tunables& x) { x.syn_limiter_sources += 1; },
                        +[](Tunables& x) { x.syn_flood_rate += 1; }}) {
        Tunables u = t;
        change(u);
        CHECK_FALSE(same_sizing(live, u));
    }
}
