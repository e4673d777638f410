// A port made of rte_rings: the test enqueues frames on a queue's `rx` ring
// (the worker receives them) and dequeues what the worker sent from its
// `tx` ring. With several queues the test plays the NIC's RSS too: it
// hashes each frame with the engine's symmetric key and queues it where a
// NIC would (inject_rss). The port's MAC is 02:00:c6:12:00:02.
#pragma once

#include <rte_ethdev.h>
#include <rte_eth_ring.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_thash.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.h"
#include "dpdk/port.h"
#include "engine/ports.h"
#include "engine/worker.h"
#include "util/bytes.h"

namespace tern::test {

struct RingPort {
    std::vector<rte_ring*> rx_rings, tx_rings;  // one of each per queue
    rte_ring* rx = nullptr;                     // queue 0's
    rte_ring* tx = nullptr;
    dpdk::Port port;
    config::Config cfg;

    explicit RingPort(const std::string& name, unsigned tx_size = 1024, uint16_t queues = 1) {
        config::apply_set(cfg, "engine.address=198.18.0.2/24");
        config::apply_set(cfg, "engine.mbufs=2047");
        config::apply_set(cfg, "engine.mbuf_cache=0");
        for (uint16_t q = 0; q < queues; ++q) {
            const std::string n = name + "_" + std::to_string(q);
            rx_rings.push_back(
                rte_ring_create((n + "rx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ));
            tx_rings.push_back(
                rte_ring_create((n + "tx").c_str(), tx_size, 0, RING_F_SP_ENQ | RING_F_SC_DEQ));
            if (!rx_rings.back() || !tx_rings.back())
                throw std::runtime_error("rte_ring_create failed");
        }
        rx = rx_rings[0];
        tx = tx_rings[0];
        int id = rte_eth_from_rings(name.c_str(), rx_rings.data(), queues, tx_rings.data(), queues, 0);
        if (id < 0) throw std::runtime_error("rte_eth_from_rings failed");
        port = queues == 1 ? dpdk::start_port(uint16_t(id), 1, engine::port_settings(cfg))
                           : start_queues(uint16_t(id), queues, name);
        // net_ring's MAC is all zeros and has no setter (no mac_addr_set
        // op); a zero source MAC would also pass for one never written. The
        // worker sends from its QueueRef's MAC, which queue() takes from here.
        port.mac = net::MacAddr{{0x02, 0x00, 0xc6, 0x12, 0x00, 0x02}};
    }
    ~RingPort() {
        for (uint16_t q = 0; q < rx_rings.size(); ++q) drain(q);
        dpdk::stop_port(port);
        for (rte_ring* r : rx_rings) rte_ring_free(r);
        for (rte_ring* r : tx_rings) rte_ring_free(r);
    }

    engine::QueueRef queue(uint16_t q = 0) const {
        engine::QueueRef r;
        r.port = port.id;
        r.queue = q;
        r.local.mac = port.mac;
        r.local.ip = cfg.engine.address.addr;
        r.local.broadcast = cfg.engine.address.broadcast();
        r.max_frame = uint32_t(port.mtu) + 14;
        r.pool = port.pool;
        return r;
    }

    // Copy a frame into a fresh mbuf from the port's pool and queue it for RX.
    void inject(const std::vector<uint8_t>& frame, uint16_t q = 0) {
        if (!try_inject(frame, q)) throw std::runtime_error("rx ring full");
    }
    // The same, false (nothing queued) when the RX ring is full.
    bool try_inject(const std::vector<uint8_t>& frame, uint16_t q = 0) {
        rte_mbuf* m = rte_pktmbuf_alloc(port.pool);
        if (!m) throw std::runtime_error("mbuf pool empty");
        auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, uint16_t(frame.size())));
        std::copy(frame.begin(), frame.end(), p);
        if (rte_ring_enqueue(rx_rings.at(q), m) == 0) return true;
        rte_pktmbuf_free(m);
        return false;
    }

    // The Toeplitz hash a NIC computes over an IPv4/TCP frame's addresses
    // and ports (RTE_ETH_RSS_NONFRAG_IPV4_TCP) with the key the engine
    // programs. Symmetric: a flow's two directions hash alike.
    static uint32_t rss_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport) {
        uint32_t t[3] = {saddr, daddr, uint32_t(sport) << 16 | dport};
        return rte_softrss(t, 3, dpdk::kSymmetricRssKey);
    }
    static uint32_t rss_hash(const std::vector<uint8_t>& frame) {
        const uint8_t* ip = frame.data() + 14;
        const uint8_t* th = ip + size_t(ip[0] & 0xF) * 4;
        return rss_hash(util::load_be32(ip + 12), util::load_be32(ip + 16), util::load_be16(th),
                        util::load_be16(th + 2));
    }
    // The queue RSS picks: the redirection table's entry for the hash's low
    // bits, which ethdev PMDs fill round robin (entry i -> queue i mod n)
    // unless told otherwise, as the engine leaves it.
    uint16_t rss_queue(uint32_t hash) const { return uint16_t(hash % rx_rings.size()); }
    // Queue a frame as a NIC with RSS would: IPv4/TCP by its hash, the
    // rest (ARP) on queue 0.
    uint16_t inject_rss(const std::vector<uint8_t>& frame) {
        const bool tcp = frame.size() >= 54 && util::load_be16(frame.data() + 12) == 0x0800 &&
                         frame[14 + 9] == 6;
        const uint16_t q = tcp ? rss_queue(rss_hash(frame)) : 0;
        inject(frame, q);
        return q;
    }

