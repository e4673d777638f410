// One Worker per lcore (style: DPDK l3fwd's lcore_conf): it owns its queue
// ids, TX batches and counters, and reads an immutable config snapshot.
// Everything it touches on the data path is its own: no locks, no sharing.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "config/config.h"
#include "engine/counters.h"
#include "net/frame.h"

struct rte_mbuf;

namespace tern::engine {

inline constexpr uint16_t kMaxBurst = 512;

struct TxBatch {
    uint16_t n = 0;
    rte_mbuf* pkts[kMaxBurst];
};

// One RX/TX queue pair of one port, polled by exactly one worker.
struct QueueRef {
    uint16_t port = 0;
    uint16_t queue = 0;
    net::LocalAddr local;
    TxBatch tx;
};

class alignas(64) Worker {
public:
    Worker(unsigned id, const config::Config& cfg, std::vector<QueueRef> queues);

    // The poll loop; returns when `stop` is set, with every TX batch flushed.
    void run(const std::atomic<bool>& stop);
    // One pass over every queue: rx burst -> handle -> tx burst. Returns the
    // number of packets received. Tests call this directly.
    unsigned poll_once();

    // Handle one received frame; it is either queued for TX or freed.
    void handle(QueueRef& q, rte_mbuf* m);
    void flush(QueueRef& q);

    unsigned id() const { return id_; }
    const WorkerCounters& counters() const { return ctr_; }

private:
    void transmit(QueueRef& q, rte_mbuf* m);
    void drop(rte_mbuf* m, net::DropReason r);

    unsigned id_;
    const config::Config& cfg_;
    uint16_t burst_;
    std::vector<QueueRef> queues_;
    WorkerCounters ctr_;
};

}  // namespace tern::engine
