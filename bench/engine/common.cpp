#include "common.h"

#include <fmt/format.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/ports.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "util/bytes.h"

namespace tern::bench {

using util::load_be16;
using util::load_be32;
using util::store_be16;
using util::store_be32;

uint64_t tsc_hz() { return rte_get_tsc_hz(); }
uint64_t tsc() { return rte_rdtsc(); }

// ------------------------------------------------------------------ port

RingPort::RingPort(const config::Config& cfg, uint32_t ring_size, uint32_t gen_mbufs) {
    int socket = int(rte_socket_id());
    rx = rte_ring_create("bench_rx", ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
    tx = rte_ring_create("bench_tx", 4 * ring_size, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!rx || !tx) throw std::runtime_error("rte_ring_create failed");
    int id = rte_eth_from_rings("bench_ring", &rx, 1, &tx, 1, unsigned(socket));
    if (id < 0) throw std::runtime_error("rte_eth_from_rings failed");
    port = dpdk::start_port(uint16_t(id), 1, engine::port_settings(cfg));
    gen_pool = rte_pktmbuf_pool_create("bench_gen", gen_mbufs, 512, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                       socket);
    if (!gen_pool) throw std::runtime_error(fmt::format("generator mbuf pool ({} mbufs)", gen_mbufs));
}

RingPort::~RingPort() {
    drain();
    dpdk::stop_port(port);
    rte_ring_free(rx);
    rte_ring_free(tx);
    rte_mempool_free(gen_pool);
}

void RingPort::drain() {
    void* objs[512];
    for (rte_ring* r : {rx, tx}) {
        unsigned n;
        while ((n = rte_ring_dequeue_burst(r, objs, 512, nullptr)) > 0)
            rte_pktmbuf_free_bulk(reinterpret_cast<rte_mbuf**>(objs), n);
    }
}

engine::QueueRef RingPort::queue(const config::Config& cfg, bool tx_offload) const {
    engine::QueueRef q;
    q.port = port.id;
    q.queue = 0;
    q.local.mac = port.mac;
    q.local.ip = cfg.engine.address.addr;
    q.local.broadcast = cfg.engine.address.broadcast();
    q.pool = port.pool;
    q.tx_csum = port.tx_csum;
    if (tx_offload) q.tx_csum = {.ip = true, .tcp = true};
    return q;
}

// ------------------------------------------------------------------ frames

namespace {

constexpr size_t kEth = 14;

}  // namespace

void make_mbuf(rte_mbuf* m, const net::MacAddr& dst, const TcpOut& s, bool rx_csum_good) {
    rte_pktmbuf_reset(m);
    uint16_t len = write_frame(rte_pktmbuf_mtod(m, uint8_t*), kGenMac, dst, s);
    m->data_len = len;
    m->pkt_len = len;
    if (rx_csum_good) m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

void complete_offloaded_checksums(rte_mbuf* m) {
    if (!(m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM))) return;
    uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
    uint8_t* ip = p + kEth;
    size_t ihl = size_t(ip[0] & 0xf) * 4;
    if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM) {
        store_be16(ip + 10, 0);
        store_be16(ip + 10, net::checksum(ip, ihl));
    }
    if (m->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM) {
        // The field holds the folded pseudo-header sum (uncomplemented):
        // summing the segment over it yields the checksum, as a NIC does.
        uint8_t* th = ip + ihl;
        uint16_t l4 = uint16_t(load_be16(ip + 2) - ihl);
        uint16_t c = net::csum_fold(net::csum_partial(th, l4, 0));
        store_be16(th + 16, c);
    }
}

// ------------------------------------------------------------------ scheduling

void SchedWindow::begin(const Harness& h) {
    t0 = tsc();
    w0 = sched_info(h.worker_tid.load());
    g0 = sched_info(current_tid());
}

void SchedWindow::end(const Harness& h) {
    t1 = tsc();
    w1 = sched_info(h.worker_tid.load());
    g1 = sched_info(current_tid());
}

void SchedWindow::report(Report& r, double units, const std::string& what) const {
    const double wall_ns = double(t1 - t0) / double(tsc_hz()) * 1e9;
    if (wall_ns <= 0) return;
    const double w_on = double(w1.run_ns - w0.run_ns) / wall_ns;
    const double w_wait = double(w1.wait_ns - w0.wait_ns) / wall_ns;
    const double g_on = double(g1.run_ns - g0.run_ns) / wall_ns;
    r.add("worker_on_cpu_share", w_on, "", "schedstat: worker thread on a CPU / wall time");
    r.add("worker_runqueue_wait_share", w_wait, "", "schedstat: worker runnable but not running");
    r.add("generator_on_cpu_share", g_on, "", "schedstat: generator thread on a CPU / wall time");
    if (units > 0)
        r.add("worker_cpu_ns_per_" + what, double(w1.run_ns - w0.run_ns) / units, "ns",
              "worker on-CPU time / " + what + " (idle polls included)");
    r.add("machine_busy", std::string(w_on < 0.97 || g_on < 0.97 ? "YES" : "no"), "",
          "a bench thread lost its CPU to other processes: rates understate");
}

// ------------------------------------------------------------------ memory

MemInfo mem_info() {
    MemInfo mi;
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        unsigned long long v = 0;
        if (std::sscanf(line.c_str(), "VmRSS: %llu kB", &v) == 1) mi.rss_kb = v;
        if (std::sscanf(line.c_str(), "HugetlbPages: %llu kB", &v) == 1) mi.hugetlb_kb = v;
    }
    return mi;
}

