// A queue's batch of frames waiting for its TX ring, and the rules that
// keep one bad frame or one stuck ring from stopping the port.
//
// Workload: a worker appends every reply of a poll (up to kMaxBurst) and
// hands the batch to the PMD once per poll. Almost always the PMD takes it
// all. When it takes fewer, there are two causes it does not tell apart:
//   - the ring is full (the wire is briefly slower than we are): the frames
//     are late, not bad, and should go at a later poll, in order;
//   - the PMD refuses the first frame it did not take, and will refuse it at
//     every call (net_tap refuses a frame longer than its MTU allows and
//     counts an output error each time): retried for ever, it kept every
//     frame behind it, and RX with them, from going anywhere (issue 14).
// So a frame left at the head of the batch for kProbeAfter flushes in a row
// is offered alone, and if the PMD still does not take it, the frames
// behind it are offered one by one: if the PMD takes one of those, the ring
// has room and it refused those before it, which are freed and counted
// (`refused`); the rest is offered at once. If it takes none, the ring is full,
// and the batch may wait -- but never more than `stall_us` without any
// frame going out: then the whole batch is freed and counted (`stalled`),
// because a port that takes nothing for that long (link down, a peer that
// stopped draining a virtual ring) must not keep the worker from receiving.
// A refused frame with nothing behind it cannot be told from a full ring:
// it goes at the stall limit (it holds no RX back: RX waits only for a
// batch of a whole burst, see Worker::poll_once). A full ring is probed
// again every kReprobe flushes.
// (The PMD's output-error counter cannot tell the cases apart: net_ring and
// net_tap count every frame not taken as an error, full ring or not.)
//
// Pure logic over a Driver, so the rules are tested with a fake PMD:
//   uint16_t send(rte_mbuf** p, uint16_t n);   // rte_eth_tx_burst
//   uint32_t length(const rte_mbuf* m);        // dpdk::packet_len
//   void free(rte_mbuf** p, uint16_t n);       // dpdk::free_mbufs
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "config/config.h"

struct rte_mbuf;

namespace tern::engine {

inline constexpr uint16_t kMaxBurst = config::kMaxBurst;

// What one flush did, for the worker's counters.
struct TxOutcome {
    uint16_t sent = 0;
    uint64_t sent_bytes = 0;
    uint16_t deferred = 0;  // frames not taken at once for the first time
    uint16_t refused = 0;   // freed: the PMD took frames behind them, not them
    uint16_t stalled = 0;   // freed: nothing went out for stall_us
    uint16_t final_drops = 0;  // freed: the worker stops
    friend bool operator==(const TxOutcome&, const TxOutcome&) = default;
};

class TxBatch {
  public:
    // Flushes (of polls) a frame may stay at the head before it is probed.
    static constexpr uint32_t kProbeAfter = 3;
    static constexpr uint32_t kReprobe = 64;
    // Frames offered one by one in a probe: refused frames in a row beyond
    // this look like a full ring (and go at the stall limit).
    static constexpr uint16_t kProbeDepth = 8;
    // Tries per flush: a ring that took some may take more a moment later.
    static constexpr int kTries = 4;

    uint16_t size() const { return n_; }
    bool full() const { return n_ == kMaxBurst; }
    void push(rte_mbuf* m) { pkts_[n_++] = m; }

    // Hands the batch to the PMD under the rules above. `final`: the worker
    // stops, what is not taken now is freed.
    template <class Driver>
    TxOutcome flush(Driver& d, uint64_t now_us, uint64_t stall_us, bool final = false) {
        TxOutcome r;
        if (n_ == 0) return r;
        uint64_t bytes = 0;  // summed before sending: a sent mbuf belongs to the PMD
        for (uint16_t i = 0; i < n_; ++i) bytes += d.length(pkts_[i]);
        uint16_t head = 0;  // the first frame not yet taken or freed
        for (;;) {
            const uint16_t before = head;
            for (int t = 0; t < kTries && head < n_; ++t) {
                const uint16_t k = d.send(pkts_ + head, uint16_t(n_ - head));
                head = uint16_t(head + k);
                if (k == 0) break;  // nothing now: a retry at once would not do better
            }
            r.sent = uint16_t(r.sent + (head - before));
            if (head == n_) break;
            if (head != before || waiting_ == 0) {
                // Progress, or a batch that was not waiting: a new head, and
                // the stall clock starts now.
                head_flushes_ = 0;
                progress_us_ = now_us;
            }
            if (final) break;
            ++head_flushes_;
            if (head_flushes_ < kProbeAfter || (head_flushes_ - kProbeAfter) % kReprobe != 0) break;
            // The same frame at the head for kProbeAfter flushes: a full ring,
            // or a frame this PMD refuses? Offered alone, then those behind it
            // one by one, until the PMD takes one.
            const uint16_t end = uint16_t(std::min<uint32_t>(n_, head + kProbeDepth));
            uint16_t taken = head;
            while (taken < end && d.send(pkts_ + taken, 1) == 0) ++taken;
            if (taken == end) break;  // none taken: a full ring, the batch waits up to stall_us
            // The PMD had room for `taken` just after it refused those before it.
            for (uint16_t i = head; i < taken; ++i) bytes -= d.length(pkts_[i]);
            if (taken > head) d.free(pkts_ + head, uint16_t(taken - head));
            r.refused = uint16_t(r.refused + (taken - head));
            ++r.sent;
            head = uint16_t(taken + 1);
            head_flushes_ = 0;
            progress_us_ = now_us;
            if (head == n_) break;  // otherwise what is left is offered again now
        }
        const uint16_t left = uint16_t(n_ - head);
        for (uint16_t i = head; i < n_; ++i) bytes -= d.length(pkts_[i]);
        r.sent_bytes = bytes;
        // Counted once per frame: those not taken now for the first time.
        const uint16_t still_waiting = waiting_ > head ? uint16_t(waiting_ - head) : 0;
        if (left && (final || now_us - progress_us_ >= stall_us)) {
            d.free(pkts_ + head, left);
            (final ? r.final_drops : r.stalled) = left;
            n_ = waiting_ = 0;
            head_flushes_ = 0;
            return r;
        }
        r.deferred = uint16_t(left - still_waiting);
        if (head && left) std::memmove(pkts_, pkts_ + head, left * sizeof(rte_mbuf*));
        n_ = waiting_ = left;
        if (!left) head_flushes_ = 0;
        return r;
    }

  private:
    uint16_t n_ = 0;
    uint16_t waiting_ = 0;        // the first `waiting_` frames were not taken at an earlier flush
    uint32_t head_flushes_ = 0;   // flushes in a row that left the same frame at the head
    uint64_t progress_us_ = 0;    // when a frame last went out (or the wait began)
    rte_mbuf* pkts_[kMaxBurst];
};

}  // namespace tern::engine
