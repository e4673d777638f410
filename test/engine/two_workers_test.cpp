// Two workers on two queues of one port, as the engine runs them: the test
// is the NIC, hashing each frame with the symmetric RSS key the engine
// programs (dpdk::kSymmetricRssKey) and queueing it where RSS would. Each
// connection is handled entirely by the worker that owns its queue, and
// the workers share nothing: each has its own Stack (TCB pool, flow table,
// timers, chunk pool) and counters; only the port's mbuf pool is common, as
// in the engine (a DPDK mempool is made for that).
#include <catch2/catch.hpp>

#include <array>
#include <memory>

#include "tcp_peer.h"

using namespace tern;
using namespace tern::test;
using tcp::State;

TEST_CASE("RSS sends both directions of a flow to one queue: 198.18.0.1:4xxxx <-> 198.18.0.2:7",
          "[engine][tcp][rss]") {
    for (uint16_t port = 41000; port < 41100; ++port)
        CHECK(RingPort::rss_hash(kPeerIp, kOurIp, port, 7) ==
              RingPort::rss_hash(kOurIp, kPeerIp, 7, port));
}

TEST_CASE("two workers over two RSS queues: each connection lives on its owner only, nothing "
          "shared",
          "[engine][tcp][rss]") {
    Rig r("tcp_2w", {"listen.port=7", "listen.app=echo"}, 2);
    REQUIRE(r.rp.port.nb_queues == 2);
    CHECK(&r.stack(0) != &r.stack(1));
    CHECK(&r.w(0).counters() != &r.w(1).counters());

    constexpr unsigned kConns = 16;
    std::vector<std::unique_ptr<Peer>> peers;
    std::array<unsigned, 2> conns{}, bytes_in{};
    for (unsigned i = 0; i < kConns; ++i) {
        peers.push_back(std::make_unique<Peer>(r, uint16_t(41000 + i), 7));
        ++conns[r.owner(peers.back()->tuple())];
    }
    // The key and these ports spread them over both workers.
    REQUIRE(conns[0] > 0);
    REQUIRE(conns[1] > 0);
    CHECK(conns[0] + conns[1] == kConns);

    for (unsigned i = 0; i < kConns; ++i) {
        Peer& p = *peers[i];
        const size_t own = r.owner(p.tuple()), other = 1 - own;
        INFO("connection " << i << " owned by worker " << own);
        p.connect();  // every SYN-ACK field checked, ESTABLISHED on the owner
        CHECK(r.tx_queue == std::vector<uint16_t>{});  // the last exchange (the ACK) sent nothing
        CHECK(r.stack(other).state_of(p.tuple()) == State::Closed);
        CHECK(r.stack(other).find(p.tuple()) == nullptr);

        const std::string msg = "hello " + std::to_string(i);
        p.echo(1, 1, msg, uint16_t(65536 - msg.size()));
        // The echo left on the owner's TX queue, and its hash (from us to
        // the client) picks the owner's RX queue: both directions of the
        // flow stay on one worker.
        CHECK(r.tx_queue == std::vector<uint16_t>{uint16_t(own)});
        CHECK(r.rp.rss_queue(RingPort::rss_hash(kOurIp, p.addr, 7, p.sport)) == own);
        bytes_in[own] += uint32_t(msg.size());
    }

    // Each worker's Stack and counters hold its own connections and nothing
    // of the other's: SYN, ACK and data segment of each, one SYN-ACK and one
    // echo of each.
    for (size_t k = 0; k < 2; ++k) {
        INFO("worker " << k);
        const auto& t = r.tcp(k);
        const auto& c = r.w(k).counters();
        CHECK(r.stack(k).live_tcbs() == conns[k]);
        CHECK(r.stack(k).flows() == conns[k]);
        CHECK(t.segments_in.get() == 3 * conns[k]);
        CHECK(t.segments_out.get() == 2 * conns[k]);
        CHECK(t.passive_opens.get() == conns[k]);
        CHECK(t.established.get() == conns[k]);
        CHECK(t.bytes_delivered.get() == bytes_in[k]);
        CHECK(t.listen_ack_rst.get() == 0);
        CHECK(t.no_listener.get() == 0);
        CHECK(c.rx_packets.get() == 3 * conns[k]);
        CHECK(c.tx_packets.get() == 2 * conns[k]);
        CHECK(c.live_conns.get() == conns[k]);
        CHECK(c.chunks_in_use.get() == conns[k]);  // each echo waits for its ACK in one chunk
        unsigned seen = 0;
        r.stack(k).for_each_conn([&](const tcp::Conn& conn) {
            ++seen;
            CHECK(r.owner(conn.tuple()) == k);
        });
        CHECK(seen == conns[k]);
    }

    // A segment a broken NIC steers to the wrong queue finds no state
    // there: the non-owner answers as for any stray ACK to a listener (RST
    // at its ACK number); the owner's connection is untouched.
    {
        Peer& p = *peers[0];
        const size_t own = r.owner(p.tuple()), other = 1 - own;
        const uint32_t n = uint32_t(std::string("hello 0").size());
        r.rp.inject(p.segment(kAck, 1 + n, 1 + n), uint16_t(other));
        const auto out = r.advance(1000);
        REQUIRE(out.size() == 1);
        CHECK(r.tx_queue == std::vector<uint16_t>{uint16_t(other)});
        CHECK(out[0].flags == kRst);
        CHECK(out[0].seq == p.iss + 1 + n);
        CHECK(r.tcp(other).listen_ack_rst.get() == 1);
        CHECK(r.stack(own).state_of(p.tuple()) == State::Established);
        CHECK(r.tcp(own).segments_in.get() == 3 * conns[own]);
    }

    // Every client acknowledges its echo and closes; each worker ends its
    // own connections.
    for (unsigned i = 0; i < kConns; ++i) {
        Peer& p = *peers[i];
        const uint32_t n = uint32_t(("hello " + std::to_string(i)).size());
        const auto out = p.exchange({p.segment(kFin | kAck, 1 + n, 1 + n)});
        REQUIRE(out.size() == 1);
        CHECK(out[0] == p.expect(kFin | kAck, 1 + n, 2 + n, 65535));
        CHECK(p.exchange({p.segment(kAck, 2 + n, 2 + n)}).empty());
    }
    for (size_t k = 0; k < 2; ++k) {
        INFO("worker " << k);
        CHECK(r.stack(k).live_tcbs() == 0);
        CHECK(r.stack(k).flows() == 0);
        CHECK(r.tcp(k).conn_closed.get() == conns[k]);
        CHECK(r.tcp(k).peer_fins.get() == conns[k]);
        CHECK(r.w(k).counters().chunks_in_use.get() == 0);
        CHECK(r.stack(k).check_invariants() == "");
    }
    CHECK(r.rp.mbufs_in_use() == 0);
}
