#include <catch2/catch.hpp>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <cstring>

#include "engine/worker.h"
#include "net/checksum.h"
#include "frames.h"
#include "ring_port.h"
#include "util/bytes.h"

using namespace tern;
using util::load_be16;
using util::store_be16;
using util::store_be32;
using test::arp_request;
using test::kOurIp;
using test::kPeerIp;
using test::kPeerMac;

namespace {

std::vector<uint8_t> echo_request(const net::MacAddr& dst, uint16_t id, uint16_t seq) {
    std::vector<uint8_t> f(14 + 20 + 8 + 16, 0);
    dst.to(f.data());
    std::memcpy(f.data() + 6, kPeerMac, 6);
    store_be16(f.data() + 12, 0x0800);
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    store_be16(ip + 2, 20 + 8 + 16);
    ip[8] = 64;
    ip[9] = 1;
    store_be32(ip + 12, kPeerIp);
    store_be32(ip + 16, kOurIp);
    store_be16(ip + 10, net::checksum(ip, 20));
    uint8_t* ic = ip + 20;
    ic[0] = 8;
    store_be16(ic + 4, id);
    store_be16(ic + 6, seq);
    for (int i = 0; i < 16; ++i) ic[8 + i] = uint8_t(i);
    store_be16(ic + 2, net::checksum(ic, 24));
    return f;
}

}  // namespace

