// lib/dpdk/mbuf.h's adapters on real mbufs, and the worker acting on the
// NIC's checksum verdicts through them.
#include <catch2/catch.hpp>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dpdk/mbuf.h"
#include "engine/worker.h"
#include "frames.h"
#include "net/checksum.h"
#include "ring_port.h"
#include "util/bytes.h"

using namespace tern;
using dpdk::Checksum;

namespace {

// A fresh mbuf holding `len` bytes at the default headroom.
rte_mbuf* filled(rte_mempool* pool, uint16_t len) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool);
    REQUIRE(m != nullptr);
    REQUIRE(rte_pktmbuf_append(m, len) != nullptr);
    return m;
}

// `frame` queued for the worker with the RX flags a NIC would have set.
void inject_with_flags(test::RingPort& rp, const std::vector<uint8_t>& frame, uint64_t ol_flags) {
    rte_mbuf* m = filled(rp.port.pool, uint16_t(frame.size()));
    std::copy(frame.begin(), frame.end(), rte_pktmbuf_mtod(m, uint8_t*));
    m->ol_flags = ol_flags;
    REQUIRE(rte_ring_enqueue(rp.rx, m) == 0);
}

// A SYN to port 9 (no listener: the Stack answers RST), its TCP checksum
// spoiled if asked.
std::vector<uint8_t> syn_to_closed_port(const net::MacAddr& dst, bool bad_tcp_checksum) {
    test::PeerSegment s;
    s.dport = 9;
    s.seq = 1000;
    s.flags = 0x02;
    auto f = test::tcp_frame(dst, s);
    if (bad_tcp_checksum) f[14 + 20 + 16] ^= 0x5a;
    return f;
}

}  // namespace

