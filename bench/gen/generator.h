// The generator: one port, one RX/TX queue pair, one loop on the main lcore.
// Each iteration: receive a burst, hand every frame to its owner (ARP
// responder, cps client table, flood checker), let the clients start and
// time out connections, let the flood build its SYNs, then transmit the
// clients' segments before the flood's. Counters are plain fields written
// by this loop only; the window's figures are differences of two snapshots.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "arp.h"
#include "client_table.h"
#include "clock.h"
#include "common/schedstat.h"
#include "dpdk/port.h"
#include "flood.h"
#include "histogram.h"
#include "options.h"
#include "port.h"
#include "templates.h"
#include "tx_stage.h"

namespace tern::gen {

struct Snapshot {
    uint64_t tsc = 0;
    uint64_t mono_ns = 0;  // CLOCK_MONOTONIC: lines the window up with tern's sampled telemetry
    uint64_t busy_cycles = 0, total_cycles = 0;
    ClientCounters clients;
    FloodCounters flood;
    uint64_t syns_sent = 0;                    // flood SYNs the port took
    uint64_t stage_drops = 0;                  // frames dropped by a full stage
    uint64_t stray = 0;                        // frames for no one
    uint64_t arp_replies = 0;
    PortCounters port;
    bench::SchedInfo sched;  // this (the loop's) thread
};

struct RunResult {
    bool window_opened = false;  // false: stopped during the warm-up
    Snapshot begin, end;
    uint64_t hz = 0;
    const LatencyHistogram* handshake = nullptr;  // window only; null without clients
    const LatencyHistogram* response = nullptr;
};

class Generator {
  public:
    // Starts the port and waits for its link; throws on failure.
    explicit Generator(const Options& o);
    ~Generator();

    const net::MacAddr& mac() const { return port_.mac; }
    uint16_t port_id() const { return port_.id; }
    // tern's MAC: --dst-mac or ARP; false when it cannot be had.
    bool resolve_target(const std::atomic<bool>& stop);
    // Warm-up then the window, unless stop is set first.
    RunResult run(const std::atomic<bool>& stop);

  private:
    void dispatch(rte_mbuf** pkts, uint16_t n, Now now);
    Snapshot snap(uint64_t tsc) const;

    const Options& o_;
    dpdk::Port port_;
    net::MacAddr dst_mac_;
    std::unique_ptr<ArpResponder> arp_;
    std::unique_ptr<SegmentTemplates> tpl_;
    std::unique_ptr<TxStage> ctl_, flood_stage_;
    std::unique_ptr<ClientTable> clients_;
    std::unique_ptr<Flood> flood_;
    uint64_t busy_cycles_ = 0, total_cycles_ = 0;
    uint64_t stray_ = 0;
    int tid_ = 0;
};

}  // namespace tern::gen