// ------------------------------------------------------------------ report

void Report::add(const std::string& key, Value v, const std::string& unit, const std::string& note) {
    rows_.push_back(Row{key, std::move(v), unit, note});
}

namespace {

std::string fmt_value(const Report::Value& v) {
    if (auto d = std::get_if<double>(&v)) {
        double a = *d < 0 ? -*d : *d;
        if (a != 0 && a < 0.01) return fmt::format("{:.4g}", *d);
        if (a >= 1e6) return fmt::format("{:.4g}", *d);
        return fmt::format("{:.3f}", *d);
    }
    if (auto i = std::get_if<int64_t>(&v)) return fmt::format("{}", *i);
    return std::get<std::string>(v);
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            o += fmt::format("\\u{:04x}", int(c));
            continue;
        }
        o += c;
    }
    return o;
}

std::string json_value(const Report::Value& v) {
    if (auto d = std::get_if<double>(&v)) return fmt::format("{}", *d);
    if (auto i = std::get_if<int64_t>(&v)) return fmt::format("{}", *i);
    return fmt::format("\"{}\"", json_escape(std::get<std::string>(v)));
}

}  // namespace

void Report::print(const std::string& title) const {
    size_t kw = 6, vw = 5, uw = 4;
    for (const auto& r : rows_) {
        kw = std::max(kw, r.key.size());
        vw = std::max(vw, fmt_value(r.v).size());
        uw = std::max(uw, r.unit.size());
    }
    fmt::print("\n== {} ==\n", title);
    fmt::print("{:<{}}  {:>{}}  {:<{}}  {}\n", "metric", kw, "value", vw, "unit", uw, "note");
    fmt::print("{:-<{}}  {:-<{}}  {:-<{}}  {:-<4}\n", "", kw, "", vw, "", uw, "");
    for (const auto& r : rows_)
        fmt::print("{:<{}}  {:>{}}  {:<{}}  {}\n", r.key, kw, fmt_value(r.v), vw, r.unit, uw, r.note);
    if (!counters_.empty()) {
        fmt::print("\nnon-zero worker counters:\n");
        std::string line;
        for (const auto& [k, v] : counters_) {
            if (v == 0) continue;
            std::string item = fmt::format("{}={}", k, v);
            if (line.size() + item.size() + 2 > 100) {
                fmt::print("  {}\n", line);
                line.clear();
            }
            line += (line.empty() ? "" : "  ") + item;
        }
        if (!line.empty()) fmt::print("  {}\n", line);
    }
    std::fflush(stdout);
}

