// A worker whose port cannot send: a TX ring nobody drains for seconds, and
// a frame longer than the port's MTU. The worker must keep receiving, free
// and count what it cannot send, and come back when the port does.
#include <catch2/catch.hpp>

#include <rte_ring.h>

#include <string>
#include <vector>

#include "engine/worker.h"
#include "frames.h"
#include "log_capture.h"
#include "ring_port.h"

using namespace tern;

TEST_CASE("a TX ring nobody drains for 3 s never stops RX; the port comes back", "[engine][tx]") {
    test::RingPort rp("ring_stall", 64);  // 63 frames fill the TX ring
    engine::Worker w(0, rp.cfg, {rp.queue()});
    const auto& c = w.counters();
    const auto arp = test::arp_request(test::kOurIp);
    uint64_t now = 1'000'000, injected = 0;
    unsigned deaf_polls = 0, longest_deaf = 0;
    // 3 s of polls 250 µs apart, 40 requests each: far more replies than
    // the ring takes.
    for (int i = 0; i < 12000; ++i) {
        for (int k = 0; k < 40; ++k) injected += rp.try_inject(arp);
        const bool waiting = rte_ring_count(rp.rx) > 0;
        const unsigned got = w.poll_once(now);
        deaf_polls = waiting && got == 0 ? deaf_polls + 1 : 0;
        longest_deaf = std::max(longest_deaf, deaf_polls);
        now += 250;
    }
    // Quiet polls past the stall limit: whatever still waits is given up.
    for (int i = 0; i < 200; ++i) w.poll_once(now += 1000);
    CHECK(rte_ring_count(rp.rx) == 0);
    CHECK(longest_deaf <= engine::Worker::kMaxRxHeldPolls);
    CHECK(c.rx_packets.get() == injected);
    CHECK(c.arp_replies.get() == injected);
    CHECK(c.tx_packets.get() == 63);
    CHECK(c.tx_stall_drops.get() > 0);
    CHECK(c.tx_refused.get() == 0);  // a full ring is not a refusal
    // Every reply went out or was freed and counted.
    CHECK(c.tx_packets.get() + c.tx_stall_drops.get() + c.tx_full_drops.get() == injected);
    CHECK(rp.mbufs_in_use() == 63);  // only what sits in the TX ring

    // The peer drains the ring: the worker answers again at once.
    CHECK(rp.sent().size() == 63);
    for (int k = 0; k < 5; ++k) rp.inject(arp);
    CHECK(w.poll_once(now += 1000) == 5);
    CHECK(rp.sent().size() == 5);
    CHECK(rp.mbufs_in_use() == 0);
}

namespace {

// The peer's SYN (seq 1000, no options) handed to the worker through
// `inject`, at `now`: returns the one segment the worker answered with.
template <class Inject>
test::SentSegment syn_answer(test::RingPort& rp, engine::Worker& w, uint64_t now, Inject inject) {
    test::PeerSegment s;
    s.seq = 1000;
    s.flags = 0x02;
    inject(test::tcp_frame(rp.port.mac, s));
    w.poll_once(now);
    auto out = rp.sent();
    REQUIRE(out.size() == 1);
    return test::sent_segment(out[0]);
}

}  // namespace

