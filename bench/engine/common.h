// tern-bench-engine: the real engine Worker (real Stack, real apps) driven
// in process through a port made of two rte_rings. The worker polls on one
// lcore; a generator on the other lcore plays the network: it enqueues
// frames on the RX ring and dequeues what the worker sent from the TX ring.
//
// Shared pieces: options, the ring port, mbuf helpers for the generators and
// the report (table + JSON); frames and the PRNG are in bench/common.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/rng.h"
#include "common/schedstat.h"
#include "common/tcp_frame.h"
#include "config/config.h"
#include "dpdk/port.h"
#include "engine/worker.h"
#include "net/ether.h"

struct rte_ring;
struct rte_mbuf;
struct rte_mempool;

namespace tern::bench {

struct Options {
    std::string mode;            // synflood | cps | idle
    double seconds = 5.0;        // measured window (idle: time limit of the fill)
    double warmup = 1.0;         // before the window opens (synflood, cps)
    std::string json;            // --json FILE
    bool no_huge = false;        // force --no-huge
    bool priority = false;       // nice -20 (process and autogroup) for the run
    bool rx_csum_good = true;    // mark RX checksums good in ol_flags (as a NIC would)
    bool tx_offload = false;     // pretend the port offloads TX checksums (NIC fills them)
    uint32_t concurrency = 2048; // cps: clients in flight
    uint32_t conns = 1000000;    // idle: connections to establish
    uint32_t ring_size = 0;      // 0 = chosen per mode
    double timeout_ms = 1000;    // cps: a client stuck this long counts as failed
    unsigned sample_every = 64;  // synflood: full validation of one SYN-ACK in N
    std::vector<std::string> sets;  // --set key=value passed to the engine config
};

// A ring-backed ethdev plus the generator's own mbuf pool.
struct RingPort {
    rte_ring* rx = nullptr;  // generator -> worker
    rte_ring* tx = nullptr;  // worker -> generator
    dpdk::Port port;
    rte_mempool* gen_pool = nullptr;

    // The TX ring is 4x the RX ring: it absorbs a generator that gets
    // descheduled for a moment (the worker drops what does not fit).
    RingPort(const config::Config& cfg, uint32_t ring_size, uint32_t gen_mbufs);
    ~RingPort();
    RingPort(const RingPort&) = delete;
    RingPort& operator=(const RingPort&) = delete;

    engine::QueueRef queue(const config::Config& cfg, bool tx_offload) const;
    void drain();  // frees whatever is left in both rings
};

// The generator's side of the wire.
inline constexpr uint32_t kEngineIp = (198u << 24) | (18u << 16) | (0u << 8) | 1u;  // 198.18.0.1
inline constexpr uint16_t kHttpPort = 80;
inline const net::MacAddr kGenMac{{0x02, 0x00, 0x00, 0xbe, 0x4c, 0x01}};

// Resets m and fills it with the frame of s; sets RX checksum flags.
void make_mbuf(rte_mbuf* m, const net::MacAddr& dst, const TcpOut& s, bool rx_csum_good);

// As checksums_ok(), for a frame sent with TX checksum offload requested:
// the NIC would have filled them, so fill them here first (as it would).
void complete_offloaded_checksums(rte_mbuf* m);


// --- memory ---
struct MemInfo {
    uint64_t rss_kb = 0;
    uint64_t hugetlb_kb = 0;
};
MemInfo mem_info();

// --- the report ---
class Report {
  public:
    using Value = std::variant<double, int64_t, std::string>;
    void add(const std::string& key, Value v, const std::string& unit = "",
             const std::string& note = "");
    void counter(const std::string& key, uint64_t v) { counters_.emplace_back(key, v); }
    void config(const std::string& key, const std::string& v) { config_.emplace_back(key, v); }
    void print(const std::string& title) const;
    void write_json(const std::string& path, const std::string& mode) const;

  private:
    struct Row {
        std::string key;
        Value v;
        std::string unit, note;
    };
    std::vector<Row> rows_;
    std::vector<std::pair<std::string, uint64_t>> counters_;
    std::vector<std::pair<std::string, std::string>> config_;
};

// Engine + TCP counters of one worker, by name.
std::vector<std::pair<std::string, uint64_t>> worker_counters(const engine::Worker& w);
uint64_t counter_of(const std::vector<std::pair<std::string, uint64_t>>& l, const std::string& k);

// The harness around a mode: config, port, worker on its lcore.
struct Harness {
    const Options& opt;
    config::Config cfg;
    std::unique_ptr<RingPort> ring;
    std::unique_ptr<engine::Worker> worker;
    std::atomic<bool> stop{false};
    std::atomic<int> worker_tid{0};
    unsigned worker_lcore = 1;
    bool launched = false;

    // Builds the config (mode defaults, then --set overrides) and the port.
    Harness(const Options& o, const std::vector<std::string>& mode_sets, uint32_t ring_size,
            uint32_t gen_mbufs);
    ~Harness();
    void make_worker();
    void launch();
    void join();
    void describe(Report& r) const;
};

// Both threads' scheduling over a window: on-CPU share and run-queue wait
// share of the wall time. On a machine shared with compilers the worker can
// be descheduled, which TSC busy accounting cannot see.
struct SchedWindow {
    SchedInfo w0, w1, g0, g1;
    uint64_t t0 = 0, t1 = 0;  // tsc
    void begin(const Harness& h);
    void end(const Harness& h);
    // `units` things the worker handled in the window (SYNs, conns), named
    // `what`: adds worker CPU ns per unit (schedstat on-CPU time / units,
    // an upper bound that includes idle polls but not preemption).
    void report(Report& r, double units, const std::string& what) const;
};

uint64_t tsc_hz();
uint64_t tsc();

int run_synflood(const Options& o);
int run_cps(const Options& o);
int run_idle(const Options& o);

}  // namespace tern::bench