TEST_CASE("rx_checksums reads each of the four statuses DPDK reports", "[engine][mbuf]") {
    test::RingPort rp("ring_mbuf_rxck");
    rte_mbuf* m = filled(rp.port.pool, 60);
    struct Case {
        uint64_t flags;
        Checksum ip, l4;
    };
    const Case cases[] = {
        {0, Checksum::unknown, Checksum::unknown},
        {RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, Checksum::good, Checksum::good},
        {RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, Checksum::bad, Checksum::good},
        {RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD, Checksum::good, Checksum::bad},
        // NONE: the checksum in the frame is wrong although the data is
        // intact; read as unknown, so the software check decides.
        {RTE_MBUF_F_RX_IP_CKSUM_NONE | RTE_MBUF_F_RX_L4_CKSUM_NONE, Checksum::unknown,
         Checksum::unknown},
        // Other flags do not matter.
        {RTE_MBUF_F_RX_RSS_HASH | RTE_MBUF_F_RX_L4_CKSUM_GOOD, Checksum::unknown, Checksum::good},
    };
    for (const Case& c : cases) {
        m->ol_flags = c.flags;
        const dpdk::RxChecksums ck = dpdk::rx_checksums(m);
        CHECK(ck.ip == c.ip);
        CHECK(ck.l4 == c.l4);
        CHECK(ck.any_bad() == (c.ip == Checksum::bad || c.l4 == Checksum::bad));
    }
    m->ol_flags = 0;
    rte_pktmbuf_free(m);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("a frame rebuilt for TX starts at the headroom, one segment, no RX flag left",
          "[engine][mbuf]") {
    test::RingPort rp("ring_mbuf_tx");
    rte_mbuf* m = filled(rp.port.pool, 100);
    REQUIRE(rte_pktmbuf_adj(m, 14) != nullptr);  // a received frame whose start moved
    m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_BAD | RTE_MBUF_F_RX_RSS_HASH;
    CHECK(dpdk::frame_len(m) == 86);
    CHECK(dpdk::packet_len(m) == 86);
    CHECK(dpdk::is_single_segment(m));
    CHECK(dpdk::tx_room(m) == uint32_t(m->buf_len - RTE_PKTMBUF_HEADROOM));
    CHECK(dpdk::tx_room(m) == RTE_MBUF_DEFAULT_DATAROOM);
    CHECK(dpdk::tx_fits(m, RTE_MBUF_DEFAULT_DATAROOM));
    CHECK_FALSE(dpdk::tx_fits(m, RTE_MBUF_DEFAULT_DATAROOM + 1));

    uint8_t* p = dpdk::start_tx_frame(m, 60);
    CHECK(p == static_cast<uint8_t*>(m->buf_addr) + RTE_PKTMBUF_HEADROOM);
    CHECK(p == dpdk::frame_data(m));
    CHECK(m->data_off == RTE_PKTMBUF_HEADROOM);
    CHECK(dpdk::frame_len(m) == 60);
    CHECK(dpdk::packet_len(m) == 60);
    CHECK(m->ol_flags == 0);

    dpdk::trim_frame(m, 42);
    CHECK(dpdk::frame_len(m) == 42);
    CHECK(dpdk::packet_len(m) == 42);
    CHECK(m->data_off == RTE_PKTMBUF_HEADROOM);
    dpdk::free_mbuf(m);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("reuse_for_tx clears every flag but an attached external buffer's", "[engine][mbuf]") {
    test::RingPort rp("ring_mbuf_ext");
    rte_mbuf* m = filled(rp.port.pool, 60);
    m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_EXTERNAL;
    dpdk::reuse_for_tx(m);
    CHECK(m->ol_flags == RTE_MBUF_F_EXTERNAL);
    m->ol_flags = 0;  // it was never attached: freed as an ordinary mbuf
    dpdk::free_mbuf(m);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("request_tx_checksums sets the flags and header lengths asked for, and nothing without",
          "[engine][mbuf]") {
    test::RingPort rp("ring_mbuf_txck");
    rte_mbuf* m = filled(rp.port.pool, 60);
    const uint64_t marker = 0x0123456789abcdefull;
    struct Case {
        dpdk::TxChecksumOffload c;
        uint64_t flags;
    };
    const Case cases[] = {
        {{.ip = false, .tcp = false}, 0},
        {{.ip = true, .tcp = false}, RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM},
        {{.ip = false, .tcp = true}, RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM},
        {{.ip = true, .tcp = true},
         RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM},
    };
    for (const Case& c : cases) {
        dpdk::start_tx_frame(m, 54);
        m->tx_offload = marker;
        dpdk::request_tx_checksums(m, c.c, 14, 20);
        CHECK(m->ol_flags == c.flags);
        if (c.flags == 0) {
            CHECK(m->tx_offload == marker);  // the second cache line untouched
        } else {
            CHECK(m->l2_len == 14);
            CHECK(m->l3_len == 20);
        }
    }
    dpdk::free_mbuf(m);
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("a chained mbuf is not one segment; its packet length counts every segment",
          "[engine][mbuf]") {
    test::RingPort rp("ring_mbuf_chain");
    rte_mbuf* head = filled(rp.port.pool, 40);
    rte_mbuf* tail = filled(rp.port.pool, 30);
    REQUIRE(rte_pktmbuf_chain(head, tail) == 0);
    CHECK_FALSE(dpdk::is_single_segment(head));
    CHECK(dpdk::frame_len(head) == 40);
    CHECK(dpdk::packet_len(head) == 70);
    dpdk::free_mbuf(head);  // both segments
    CHECK(rp.mbufs_in_use() == 0);
}

TEST_CASE("the worker drops what the NIC found bad, trusts what it found good and checks the "
          "rest itself",
          "[engine][mbuf]") {
    test::RingPort rp("ring_mbuf_verdicts");
    engine::Worker w(0, rp.cfg, {rp.queue()});
    const auto& c = w.counters();
    const auto& bad_ck = c.drops[size_t(net::DropReason::bad_checksum)];
    struct Case {
        const char* what;
        bool spoiled;    // the TCP checksum in the frame is wrong
        uint64_t flags;  // what the NIC says
        bool answered;   // the Stack saw it (and answers RST to the closed port)
    };
    const Case cases[] = {
        {"no verdict, checksum right", false, 0, true},
        {"no verdict, checksum wrong", true, 0, false},
        {"L4 good, checksum wrong: trusted", true, RTE_MBUF_F_RX_L4_CKSUM_GOOD, true},
        {"L4 bad, checksum right: the NIC decides", false, RTE_MBUF_F_RX_L4_CKSUM_BAD, false},
        {"IP bad", false, RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, false},
        {"L4 none, checksum wrong: checked in software", true, RTE_MBUF_F_RX_L4_CKSUM_NONE, false},
    };
    uint64_t drops = 0, answers = 0;
    for (const Case& k : cases) {
        INFO(k.what);
        inject_with_flags(rp, syn_to_closed_port(rp.port.mac, k.spoiled),
                          k.flags | RTE_MBUF_F_RX_RSS_HASH);
        REQUIRE(w.poll_once() == 1);
        drops += !k.answered;
        answers += k.answered;
        CHECK(bad_ck.get() == drops);
        CHECK(c.tcp_segments.get() == answers);
        void* obj = nullptr;
        if (k.answered) {
            // The SYN's own mbuf went out as the RST, with no RX flag left
            // to read as a TX offload request.
            REQUIRE(rte_ring_dequeue(rp.tx, &obj) == 0);
            auto* m = static_cast<rte_mbuf*>(obj);
            CHECK(m->ol_flags == 0);
            const uint8_t* d = dpdk::frame_data(m);
            const auto rst =
                test::sent_segment(std::vector<uint8_t>(d, d + dpdk::frame_len(m)));
            CHECK(rst.flags == 0x14);  // RST+ACK
            CHECK(rst.seq == 0);
            CHECK(rst.ack == 1001);
            rte_pktmbuf_free(m);
        }
        CHECK(rte_ring_dequeue(rp.tx, &obj) != 0);  // nothing (more) sent
    }
    CHECK(w.stack().counters().no_listener.get() == answers);
    CHECK(rp.mbufs_in_use() == 0);
}