TEST_CASE("a segment longer than the port's MTU allows is not sent, but counted and logged",
          "[engine][tx]") {
    test::RingPort rp("ring_big");
    config::apply_set(rp.cfg, "listen.port=7");
    config::apply_set(rp.cfg, "listen.app=echo");
    engine::QueueRef q = rp.queue();
    // A port that sends 454-byte frames at most, and a peer without an MSS
    // option (536 bytes): the echo's 536-byte segments make 590-byte frames.
    q.max_frame = 14 + 20 + 20 + 400;
    engine::Worker w(0, rp.cfg, {q});
    const auto& c = w.counters();
    test::LogCapture log;
    uint64_t now = 1'000'000;

    const test::SentSegment synack =
        syn_answer(rp, w, now, [&](const std::vector<uint8_t>& f) { rp.inject(f); });
    CHECK(synack.flags == 0x12);
    CHECK(synack.ack == 1001);

    test::PeerSegment s;
    s.seq = 1001;
    s.ack = synack.seq + 1;
    s.flags = 0x10;
    rp.inject(test::tcp_frame(rp.port.mac, s));
    s.flags = 0x18;
    s.payload.assign(1000, 'x');
    rp.inject(test::tcp_frame(rp.port.mac, s));
    w.poll_once(now += 1000);
    auto out = rp.sent();
    // The echo's two data segments (536 + 464 bytes, each carrying the ACK
    // of the 1,000 bytes) are both too long: nothing goes out.
    CHECK(c.tx_frame_too_big.get() == 2);
    CHECK(out.empty());
    const std::string line = log.text();
    CHECK(line.find("dropped a 590-byte frame (port 0 sends 454 at most) for "
                    "198.18.0.2:7 -> 198.18.0.1:40000") != std::string::npos);
    CHECK(line.find("536 payload and 20 header bytes") != std::string::npos);
    // Once a second at most: the second frame was counted, not logged.
    CHECK(line.find("dropped a 518-byte frame") == std::string::npos);

    // Retransmissions (RTO) are dropped the same way; nothing leaks.
    for (int i = 0; i < 40; ++i) w.poll_once(now += 100'000);
    CHECK(c.tx_frame_too_big.get() > 2);
    for (const auto& f : rp.sent()) CHECK(f.size() <= q.max_frame);
    CHECK(log.text().find("more since the last such line") != std::string::npos);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("a segment longer than its mbuf holds is counted as too big, not as a pool run dry",
          "[engine][tx]") {
    test::RingPort rp("ring_big_mbuf");
    config::apply_set(rp.cfg, "listen.port=7");
    config::apply_set(rp.cfg, "listen.app=http");
    config::apply_set(rp.cfg, "http.body=" + std::string(1000, 'b'));
    // Mbufs of 512 bytes after the headroom, for what the peer sends and
    // what the worker allocates: the port's MTU (1514-byte frames) allows
    // more than they hold.
    rte_mempool* small = rte_pktmbuf_pool_create("small_mbufs", 63, 0, 0,
                                                 RTE_PKTMBUF_HEADROOM + 512, SOCKET_ID_ANY);
    REQUIRE(small != nullptr);
    auto inject = [&](const std::vector<uint8_t>& f) {
        rte_mbuf* m = rte_pktmbuf_alloc(small);
        REQUIRE(m != nullptr);
        auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, uint16_t(f.size())));
        REQUIRE(p != nullptr);
        std::copy(f.begin(), f.end(), p);
        REQUIRE(rte_ring_enqueue(rp.rx, m) == 0);
    };
    {
        engine::QueueRef q = rp.queue();
        q.pool = small;
        REQUIRE(q.max_frame == 1514);
        engine::Worker w(0, rp.cfg, {q});
        const auto& c = w.counters();
        test::LogCapture log;
        uint64_t now = 1'000'000;

        const test::SentSegment synack = syn_answer(rp, w, now, inject);
        CHECK(synack.flags == 0x12);

        test::PeerSegment s;
        s.seq = 1001;
        s.ack = synack.seq + 1;
        s.flags = 0x18;
        const std::string req = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
        s.payload.assign(req.begin(), req.end());
        inject(test::tcp_frame(rp.port.mac, s));
        w.poll_once(now += 1000);
        // The answer (1,000 body bytes and its head: 1,091) in segments of
        // up to 536 bytes (the peer sent no MSS): the first two, in the
        // request's own mbuf and in a fresh one, do not fit; the last does.
        const auto out = rp.sent();
        REQUIRE(out.size() == 1);
        const test::SentSegment last = test::sent_segment(out[0]);
        CHECK(last.flags == 0x18);
        CHECK(last.seq == synack.seq + 1 + 2 * 536);
        CHECK(last.ack == 1001 + req.size());
        CHECK(last.payload.size() == 1091 - 2 * 536);
        CHECK(c.tx_frame_too_big.get() == 2);
        CHECK(c.tx_no_mbuf.get() == 0);
        CHECK(log.text().find("dropped a 590-byte frame (port 0 sends 512 at most) for "
                              "198.18.0.2:7 -> 198.18.0.1:40000") != std::string::npos);
    }
    CHECK(rte_mempool_in_use_count(small) == 0);
    CHECK(rp.mbufs_in_use() == 0);
    rte_mempool_free(small);
}
