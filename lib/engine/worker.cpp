#include "engine/worker.h"

#include <cstring>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "app/apps.h"
#include "dpdk/eal.h"
#include "util/random.h"

namespace tern::engine {

Worker::Worker(unsigned id, const config::Config& cfg, std::vector<QueueRef> queues)
    : id_(id),
      cfg_(cfg),
      burst_(uint16_t(std::min<uint32_t>(cfg.engine.burst, kMaxBurst))),
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
    for (auto& q : queues_) flush(q, true);
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
    for (auto& q : queues_) flush(q, true);
}

unsigned Worker::poll_once() { return poll_once(clock_.us(rte_rdtsc())); }

unsigned Worker::poll_once(uint64_t now_us) {
    now_us_ = now_us;
    unsigned total = 0;
    rte_mbuf* pkts[kMaxBurst];
    for (uint16_t qi = 0; qi < queues_.size(); ++qi) {
        auto& q = queues_[qi];
        // A burst's worth of replies still waits for this queue's TX ring:
        // reading more would only queue more (or drop them). The frames stay
        // in the RX ring, where the wire's own flow control or drop counters
        // take over.
        if (q.tx.n >= burst_) {
            ctr_.rx_held_back.inc();
            continue;
        }
        uint16_t n = rte_eth_rx_burst(q.port, q.queue, pkts, burst_);
        if (n == 0) continue;
        ctr_.rx_bursts.inc();
        handle_burst(qi, pkts, n);
        total += n;
    }
    out_.clear();
    timers_fired_ = stack_->advance(now_us_, out_);
    emit_all(nullptr, 0);
    if (stack_->take_flood_change()) log_flood();
    control_.poll([this](const ControlRequest& r, Snapshot& snap) { on_control(r, snap); });
    for (auto& q : queues_) flush(q);
    ctr_.live_conns.set(stack_->live_tcbs());
    ctr_.time_wait_conns.set(stack_->time_wait_records());
    return total;
}

// Once per start and end of a flood: the operator's "under SYN flood" line.
void Worker::log_flood() const {
    const tcp::FloodReport& r = stack_->flood();
    if (r.active)
        TERN_LOG(WARNING,
                 "worker %u: under SYN flood since t=%.1fs: %lu SYN/s, %u%% distinct sources, "
                 "SYN cookies %s\n",
                 id_, double(r.start_ms) / 1000, (unsigned long)r.peak_rate, r.distinct_pct,
                 cfg_.tcp.syncookies ? "on" : "off (tcp.syncookies=0)");
    else
        TERN_LOG(NOTICE, "worker %u: SYN flood over after %.1fs, peak %lu SYN/s (%u%% distinct)\n",
                 id_, double(r.end_ms - r.start_ms) / 1000, (unsigned long)r.peak_rate,
                 r.distinct_pct);
}

double Worker::busy_share() const {
    uint64_t total = ctr_.total_cycles.get();
    return total ? double(ctr_.busy_cycles.get()) / double(total) : 0.0;
}


void Worker::flush(QueueRef& q, bool final) {
    if (q.tx.n == 0) return;
    // Bytes are summed before sending: a sent mbuf belongs to the driver.
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < q.tx.n; ++i) bytes += q.tx.pkts[i]->pkt_len;
    uint16_t sent = 0;
    // A full TX ring gets a few more chances now; then the rest waits.
    for (int tries = 0; tries < 4 && sent < q.tx.n; ++tries)
        sent += rte_eth_tx_burst(q.port, q.queue, q.tx.pkts + sent, uint16_t(q.tx.n - sent));
    const uint16_t left = uint16_t(q.tx.n - sent);
    for (uint16_t i = sent; i < q.tx.n; ++i) bytes -= q.tx.pkts[i]->pkt_len;
    ctr_.tx_packets.inc(sent);
    ctr_.tx_bytes.inc(bytes);
    // Counted once per frame: those refused now for the first time.
    const uint16_t still_waiting = q.tx.waiting > sent ? uint16_t(q.tx.waiting - sent) : 0;
    q.tx.n = q.tx.waiting = 0;
    if (left == 0) return;
    if (final) {
        ctr_.tx_full_drops.inc(left);
        rte_pktmbuf_free_bulk(q.tx.pkts + sent, left);
        return;
    }
    ctr_.tx_deferred.inc(left - still_waiting);
    if (sent) std::memmove(q.tx.pkts, q.tx.pkts + sent, left * sizeof(rte_mbuf*));
    q.tx.n = q.tx.waiting = left;
}

void Worker::tail_drop(rte_mbuf* m) {
    ctr_.tx_full_drops.inc();
    rte_pktmbuf_free(m);
}

void Worker::drop(rte_mbuf* m, net::DropReason r) {
    ctr_.drop(r);
    rte_pktmbuf_free(m);
}

}  // namespace tern::engine
