// The worker's configuration: the TCP tunables live in its Stack (where a
// run-time change lands), the engine settings it needs are its own copies.
#include <catch2/catch.hpp>

#include <string>

#include "engine/worker.h"
#include "frames.h"
#include "log_capture.h"
#include "ring_port.h"

using namespace tern;

TEST_CASE("the SYN-flood log line reads tcp.syncookies as changed at run time", "[engine]") {
    test::RingPort rp("ring_flood_log");
    config::apply_set(rp.cfg, "listen.port=7");
    config::apply_set(rp.cfg, "listen.app=echo");
    config::apply_set(rp.cfg, "tcp.syn_flood_rate=10");
    REQUIRE(rp.cfg.tcp.syncookies == 1);
    engine::Worker w(0, rp.cfg, {rp.queue()});
    // What the control channel's set_tunables does, on the worker's core.
    tcp::Tunables t = w.stack().tunables();
    t.syncookies = 0;
    w.stack().update_tunables(t);
    rp.cfg.tcp.syncookies = 2;  // the configuration it was built from no longer matters

    test::LogCapture log;
    uint64_t now = 1'000'000;
    w.poll_once(now);
    // 30 SYNs in one second from distinct ports, none completing: over the
    // flood rate of 10.
    test::PeerSegment s;
    s.flags = 0x02;
    for (uint16_t i = 0; i < 30; ++i) {
        s.sport = uint16_t(40000 + i);
        s.seq = 1000u * i;
        rp.inject(test::tcp_frame(rp.port.mac, s));
    }
    CHECK(w.poll_once(now += 1000) == 30);
    CHECK(rp.sent().size() == 30);  // SYN-ACKs from half-open entries, no cookies
    for (int i = 0; i < 3; ++i) w.poll_once(now += 1'000'000);
    CHECK(w.stack().counters().syn_floods.get() == 1);
    CHECK(w.stack().counters().syncookies_sent.get() == 0);
    const std::string text = log.text();
    INFO(text);
    CHECK(text.find("worker 0: under SYN flood since") != std::string::npos);
    CHECK(text.find("SYN cookies off (tcp.syncookies=0)") != std::string::npos);
    rp.drain();
}
