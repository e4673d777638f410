// idle: memory per idle established connection. The generator completes
// --conns handshakes (SYN -> SYN-ACK -> ACK, no data; client i is
// 198.18.1.0 + i / 64512, port 1024 + i % 64512) with a bounded number in
// flight and leaves them open. The Stack's pools are sized for exactly that
// many connections (engine.max_conns = --conns), as tern sizes them at
// start-up. The process's RSS (VmRSS) is read before the worker exists,
// after it is built (pools allocated) and once every connection is
// ESTABLISHED; the generator keeps no per-connection state (ISNs are a
// function of the client index), so the difference is the engine's.
#include <fmt/format.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <algorithm>
#include <bit>
#include <map>
#include <thread>

#include "common.h"
#include "tcp/segment.h"
#include "tcp/tcb.h"
#include "util/random.h"

namespace tern::bench {

namespace {

constexpr uint32_t kAddrBase = (198u << 24) | (18u << 16) | (1u << 8);  // 198.18.1.0
constexpr uint32_t kPorts = 64512;
using namespace tern::tcp::flag;  // TCP flag bits, as the Stack names them
constexpr uint32_t kTwBuckets = 1024;
constexpr uint32_t kWindow = 4096;  // handshakes in flight

}  // namespace

int run_idle(const Options& o) {
    const uint32_t n = std::max<uint32_t>(o.conns, 16);
    if (uint64_t(n) > uint64_t(kPorts) * 255 * 2) throw std::runtime_error("--conns too large");
    const uint32_t ring = o.ring_size ? o.ring_size : 8192;

    const MemInfo m_eal = mem_info();
    Harness h(o,
              {"listen.port=80", "listen.app=http", "engine.mbufs=16383", "engine.mbuf_cache=256",
               fmt::format("engine.max_conns={}", n), fmt::format("tcp.max_tw_buckets={}", kTwBuckets),
               "tcp.max_syn_backlog=65536", "port.rx_desc=4096", "port.tx_desc=4096"},
              ring, 2 * ring + 2 * kWindow + 4095);
    const MemInfo m0 = mem_info();
    h.make_worker();
    const MemInfo m1 = mem_info();

    const uint64_t hz = tsc_hz();
    const uint32_t engine_ip = h.cfg.engine.address.addr;
    const net::MacAddr dst_mac = h.ring->port.mac;
    rte_ring* rx = h.ring->rx;
    rte_ring* tx = h.ring->tx;
    rte_mempool* pool = h.ring->gen_pool;
    uint32_t salt = 0;
    util::random_bytes(&salt, sizeof salt);
    auto isn_of = [&](uint32_t i) { return mix32(i ^ salt); };
    auto client = [&](uint32_t i, TcpOut& s) {
        s.saddr = kAddrBase + i / kPorts;
        s.daddr = engine_ip;
        s.sport = uint16_t(1024 + i % kPorts);
        s.dport = kHttpPort;
    };

    uint64_t syns = 0, acks = 0, bad = 0, resets = 0, other = 0;
    std::vector<rte_mbuf*> out;
    out.reserve(2 * kWindow + 512);
    void* objs[512];

    h.launch();
    const uint64_t t0 = tsc();
    const uint64_t deadline = t0 + uint64_t(o.seconds * double(hz));
    uint64_t now = t0;
    while (acks + bad + resets < n && (now = tsc()) < deadline) {
        unsigned got = rte_ring_dequeue_burst(tx, objs, 512, nullptr);
        for (unsigned k = 0; k < got; ++k) {
            auto* m = static_cast<rte_mbuf*>(objs[k]);
            TcpIn in;
            if (!parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, in) ||
                in.dport < 1024 || in.daddr < kAddrBase) {
                ++other;
                rte_pktmbuf_free(m);
                continue;
            }
            const uint32_t i = (in.daddr - kAddrBase) * kPorts + (in.dport - 1024);
            if (in.flags & kRst) {
                ++resets;
                rte_pktmbuf_free(m);
                continue;
            }
            if (in.flags != (kSyn | kAck) || i >= n || in.ack != isn_of(i) + 1) {
                ++bad;
                rte_pktmbuf_free(m);
                continue;
            }
            TcpOut s;
            client(i, s);
            s.seq = isn_of(i) + 1;
            s.ack = in.seq + 1;
            s.flags = kAck;
            s.window = 502;
            s.ts = in.has_ts;
            s.tsval = uint32_t((now - t0) * 1000 / hz) + 1;
            s.tsecr = in.tsval;
            make_mbuf(m, dst_mac, s, o.rx_csum_good);
            out.push_back(m);
            ++acks;
        }
        // New SYNs while fewer than kWindow handshakes are open.
        const uint64_t open = syns - acks - bad - resets;
        if (syns < n && open < kWindow) {
            unsigned k = unsigned(std::min<uint64_t>({kWindow - open, n - syns, 256}));
            rte_mbuf* fresh[256];
            if (rte_pktmbuf_alloc_bulk(pool, fresh, k) == 0) {
                for (unsigned j = 0; j < k; ++j) {
                    const uint32_t i = uint32_t(syns++);
                    TcpOut s;
                    client(i, s);
                    s.seq = isn_of(i);
                    s.flags = kSyn;
                    s.syn_opts = true;
                    s.tsval = uint32_t((now - t0) * 1000 / hz) + 1;
                    make_mbuf(fresh[j], dst_mac, s, o.rx_csum_good);
                    out.push_back(fresh[j]);
                }
            }
        }
        if (!out.empty()) {
            unsigned q = rte_ring_enqueue_burst(rx, reinterpret_cast<void**>(out.data()),
                                                unsigned(out.size()), nullptr);
            out.erase(out.begin(), out.begin() + q);
        }
    }
    // Let the worker take the last ACKs.
    while (!out.empty() && tsc() < deadline + hz) {
        unsigned q = rte_ring_enqueue_burst(rx, reinterpret_cast<void**>(out.data()),
                                            unsigned(out.size()), nullptr);
        out.erase(out.begin(), out.begin() + q);
    }
    const uint64_t t_fill = tsc();
    while (rte_ring_count(rx) > 0 && tsc() < t_fill + hz) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h.join();
    for (rte_mbuf* m : out) rte_pktmbuf_free(m);
    h.ring->drain();
    const double fill_s = double(t_fill - t0) / double(hz);

