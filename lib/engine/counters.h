// Per-worker counters: one cache-line-aligned block per worker, written only
// by that worker, summed by the control thread on demand.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "net/frame.h"
#include "util/counter.h"

namespace tern::engine {

struct alignas(64) WorkerCounters {
    util::Counter rx_packets, rx_bytes;
    util::Counter rx_bursts;      // RX bursts that brought frames: rx_packets / rx_bursts is the mean burst
    util::Counter rx_held_back;   // polls that left a queue's RX alone: a burst of replies still waited for TX
    util::Counter tx_packets, tx_bytes;
    util::Counter tx_full_drops;  // TX ring full with a full batch waiting (or at stop): freed, not leaked
    util::Counter tx_deferred;    // frames a full TX ring did not take at once: kept, sent at a later flush
    util::Counter tx_refused;     // frames the PMD refused while it took those behind them: freed
    util::Counter tx_stall_drops; // frames freed after engine.tx_stall_us in which the TX ring took nothing
    // Segments longer than the port's MTU or an mbuf allows: not built (a
    // builder bug, or an MTU larger than the mbufs).
    util::Counter tx_frame_too_big;
    util::Counter arp_replies, icmp_echo_replies;
    util::Counter icmp_other;     // ICMP we do not answer: dropped
    util::Counter rx_multiseg;    // chained mbufs (frames larger than one buffer): dropped
    util::Counter tcp_segments;   // handed to the TCP layer (a bad header: the Stack's tcp_parse_*)
    util::Counter tx_no_mbuf;     // a segment not sent: mbuf pool empty
    util::Counter tx_no_neighbor; // a segment not sent: no next hop ever heard
    util::Counter tx_neighbor_fallback;  // sent to the last next hop seen (entry evicted)
    // Frames classify() refused, by reason. Every received frame dropped is
    // counted once: here, or in rx_multiseg, icmp_other or the Stack's
    // tcp_parse_* (a TCP header the parser refused), never in two. (The
    // tcp_parse_option_* counters drop nothing: the options end there.)
    std::array<util::Counter, size_t(net::DropReason::count)> drops;
    // Gauges, refreshed by the worker once per poll loop.
    util::Counter live_conns, time_wait_conns;
    util::Counter half_open_conns;  // SYN_RCVD entries of every listener
    util::Counter chunks_in_use;    // payload chunks held by send buffers and reassembly queues
    // Busy-cycle accounting (TSC): polls that found work vs all.
    util::Counter busy_cycles, total_cycles;

    void drop(net::DropReason r) { drops[size_t(r)].inc(); }
};

// name=value pairs of the sum over workers, in a fixed order.
using CounterList = std::vector<std::pair<std::string, uint64_t>>;
CounterList sum_counters(const std::vector<const WorkerCounters*>& ws);
std::string format_counters(const CounterList& l);

}  // namespace tern::engine