TEST_CASE("worker answers ARP for its address with the exact reply", "[engine]") {
    test::RingPort rp("ring_arp");
    engine::Worker w(0, rp.cfg, {rp.queue()});
    rp.inject(arp_request(kOurIp));
    rp.inject(arp_request(0xC6120009));  // someone else's address
    REQUIRE(w.poll_once() == 2);
    auto out = rp.sent();
    REQUIRE(out.size() == 1);
    auto& r = out[0];
    REQUIRE(r.size() == 42);
    CHECK(std::memcmp(r.data(), kPeerMac, 6) == 0);
    CHECK(net::MacAddr::from(r.data() + 6) == rp.port.mac);
    CHECK(load_be16(r.data() + 12) == 0x0806);
    CHECK(load_be16(r.data() + 14 + 6) == 2);
    CHECK(net::MacAddr::from(r.data() + 14 + 8) == rp.port.mac);
    CHECK(util::load_be32(r.data() + 14 + 14) == kOurIp);
    CHECK(std::memcmp(r.data() + 14 + 18, kPeerMac, 6) == 0);
    CHECK(util::load_be32(r.data() + 14 + 24) == kPeerIp);
    CHECK(w.counters().arp_replies.get() == 1);
    CHECK(w.counters().drops[size_t(net::DropReason::not_for_us)].get() == 1);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("worker turns an echo request into a valid echo reply", "[engine]") {
    test::RingPort rp("ring_icmp");
    engine::Worker w(0, rp.cfg, {rp.queue()});
    rp.inject(echo_request(rp.port.mac, 0x1234, 7));
    REQUIRE(w.poll_once() == 1);
    auto out = rp.sent();
    REQUIRE(out.size() == 1);
    auto& r = out[0];
    REQUIRE(r.size() == 58);
    const uint8_t* ip = r.data() + 14;
    CHECK(util::load_be32(ip + 12) == kOurIp);
    CHECK(util::load_be32(ip + 16) == kPeerIp);
    CHECK(net::checksum(ip, 20) == 0);
    CHECK(ip[20] == 0);  // echo reply
    CHECK(load_be16(ip + 24) == 0x1234);
    CHECK(load_be16(ip + 26) == 7);
    CHECK(net::checksum(ip + 20, 24) == 0);
    CHECK(w.counters().icmp_echo_replies.get() == 1);
    CHECK(w.counters().tx_packets.get() == 1);
}

TEST_CASE("bad frames are counted by reason and never leak an mbuf", "[engine]") {
    test::RingPort rp("ring_bad");
    engine::Worker w(0, rp.cfg, {rp.queue()});
    auto good = echo_request(rp.port.mac, 1, 1);
    auto bad_ck = good;
    bad_ck[14 + 10] ^= 0xff;
    auto truncated = std::vector<uint8_t>(good.begin(), good.begin() + 30);
    auto short_eth = std::vector<uint8_t>(good.begin(), good.begin() + 10);
    rp.inject(bad_ck);
    rp.inject(truncated);
    rp.inject(short_eth);
    REQUIRE(w.poll_once() == 3);
    CHECK(rp.sent().empty());
    auto& d = w.counters().drops;
    CHECK(d[size_t(net::DropReason::bad_checksum)].get() == 1);
    CHECK(d[size_t(net::DropReason::truncated)].get() == 2);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("a dropped frame is counted once, by its most specific reason", "[engine]") {
    test::RingPort rp("ring_once");
    engine::Worker w(0, rp.cfg, {rp.queue()});
    const auto& c = w.counters();
    const auto& tcp = w.stack().counters();

    // ICMP we do not answer: a timestamp request (type 13).
    auto ts_request = echo_request(rp.port.mac, 1, 1);
    uint8_t* ic = ts_request.data() + 14 + 20;
    ic[0] = 13;
    store_be16(ic + 2, 0);
    store_be16(ic + 2, net::checksum(ic, 24));
    rp.inject(ts_request);
    // A TCP header whose data offset (4 words) is below its own size,
    // checksum right: the parser refuses it.
    test::PeerSegment s;
    s.flags = 0x02;
    auto bad_offset = test::tcp_frame(rp.port.mac, s);
    uint8_t* th = bad_offset.data() + 14 + 20;
    th[12] = 4 << 4;
    store_be16(th + 16, 0);
    store_be16(th + 16, net::csum_fold(net::csum_partial(
                            th, 20, net::pseudo_header_sum(kPeerIp, kOurIp, 6, 20))));
    rp.inject(bad_offset);
    // A frame in two chained mbufs.
    const auto good = echo_request(rp.port.mac, 1, 2);
    rte_mbuf* head = rte_pktmbuf_alloc(rp.port.pool);
    rte_mbuf* tail = rte_pktmbuf_alloc(rp.port.pool);
    REQUIRE((head && tail));
    std::memcpy(rte_pktmbuf_append(head, 34), good.data(), 34);
    std::memcpy(rte_pktmbuf_append(tail, uint16_t(good.size() - 34)), good.data() + 34,
                good.size() - 34);
    REQUIRE(rte_pktmbuf_chain(head, tail) == 0);
    REQUIRE(rte_ring_enqueue(rp.rx, head) == 0);

    REQUIRE(w.poll_once() == 3);
    CHECK(rp.sent().empty());
    CHECK(c.rx_packets.get() == 3);
    CHECK(c.rx_bytes.get() == 2 * good.size() + bad_offset.size());
    CHECK(c.icmp_other.get() == 1);
    CHECK(c.rx_multiseg.get() == 1);
    CHECK(c.tcp_segments.get() == 1);
    CHECK(tcp.parse_bad_data_offset.get() == 1);
    CHECK(tcp.segments_in.get() == 0);
    for (size_t r = 0; r < size_t(net::DropReason::count); ++r) {
        INFO("drop_" << net::drop_reason_name(net::DropReason(r)));
        CHECK(c.drops[r].get() == 0);
    }
    // The names /tern/stats shows: no second count of the TCP header.
    for (const auto& [name, value] : engine::sum_counters({&c}))
        CHECK(name != "tcp_bad_header");
    CHECK(rp.mbufs_in_use() == 0);
}

namespace {
// The ICMP sequence number of an echo reply the worker sent.
uint16_t reply_seq(const std::vector<uint8_t>& f) { return uint16_t(f[40] << 8 | f[41]); }
}  // namespace

TEST_CASE("a full TX ring keeps what it did not take and sends it, in order, later", "[engine]") {
    test::RingPort rp("ring_txfull", 16);  // ring holds 15
    rp.cfg.engine.burst = 32;
    engine::Worker w(0, rp.cfg, {rp.queue()});
    for (int i = 0; i < 40; ++i) rp.inject(echo_request(rp.port.mac, 1, uint16_t(i)));
    REQUIRE(w.poll_once() == 32);  // one burst: 32 replies, 15 fit the ring
    CHECK(w.counters().tx_packets.get() == 15);
    CHECK(w.counters().tx_deferred.get() == 17);
    CHECK(w.counters().tx_full_drops.get() == 0);
    CHECK(rp.mbufs_in_use() == 8 + 15 + 17);  // 8 queued for RX, 15 in the ring, 17 waiting
    std::vector<uint16_t> seqs;
    for (int poll = 0; poll < 5 && seqs.size() < 40; ++poll) {
        for (auto& f : rp.sent()) seqs.push_back(reply_seq(f));
        w.poll_once();
    }
    for (auto& f : rp.sent()) seqs.push_back(reply_seq(f));
    REQUIRE(seqs.size() == 40);
    for (uint16_t i = 0; i < 40; ++i) CHECK(seqs[i] == i);
    CHECK(w.counters().tx_packets.get() == 40);
    CHECK(w.counters().tx_full_drops.get() == 0);
    // Each frame that waited counts once: seq 15-31 at the first flush, and
    // 32-39, which queued behind the last two of them, at the second.
    CHECK(w.counters().tx_deferred.get() == 25);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("a TX ring that takes nothing: RX waits a few polls once a burst of replies does, "
          "nothing leaked",
          "[engine]") {
    test::RingPort rp("ring_txstuck", 16);  // ring holds 15
    rp.cfg.engine.burst = 32;
    engine::Worker w(0, rp.cfg, {rp.queue()});
    uint64_t now = 1000;  // µs, 1 per poll: far from engine.tx_stall_us
    for (int i = 0; i < 100; ++i) rp.inject(echo_request(rp.port.mac, 1, uint16_t(i)));
    unsigned got = 0;
    for (int poll = 0; poll < 10; ++poll) got += w.poll_once(now += 1);
    // Poll 1: 32 replies, 15 into the ring, 17 wait; poll 2: 32 more, none
    // taken, 49 wait (>= one burst); polls 3-6 leave RX alone, as many as
    // Worker::kMaxRxHeldPolls; poll 7 reads 32 more (81 wait); 8-10 wait.
    static_assert(engine::Worker::kMaxRxHeldPolls == 4);
    CHECK(got == 96);
    CHECK(w.counters().rx_held_back.get() == 7);
    CHECK(w.counters().tx_full_drops.get() == 0);
    CHECK(w.counters().tx_stall_drops.get() == 0);
    CHECK(rp.mbufs_in_use() == 100);  // 4 in RX, 15 in the ring, 81 waiting
    std::vector<uint16_t> seqs;
    for (int poll = 0; poll < 20 && seqs.size() < 100; ++poll) {
        for (auto& f : rp.sent()) seqs.push_back(reply_seq(f));
        got += w.poll_once(now += 1);
    }
    for (auto& f : rp.sent()) seqs.push_back(reply_seq(f));
    CHECK(got == 100);
    REQUIRE(seqs.size() == 100);
    for (uint16_t i = 0; i < 100; ++i) CHECK(seqs[i] == i);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("more replies than a batch holds, for a ring that takes none: the newest are dropped, "
          "the rest freed at stop", "[engine]") {
    test::RingPort rp("ring_txtail", 16);
    rp.cfg.engine.burst = engine::kMaxBurst;
    {
        engine::Worker w(0, rp.cfg, {rp.queue()});
        uint64_t now = 1000;
        for (int i = 0; i < 600; ++i) rp.inject(echo_request(rp.port.mac, 1, uint16_t(i)));
        // 512 replies, 15 taken; then 88 more into 497 waiting: 15 fit, 73 go.
        CHECK(w.poll_once(now += 1) == engine::kMaxBurst);
        CHECK(w.poll_once(now += 1) == 600 - engine::kMaxBurst);
        CHECK(w.counters().tx_packets.get() == 15);
        CHECK(w.counters().tx_full_drops.get() == 600 - 15 - engine::kMaxBurst);
        CHECK(rp.mbufs_in_use() == 15 + engine::kMaxBurst);
    }  // the worker stops: what still waits is freed
    CHECK(rp.mbufs_in_use() == 15);
    auto sent = rp.sent();
    REQUIRE(sent.size() == 15);
    CHECK(reply_seq(sent.front()) == 0);
    CHECK(rp.mbufs_in_use() == 0);
}