    // The worker has stopped: its Stack may be read from here.
    std::map<std::string, uint64_t> states;
    uint64_t established = 0;
    h.worker->stack().for_each_conn([&](const tcp::Conn& c) {
        ++states[std::string(tcp::state_name(c.state()))];
        if (c.state() == tcp::State::Established) ++established;
    });
    const MemInfo m2 = mem_info();

    const double kib = 1024.0;
    const double per_conn_total = double(m2.rss_kb - m0.rss_kb) * kib / double(n);
    const double per_conn_fill = double(m2.rss_kb - m1.rss_kb) * kib / double(n);
    const uint32_t tw_buckets = h.cfg.tcp.max_tw_buckets;
    const uint64_t flow_slots = std::bit_ceil(uint64_t(h.cfg.tcp.max_tcbs + tw_buckets) * 2);
    const double slot_bytes = 20.0;  // tcp::FlowTable::Slot: Tuple (12) + ref + hash
    const double flow_per_conn = double(flow_slots) * slot_bytes / double(n);

    Report r;
    h.describe(r);
    r.config("conns", std::to_string(n));
    r.config("handshakes_in_flight", std::to_string(kWindow));
    r.config("hugepages", o.no_huge ? "no" : "yes");
    r.add("sizeof_tcb", int64_t(sizeof(tcp::Tcb)), "B", "tcp::Tcb (target <= 256)");
    r.add("sizeof_time_wait", int64_t(sizeof(tcp::TimeWait)), "B", "tcp::TimeWait (target <= 64)");
    r.add("flow_table_bytes_per_conn", flow_per_conn, "B",
          fmt::format("{} slots x 20 B / conns (load <= 1/2, pow2)", flow_slots));
    r.add("tcb_pool_bytes_per_conn", double(sizeof(tcp::Tcb) + sizeof(uint32_t)), "B", "Tcb + free-list index");
    r.add("tw_pool_bytes_per_conn", double(tw_buckets) * double(sizeof(tcp::TimeWait) + 4) / double(n), "B",
          fmt::format("tcp.max_tw_buckets = {} records", tw_buckets));
    r.add("conns_requested", int64_t(n));
    r.add("conns_established", int64_t(established), "", "ESTABLISHED in the Stack after the fill");
    r.add("handshakes_per_s", fill_s > 0 ? double(acks) / fill_s : 0.0, "1/s", "fill rate (not a tuned figure)");
    r.add("fill_seconds", fill_s, "s");
    r.add("synack_bad", int64_t(bad), "", "flags or ack != isn + 1");
    r.add("resets", int64_t(resets));
    r.add("rss_after_eal_kb", int64_t(m_eal.rss_kb), "KiB");
    r.add("rss_before_worker_kb", int64_t(m0.rss_kb), "KiB", "EAL, ring port, mbuf pools");
    r.add("rss_worker_built_kb", int64_t(m1.rss_kb), "KiB", "Stack pools allocated for the conns");
    r.add("rss_filled_kb", int64_t(m2.rss_kb), "KiB", "every conn ESTABLISHED");
    r.add("hugetlb_kb", int64_t(m2.hugetlb_kb), "KiB", "DPDK memory on hugepages (not in RSS)");
    r.add("bytes_per_conn", per_conn_total, "B", "(rss_filled - rss_before_worker) / conns");
    r.add("bytes_per_conn_fill_only", per_conn_fill, "B", "(rss_filled - rss_worker_built) / conns");
    r.add("target_256B_met", std::string(per_conn_total <= 256 ? "yes" : "no"), "", "<= 256 B per idle conn");
    r.add("target_tw_64B_met", std::string(sizeof(tcp::TimeWait) <= 64 ? "yes" : "no"), "", "<= 64 B per TIME_WAIT record");
    for (const auto& [k, v] : states) r.counter("state_" + k, v);
    for (const auto& [k, v] : worker_counters(*h.worker)) r.counter(k, v);
    r.print("tern-bench-engine idle (memory per idle connection)");
    if (!o.json.empty()) r.write_json(o.json, "idle");
    return established == n ? 0 : 1;
}

}  // namespace tern::bench
