#include "engine/worker.h"

#include <cstring>
#include <ctime>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app/apps.h"
#include "dpdk/eal.h"
#include "util/random.h"

namespace tern::engine {

Worker::Worker(unsigned id, const config::Config& cfg, std::vector<QueueRef> queues)
    : id_(id),
      burst_(uint16_t(std::min<uint32_t>(cfg.engine.burst, kMaxBurst))),
      tx_stall_us_(cfg.engine.tx_stall_us),
      queues_(std::move(queues)),
      clock_(rte_get_tsc_hz(), rte_rdtsc()),
      stack_(std::make_unique<tcp::Stack>(cfg.tcp, util::random_key())),
      neighbors_(65536, util::random_key()) {
    app::AppOptions ao;
    ao.http_body = cfg.http_body;
    for (const auto& l : cfg.all_listeners()) {
        auto a = app::make_app(l.app, ao);
        if (!a) throw config::ConfigError("listen.app: cannot serve '" + l.app + "'");
        tcp::ListenOptions lo;
        lo.backlog = l.backlog;
        lo.keepalive = l.keepalive;
        if (!stack_->listen(l.port, *a, lo))
            throw config::ConfigError("cannot listen on port " + std::to_string(l.port));
        apps_.push_back(std::move(a));
    }
}

Worker::~Worker() {
    for (auto& q : queues_) flush_tx(q, true);
}

void Worker::run(const std::atomic<bool>& stop) {
    uint64_t last = rte_rdtsc();
    while (!stop.load(std::memory_order_relaxed)) {
        unsigned got = poll_once(clock_.us(last));
        uint64_t now = rte_rdtsc();
        // Busy: the poll received packets or fired timers (TIME_WAIT
        // expiry, retransmissions are work too).
        if (got || timers_fired_) ctr_.busy_cycles.inc(now - last);
        ctr_.total_cycles.inc(now - last);
        last = now;
    }
    for (auto& q : queues_) flush_tx(q, true);
}

unsigned Worker::poll_once() { return poll_once(clock_.us(rte_rdtsc())); }

unsigned Worker::poll_once(uint64_t now_us) {
    now_us_ = now_us;
    if (now_us_ >= next_wall_sync_us_) sync_wall_clock();
    unsigned total = 0;
    rte_mbuf* pkts[kMaxBurst];
    for (uint16_t qi = 0; qi < queues_.size(); ++qi) {
        auto& q = queues_[qi];
        // A burst's worth of replies still waits for this queue's TX ring:
        // reading more would only queue more (or drop them). The frames stay
        // in the RX ring, where the wire's own flow control or drop counters
        // take over -- for kMaxRxHeldPolls polls at most: a ring that drains
        // slowly must not keep the worker from hearing its peers (what does
        // not fit in the batch then is dropped and counted, tx_full_drops).
        if (q.tx.size() >= burst_ && q.rx_held_polls < kMaxRxHeldPolls) {
            ++q.rx_held_polls;
            ctr_.rx_held_back.inc();
            continue;
        }
        q.rx_held_polls = 0;
        uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, burst_);
        if (n == 0) continue;
        ctr_.rx_bursts.inc();
        receive_burst(qi, pkts, n);
        total += n;
    }
    out_.clear();
    timers_fired_ = stack_->advance(now_us_, out_);
    emit_all(nullptr);
    if (stack_->take_flood_change()) log_flood();
    control_.poll([this](const ControlRequest& r, Snapshot& snap) { on_control(r, snap); });
    for (auto& q : queues_) flush_tx(q);
    ctr_.live_conns.set(stack_->live_tcbs());
    ctr_.time_wait_conns.set(stack_->time_wait_records());
    ctr_.half_open_conns.set(stack_->half_open_total());
    ctr_.chunks_in_use.set(stack_->chunks_in_use());
    return total;
}

// The Stack's SYN-cookie clock is wall-clock time (nodes behind one VIP
// must agree on it whenever each started): read once a second, so that the
// TSC's drift and NTP's corrections never add up.
void Worker::sync_wall_clock() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    const uint64_t wall_ms = uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
    stack_->set_wall_offset_ms(wall_ms - now_us_ / 1000);
    next_wall_sync_us_ = now_us_ + kWallSyncUs;
}

// Once per start and end of a flood: the operator's "under SYN flood" line.
// tcp.syncookies as the Stack has it now (it may have changed at run time).
void Worker::log_flood() const {
    const tcp::FloodReport& r = stack_->flood();
    if (r.active)
        TERN_LOG(WARNING,
                 "worker %u: under SYN flood since t=%.1fs: %lu SYN/s, %u%% distinct sources, "
                 "SYN cookies %s\n",
                 id_, double(r.start_ms) / 1000, (unsigned long)r.peak_rate, r.distinct_pct,
                 stack_->tunables().syncookies ? "on" : "off (tcp.syncookies=0)");
    else
        TERN_LOG(NOTICE, "worker %u: SYN flood over after %.1fs, peak %lu SYN/s (%u%% distinct)\n",
                 id_, double(r.end_ms - r.start_ms) / 1000, (unsigned long)r.peak_rate,
                 r.distinct_pct);
}

double Worker::busy_share() const {
    uint64_t total = ctr_.total_cycles.get();
    return total ? double(ctr_.busy_cycles.get()) / double(total) : 0.0;
}


namespace {

// tx_batch.h's Driver over one ethdev TX queue.
struct EthTx {
    uint16_t port, queue;
    uint16_t send(rte_mbuf** p, uint16_t n) { return rte_eth_tx_burst(port, queue, p, n); }
    uint32_t length(const rte_mbuf* m) const { return dpdk::packet_len(m); }
    void free(rte_mbuf** p, uint16_t n) { dpdk::free_mbufs(p, n); }
};

}  // namespace

void Worker::flush_tx(QueueRef& q, bool final) {
    EthTx d{q.port, q.queue};
    const TxOutcome r = q.tx.flush(d, now_us_, tx_stall_us_, final);
    ctr_.tx_packets.inc(r.sent);
    ctr_.tx_bytes.inc(r.sent_bytes);
    ctr_.tx_deferred.inc(r.deferred);
    ctr_.tx_refused.inc(r.refused);
    ctr_.tx_stall_drops.inc(r.stalled);
    ctr_.tx_full_drops.inc(r.final_drops);
}

void Worker::tail_drop(rte_mbuf* m) {
    ctr_.tx_full_drops.inc();
    dpdk::free_mbuf(m);
}

void Worker::drop(rte_mbuf* m, net::DropReason r) {
    ctr_.drop(r);
    dpdk::free_mbuf(m);
}

void Worker::drop(rte_mbuf* m, util::Counter& reason) {
    reason.inc();
    dpdk::free_mbuf(m);
}

}  // namespace tern::engine
