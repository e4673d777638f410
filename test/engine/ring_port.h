// A port made of two rte_rings: the test enqueues frames on `rx` (the
// worker receives them) and dequeues what the worker sent from `tx`.
#pragma once

#include <rte_eth_ring.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "dpdk/port.h"
#include "engine/worker.h"

namespace tern::test {

struct RingPort {
    rte_ring* rx = nullptr;
    rte_ring* tx = nullptr;
    dpdk::Port port;
    config::Config cfg;

    explicit RingPort(const std::string& name, unsigned tx_size = 1024) {
        config::apply_set(cfg, "engine.address=198.18.0.2/24");
        config::apply_set(cfg, "engine.mbufs=2047");
        config::apply_set(cfg, "engine.mbuf_cache=0");
        rx = rte_ring_create((name + "_rx").c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        tx = rte_ring_create((name + "_tx").c_str(), tx_size, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
        int id = rte_eth_from_rings(name.c_str(), &rx, 1, &tx, 1, 0);
        if (id < 0) throw std::runtime_error("rte_eth_from_rings failed");
        port = dpdk::start_port(uint16_t(id), 1, cfg);
    }
    ~RingPort() {
        drain();
        dpdk::stop_port(port);
        rte_ring_free(rx);
        rte_ring_free(tx);
    }

    engine::QueueRef queue() const {
        engine::QueueRef q;
        q.port = port.id;
        q.local.mac = port.mac;
        q.local.ip = cfg.engine.address.addr;
        q.local.broadcast = cfg.engine.address.broadcast();
        q.max_frame = uint32_t(port.mtu) + 14;
        q.pool = port.pool;
        return q;
    }

    // Copy a frame into a fresh mbuf from the port's pool and queue it for RX.
    void inject(const std::vector<uint8_t>& frame) {
        if (!try_inject(frame)) throw std::runtime_error("rx ring full");
    }
    // The same, false (nothing queued) when the RX ring is full.
    bool try_inject(const std::vector<uint8_t>& frame) {
        rte_mbuf* m = rte_pktmbuf_alloc(port.pool);
        if (!m) throw std::runtime_error("mbuf pool empty");
        auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, uint16_t(frame.size())));
        std::copy(frame.begin(), frame.end(), p);
        if (rte_ring_enqueue(rx, m) == 0) return true;
        rte_pktmbuf_free(m);
        return false;
    }

    // Everything the worker transmitted, as byte vectors (mbufs freed).
    std::vector<std::vector<uint8_t>> sent() {
        std::vector<std::vector<uint8_t>> out;
        void* obj;
        while (rte_ring_dequeue(tx, &obj) == 0) {
            auto* m = static_cast<rte_mbuf*>(obj);
            auto* d = rte_pktmbuf_mtod(m, uint8_t*);
            out.emplace_back(d, d + m->data_len);
            rte_pktmbuf_free(m);
        }
        return out;
    }
    void drain() { sent(); }

    unsigned mbufs_in_use() const {
        return rte_mempool_in_use_count(port.pool);
    }
};

}  // namespace tern::test
