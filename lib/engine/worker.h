// One Worker per lcore (style: DPDK l3fwd's lcore_conf): it owns its queue
// ids, TX batches, counters, its TCP stack (connection table, timer wheel,
// pools, and the live TCP tunables) and its apps, and copies the few engine
// settings it reads. Everything it touches on the data path is its own: no
// locks, no sharing, no reference into the control thread's configuration.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/config.h"
#include "dpdk/mbuf.h"
#include "engine/clock.h"
#include "engine/control.h"
#include "engine/counters.h"
#include "engine/neighbors.h"
#include "engine/tx_batch.h"
#include "net/frame.h"
#include "tcp/outbox.h"
#include "tcp/stack.h"

struct rte_mempool;

namespace tern::app {
class BuiltinApp;
}

namespace tern::engine {

// One RX/TX queue pair of one port, polled by exactly one worker.
struct QueueRef {
    uint16_t port = 0;
    uint16_t queue = 0;
    net::LocalAddr local;
    rte_mempool* pool = nullptr;  // where new TX mbufs come from
    dpdk::TxChecksumOffload tx_csum;  // the checksums the port fills
    uint32_t max_frame = 1514;    // the longest frame the port sends: its MTU + Ethernet header
    uint8_t rx_held_polls = 0;    // polls in a row that left RX alone (TX batch full)
    TxBatch tx;
};

class alignas(64) Worker {
  public:
    // Polls in a row a queue's RX may be left alone while its TX batch
    // holds a whole burst (see poll_once).
    static constexpr uint8_t kMaxRxHeldPolls = 4;

    // Reads cfg only here: the engine settings it needs are copied, the TCP
    // tunables go to its Stack (which run-time changes update).
    Worker(unsigned id, const config::Config& cfg, std::vector<QueueRef> queues);
    ~Worker();

    // The poll loop; returns when `stop` is set, with every TX batch flushed.
    void run(const std::atomic<bool>& stop);
    // One pass: every queue's rx burst (receive_burst) -> timers -> tx bursts.
    // Returns the number of packets received. Tests call it with their own
    // clock (microseconds); run() passes the TSC clock.
    unsigned poll_once(uint64_t now_us);
    unsigned poll_once();

    unsigned id() const { return id_; }
    const WorkerCounters& counters() const { return ctr_; }
    const tcp::Stack& stack() const { return *stack_; }
    tcp::Stack& stack() { return *stack_; }
    const std::vector<std::unique_ptr<app::BuiltinApp>>& apps() const { return apps_; }
    // The control plane's channel into this worker (see control.h).
    ControlChannel& control() { return control_; }
    // Busy share: cycles spent on polls that found packets or fired timers,
    // over all cycles.
    double busy_share() const;
    uint64_t busy_cycles() const { return ctr_.busy_cycles.get(); }
    uint64_t total_cycles() const { return ctr_.total_cycles.get(); }

  private:
    // The receive path of one RX burst, in passes (worker_rx.cpp).
    void receive_burst(uint16_t qi, rte_mbuf** pkts, uint16_t n);
    // Classifies one received frame and finishes whatever is not TCP: ARP
    // and ICMP echo answered in place, everything else dropped and counted.
    // True: a TCP frame, described in `f`, for stage_tcp.
    bool classify_frame(uint16_t qi, rte_mbuf* m, net::Frame& f);
    // A received TCP segment, parsed and hashed, waiting for the Stack.
    struct Staged {
        rte_mbuf* m;
        uint16_t qi;
        net::Frame f;
        tcp::Inbound in;  // parsed, hashed (in fours) and looked up ahead
    };
    static constexpr unsigned kStage = 32;  // a multiple of 4 (hash_staged)
    // Parses the TCP header of s.f (the classified frame) into s.seg; a bad
    // header is counted by reason and the frame freed (false).
    bool stage_tcp(uint16_t qi, rte_mbuf* m, Staged& s);
    void hash_staged(unsigned first);
    void process_staged(unsigned n);
    // One staged segment through the Stack, and its answers out.
    void process_segment(const Staged& s);
    // Turns every OutSegment into a packet. `from` (the staged frame that
    // caused them, or nullptr): its mbuf becomes the first one, so a reply
    // costs no allocation, and what goes to its sender goes back the way
    // the frame came.
    void emit_all(const Staged* from);
    void emit_outbox(const Staged* from);
    bool emit(const tcp::OutSegment& s, rte_mbuf* m, uint16_t qi, const net::MacAddr& dst);
    void transmit(QueueRef& q, rte_mbuf* m) {
        if (q.tx.full()) flush_tx(q);
        if (q.tx.full()) return tail_drop(m);  // the ring took none of them
        q.tx.push(m);
    }
    // Hands the batch to the TX ring (the rules are in tx_batch.h). What a
    // full ring does not take stays in the batch, in order, and goes first
    // at the next flush (a burst the wire was briefly too slow for is late,
    // not lost), for engine.tx_stall_us at most; a frame the PMD refuses is
    // freed and counted; `final` (the worker stops) frees and counts the rest.
    void flush_tx(QueueRef& q, bool final = false);
    // The last guard before a frame is built: longer than `limit`, what the
    // port sends (its MTU) or the mbuf holds. Cold: kept out of emit().
    [[gnu::cold, gnu::noinline]] void drop_too_big(const tcp::OutSegment& s, const QueueRef& q, size_t frame_len,
                      uint32_t limit);
    // kMaxBurst frames wait for a TX ring that takes none: the newest goes.
    void tail_drop(rte_mbuf* m);
    // A received frame dropped: counted once, by its reason (a classify()
    // reason, or the specific counter of the step that refused it).
    void drop(rte_mbuf* m, net::DropReason r);
    void drop(rte_mbuf* m, util::Counter& reason);
    void on_control(const ControlRequest& r, Snapshot& snap);
    void fill_snapshot(Snapshot& snap) const;
    void drain();
    void log_flood() const;
    void sync_wall_clock();
    static constexpr uint64_t kWallSyncUs = 1'000'000;

    unsigned id_;
    uint16_t burst_;        // engine.burst
    uint64_t tx_stall_us_;  // engine.tx_stall_us
    uint64_t next_too_big_log_us_ = 0;  // drop_too_big's log line: once a second at most
    uint64_t too_big_unlogged_ = 0;     // ... and how many it did not name
    std::vector<QueueRef> queues_;
    TscClock clock_;
    uint64_t now_us_ = 0;
    uint64_t next_wall_sync_us_ = 0;  // when sync_wall_clock() runs next
    size_t timers_fired_ = 0;  // by the last poll's advance()
    uint16_t ip_id_ = 0;
    std::unique_ptr<tcp::Stack> stack_;
    tcp::Outbox out_;
    std::array<Staged, kStage> staged_;
    Neighbors neighbors_;
    std::vector<std::unique_ptr<app::BuiltinApp>> apps_;
    WorkerCounters ctr_;
    ControlChannel control_;
};

}  // namespace tern::engine