void Report::write_json(const std::string& path, const std::string& mode) const {
    std::ostringstream o;
    o << "{\n  \"mode\": \"" << json_escape(mode) << "\",\n  \"config\": {";
    for (size_t i = 0; i < config_.size(); ++i)
        o << (i ? ",\n" : "\n") << "    \"" << json_escape(config_[i].first) << "\": \""
          << json_escape(config_[i].second) << "\"";
    o << "\n  },\n  \"results\": {";
    for (size_t i = 0; i < rows_.size(); ++i)
        o << (i ? ",\n" : "\n") << "    \"" << json_escape(rows_[i].key)
          << "\": " << json_value(rows_[i].v);
    o << "\n  },\n  \"units\": {";
    for (size_t i = 0; i < rows_.size(); ++i)
        o << (i ? ",\n" : "\n") << "    \"" << json_escape(rows_[i].key) << "\": \""
          << json_escape(rows_[i].unit) << "\"";
    o << "\n  },\n  \"worker_counters\": {";
    for (size_t i = 0; i < counters_.size(); ++i)
        o << (i ? ",\n" : "\n") << "    \"" << json_escape(counters_[i].first)
          << "\": " << counters_[i].second;
    o << "\n  }\n}\n";
    std::ofstream f(path);
    if (!f) throw std::runtime_error("cannot write " + path);
    f << o.str();
}

std::vector<std::pair<std::string, uint64_t>> worker_counters(const engine::Worker& w) {
    std::vector<const engine::WorkerCounters*> ws{&w.counters()};
    auto l = engine::sum_counters(ws);
    w.stack().counters().for_each(
        [&](const char* name, uint64_t v) { l.emplace_back(std::string("tcp_") + name, v); });
    return l;
}

uint64_t counter_of(const std::vector<std::pair<std::string, uint64_t>>& l, const std::string& k) {
    for (const auto& [name, v] : l)
        if (name == k) return v;
    return 0;
}

// ------------------------------------------------------------------ harness

Harness::Harness(const Options& o, const std::vector<std::string>& mode_sets, uint32_t ring_size,
                 uint32_t gen_mbufs)
    : opt(o) {
    config::apply_set(cfg, "engine.address=198.18.0.1/24");
    for (const auto& s : mode_sets) config::apply_set(cfg, s);
    for (const auto& s : o.sets) config::apply_set(cfg, s);
    config::validate(cfg);
    ring = std::make_unique<RingPort>(cfg, ring_size, gen_mbufs);
    unsigned lc = rte_get_next_lcore(rte_lcore_id(), 1, 0);
    if (lc >= RTE_MAX_LCORE) throw std::runtime_error("need a second lcore for the worker (-l 0,1)");
    worker_lcore = lc;
}

Harness::~Harness() {
    join();
    worker.reset();
    ring.reset();
}

void Harness::make_worker() {
    worker = std::make_unique<engine::Worker>(0, cfg,
                                              std::vector<engine::QueueRef>{ring->queue(cfg, opt.tx_offload)});
}

void Harness::launch() {
    stop.store(false);
    int rc = rte_eal_remote_launch(
        [](void* a) -> int {
            auto* h = static_cast<Harness*>(a);
            h->worker_tid.store(current_tid());
            h->worker->run(h->stop);
            return 0;
        },
        this, worker_lcore);
    if (rc != 0) throw std::runtime_error("rte_eal_remote_launch failed");
    launched = true;
}

void Harness::join() {
    if (!launched) return;
    stop.store(true);
    rte_eal_wait_lcore(worker_lcore);
    launched = false;
}

void Harness::describe(Report& r) const {
    r.config("engine.address", "198.18.0.1/24");
    for (const auto& [k, v] : config::describe(cfg)) {
        if (k.rfind("tcp.", 0) == 0 || k.rfind("engine.", 0) == 0 || k.rfind("listen", 0) == 0 ||
            k == "net.somaxconn")
            r.config(k, v);
    }
    r.config("tcp.syncookies", std::to_string(cfg.tcp.syncookies));
    r.config("port.driver", ring->port.driver);
    r.config("port.tx_csum_offload", (ring->port.tx_csum.tcp || opt.tx_offload) ? "yes" : "no");
    r.config("rx_csum", opt.rx_csum_good ? "marked good in ol_flags (as a NIC)" : "verified in software");
    r.config("worker_lcore", std::to_string(worker_lcore));
    r.config("priority", opt.priority ? "nice -20 (process + autogroup)" : "normal");
    r.config("generator_lcore", std::to_string(rte_lcore_id()));
}

}  // namespace tern::bench