    // Everything the worker transmitted on queue q, as byte vectors (mbufs freed).
    std::vector<std::vector<uint8_t>> sent(uint16_t q = 0) {
        std::vector<std::vector<uint8_t>> out;
        void* obj;
        while (rte_ring_dequeue(tx_rings.at(q), &obj) == 0) {
            auto* m = static_cast<rte_mbuf*>(obj);
            auto* d = rte_pktmbuf_mtod(m, uint8_t*);
            out.emplace_back(d, d + m->data_len);
            rte_pktmbuf_free(m);
        }
        return out;
    }
    void drain(uint16_t q = 0) { sent(q); }

    unsigned mbufs_in_use() const {
        return rte_mempool_in_use_count(port.pool);
    }

  private:
    // dpdk::start_port gives a port without RSS one queue (the engine must
    // not spread flows it cannot keep together), and net_ring has no RSS:
    // here the test hashes instead, so the queues are set up as start_port
    // does it, without RSS.
    dpdk::Port start_queues(uint16_t id, uint16_t n, const std::string& name) {
        dpdk::Port p;
        p.id = id;
        p.name = name;
        p.driver = "net_ring";
        p.nb_queues = n;
        rte_eth_conf conf{};
        if (rte_eth_dev_configure(id, n, n, &conf) < 0) throw std::runtime_error("configure");
        p.pool = rte_pktmbuf_pool_create((name + "_pool").c_str(), cfg.engine.mbufs,
                                         cfg.engine.mbuf_cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                         int(rte_socket_id()));
        if (!p.pool) throw std::runtime_error("mbuf pool");
        for (uint16_t q = 0; q < n; ++q) {
            if (rte_eth_rx_queue_setup(id, q, 1024, rte_socket_id(), nullptr, p.pool) < 0 ||
                rte_eth_tx_queue_setup(id, q, 1024, rte_socket_id(), nullptr) < 0)
                throw std::runtime_error("queue setup");
        }
        rte_ether_addr mac;
        if (rte_eth_macaddr_get(id, &mac) < 0 || rte_eth_dev_start(id) < 0 ||
            rte_eth_dev_get_mtu(id, &p.mtu) < 0)
            throw std::runtime_error("start");
        std::memcpy(p.mac.b.data(), mac.addr_bytes, 6);
        return p;
    }
};

}  // namespace tern::test
