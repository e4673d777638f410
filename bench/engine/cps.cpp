// cps: full HTTP connections per second. The generator lcore emulates
// --concurrency clients (slot i uses source port 1024 + i; each new
// connection of a slot takes the next source address of 198.18.1.0 -
// 198.19.255.255, so a tuple comes back only after ~130 k connections of
// that slot): SYN -> SYN-ACK -> ACK + "GET / HTTP/1.1 ... Connection:
// close" in one segment -> response (+ FIN) -> FIN+ACK -> final ACK, then
// the slot starts over. Replies are rewritten in place into the client's
// next segment, so the generator allocates only when it starts or restarts
// a slot. The worker runs the built-in http app on port 80 with a short
// tcp.msl_ms so TIME_WAIT records recycle.
#include <fmt/format.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "common.h"
#include "tcp/segment.h"
#include "util/bytes.h"
#include "util/random.h"

namespace tern::bench {

namespace {

constexpr uint32_t kAddrBase = (198u << 24) | (18u << 16) | (1u << 8);  // 198.18.1.0
constexpr uint32_t kAddrCount = (2u << 16) - 256;                        // .. 198.19.255.255
constexpr std::string_view kRequest = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
constexpr std::string_view kStatus = "HTTP/1.1 200 ";
using namespace tern::tcp::flag;  // TCP flag bits, as the Stack names them

enum : uint8_t { Idle, SynSent, Requested, LastAck };

struct Client {
    uint32_t addr = 0;
    uint32_t isn = 0;
    uint32_t srv_isn = 0;
    uint32_t srv_ts = 0;
    uint32_t rcv = 0;  // response bytes received in order
    uint32_t gen = 0;
    uint64_t t_start = 0;
    uint64_t t_last = 0;
    uint8_t state = Idle;
    bool saw_status = false;
};

struct GenStats {
    uint64_t started = 0, completed = 0;
    uint64_t timeouts = 0, resets = 0, bad_response = 0, unexpected = 0;
    uint64_t stale = 0, not_tcp = 0;
    uint64_t pkts_in = 0, pkts_out = 0;
    uint64_t alloc_fail = 0;
    uint64_t busy_cycles = 0, total_cycles = 0;
    uint64_t failures() const { return timeouts + resets + bad_response; }
};

// Connection time (SYN sent -> final ACK received), 10 µs buckets up to 1 s.
struct Histogram {
    static constexpr size_t kBuckets = 100000;  // 10 us .. 1 s
    std::vector<uint64_t> b = std::vector<uint64_t>(kBuckets + 1, 0);
    uint64_t n = 0;
    void add(double us) {
        size_t i = size_t(us / 10.0);
        ++b[std::min(i, kBuckets)];
        ++n;
    }
    double pct(double p) const {
        if (n == 0) return 0;
        uint64_t want = uint64_t(std::ceil(p * double(n)));
        uint64_t acc = 0;
        for (size_t i = 0; i <= kBuckets; ++i) {
            acc += b[i];
            if (acc >= want) return double(i + 1) * 10.0;
        }
        return double(kBuckets) * 10.0;
    }
};

struct Snap {
    uint64_t tsc;
    GenStats g;
    uint64_t busy, total, rx, tx, tx_drops, established, closed;
};

}  // namespace

int run_cps(const Options& o) {
    const uint32_t nslots = std::min<uint32_t>(std::max<uint32_t>(o.concurrency, 1), 64512);
    uint32_t ring = o.ring_size;
    if (!ring) {
        ring = 4096;
        while (ring < 2 * nslots) ring <<= 1;
    }
    Harness h(o,
              {"listen.port=80", "listen.app=http", "engine.mbufs=65535", "engine.mbuf_cache=256",
               "engine.max_conns=32768", "tcp.max_tw_buckets=131072", "tcp.msl_ms=50",
               "tcp.max_syn_backlog=131072", "net.somaxconn=131072", "port.rx_desc=4096",
               "port.tx_desc=4096"},
              ring, 2 * ring + 4 * nslots + 4095);
    h.make_worker();

    const uint64_t hz = tsc_hz();
    const double us_per_tick = 1e6 / double(hz);
    const uint64_t timeout_ticks = uint64_t(o.timeout_ms * 1e-3 * double(hz));
    const uint32_t engine_ip = h.cfg.engine.address.addr;
    const net::MacAddr dst_mac = h.ring->port.mac;
    rte_ring* rx = h.ring->rx;
    rte_ring* tx = h.ring->tx;
    rte_mempool* pool = h.ring->gen_pool;
    const bool good = o.rx_csum_good;
    const auto* req = reinterpret_cast<const uint8_t*>(kRequest.data());
    const uint16_t req_len = uint16_t(kRequest.size());

    uint64_t seed = 0;
    util::random_bytes(&seed, sizeof seed);
    Rng rng(seed);
    std::vector<Client> cl(nslots);
    for (uint32_t i = 0; i < nslots; ++i) cl[i].gen = uint32_t(rng.next() % kAddrCount);
    GenStats g;
    Histogram hist;

    const uint64_t t0 = tsc();
    uint64_t now = t0;
    uint32_t cur_ts = 1;  // our TSval: ms since start, refreshed once per loop
    auto ts_now = [&]() { return cur_ts; };

    // The next segment of a client, written into m.
    auto syn = [&](uint32_t i, rte_mbuf* m) {
        Client& c = cl[i];
        c.addr = kAddrBase + (c.gen++ % kAddrCount);
        c.isn = uint32_t(rng.next());
        c.rcv = 0;
        c.saw_status = false;
        c.state = SynSent;
        c.t_start = c.t_last = now;
        TcpOut s;
        s.saddr = c.addr;
        s.daddr = engine_ip;
        s.sport = uint16_t(1024 + i);
        s.dport = kHttpPort;
        s.seq = c.isn;
        s.flags = kSyn;
        s.syn_opts = true;
        s.tsval = ts_now();
        make_mbuf(m, dst_mac, s, good);
        ++g.started;
    };
    auto segment = [&](uint32_t i, rte_mbuf* m, uint32_t seq, uint32_t ack, uint8_t flags,
                       const uint8_t* payload, uint16_t len) {
        const Client& c = cl[i];
        TcpOut s;
        s.saddr = c.addr;
        s.daddr = engine_ip;
        s.sport = uint16_t(1024 + i);
        s.dport = kHttpPort;
        s.seq = seq;
        s.ack = ack;
        s.flags = flags;
        s.window = 502;  // with WS 7: 64 KiB
        s.ts = true;
        s.tsval = ts_now();
        s.tsecr = c.srv_ts;
        s.payload = payload;
        s.payload_len = len;
        make_mbuf(m, dst_mac, s, good);
    };

    // Outgoing frames, enqueued once per loop; what does not fit waits.
    std::vector<rte_mbuf*> out;
    out.reserve(2 * ring + nslots);
    uint32_t next_idle = 0;  // slots not started yet: [next_idle, nslots)

    auto snap = [&](Snap& s) {
        s.tsc = tsc();
        s.g = g;
        const auto& c = h.worker->counters();
        s.busy = c.busy_cycles.get();
        s.total = c.total_cycles.get();
        s.rx = c.rx_packets.get();
        s.tx = c.tx_packets.get();
        s.tx_drops = c.tx_full_drops.get();
        s.established = h.worker->stack().counters().established.get();
        s.closed = h.worker->stack().counters().conn_closed.get();
    };

    h.launch();
    const uint64_t warm_end = t0 + uint64_t(o.warmup * double(hz));
    const uint64_t end = warm_end + uint64_t(o.seconds * double(hz));
    uint64_t next_scan = t0 + hz / 100;
    Snap s0{}, s1{};
    SchedWindow sw;
    bool measuring = false;
    void* objs[512];
    uint64_t last = t0;
    for (;;) {
        now = tsc();
        cur_ts = uint32_t((now - t0) * 1000 / hz) + 1;
        g.total_cycles += now - last;
        last = now;
        if (!measuring && now >= warm_end) {
            snap(s0);
            sw.begin(h);
            hist = Histogram{};
            measuring = true;
        }
        if (now >= end) break;
        bool work = false;

        unsigned n = rte_ring_dequeue_burst(tx, objs, 512, nullptr);
        if (n) {
            work = true;
            g.pkts_in += n;
            auto** ms = reinterpret_cast<rte_mbuf**>(objs);
            for (unsigned k = 0; k < n; ++k) {
                if (k + 4 < n) rte_prefetch0(rte_pktmbuf_mtod(ms[k + 4], void*));
                rte_mbuf* m = ms[k];
                complete_offloaded_checksums(m);
                TcpIn in;
                if (!parse_frame(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len, in) ||
                    in.saddr != engine_ip || in.sport != kHttpPort) {
                    ++g.not_tcp;
                    rte_pktmbuf_free(m);
                    continue;
                }
                const uint32_t i = uint32_t(in.dport) - 1024;
                if (in.dport < 1024 || i >= nslots || cl[i].addr != in.daddr || cl[i].state == Idle) {
                    ++g.stale;  // e.g. a retransmission for a connection given up
                    rte_pktmbuf_free(m);
                    continue;
                }
                Client& c = cl[i];
                if (in.flags & kRst) {
                    ++g.resets;
                    syn(i, m);
                    out.push_back(m);
                    continue;
                }
                switch (c.state) {
                    case SynSent:
                        if (in.flags == (kSyn | kAck) && in.ack == c.isn + 1) {
                            c.srv_isn = in.seq;
                            c.srv_ts = in.tsval;
                            c.state = Requested;
                            c.t_last = now;
                            segment(i, m, c.isn + 1, c.srv_isn + 1, kAck | kPsh, req, req_len);
                            out.push_back(m);
                        } else {
                            ++g.unexpected;
                            rte_pktmbuf_free(m);
                        }
                        break;
                    case Requested: {
                        if (!(in.flags & kAck) || in.seq != c.srv_isn + 1 + c.rcv) {
                            ++g.unexpected;  // out of order or duplicate: ignore
                            rte_pktmbuf_free(m);
                            break;
                        }
                        if (in.has_ts) c.srv_ts = in.tsval;
                        if (in.payload_len) {
                            if (c.rcv == 0) {
                                if (in.payload_len < kStatus.size() ||
                                    std::memcmp(in.payload, kStatus.data(), kStatus.size()) != 0) {
                                    ++g.bad_response;
                                    syn(i, m);
                                    out.push_back(m);
                                    break;
                                }
                                c.saw_status = true;
                            }
                            c.rcv += in.payload_len;
                        }
                        c.t_last = now;
                        if ((in.flags & kFin) && c.saw_status) {
                            c.state = LastAck;
                            segment(i, m, c.isn + 1 + req_len, c.srv_isn + 1 + c.rcv + 1,
                                    kAck | kFin, nullptr, 0);
                            out.push_back(m);
                        } else {
                            rte_pktmbuf_free(m);
                        }
                        break;
                    }
                    case LastAck:
                        if ((in.flags & kAck) && !(in.flags & (kSyn | kFin)) &&
                            in.ack == c.isn + 1 + req_len + 1) {
                            ++g.completed;
                            hist.add(double(now - c.t_start) * us_per_tick);
                            syn(i, m);
                            out.push_back(m);
                        } else {
                            ++g.unexpected;
                            rte_pktmbuf_free(m);
                        }
                        break;
                    default:
                        rte_pktmbuf_free(m);
                        break;
                }
            }
        }

        // Start the slots not started yet, as ring room allows.
        if (next_idle < nslots) {
            unsigned room = rte_ring_free_count(rx);
            unsigned k = std::min<unsigned>({room > out.size() ? unsigned(room - out.size()) : 0u,
                                             nslots - next_idle, 256u});
            rte_mbuf* fresh[256];
            if (k && rte_pktmbuf_alloc_bulk(pool, fresh, k) == 0) {
                for (unsigned j = 0; j < k; ++j) {
                    syn(next_idle++, fresh[j]);
                    out.push_back(fresh[j]);
                }
            }
        }

        // Clients that made no progress for --timeout-ms: failed, restarted.
        if (now >= next_scan) {
            next_scan = now + hz / 100;
            for (uint32_t i = 0; i < next_idle; ++i) {
                Client& c = cl[i];
                if (c.state == Idle || now - c.t_last < timeout_ticks) continue;
                rte_mbuf* m = rte_pktmbuf_alloc(pool);
                if (!m) {
                    ++g.alloc_fail;
                    break;
                }
                ++g.timeouts;
                syn(i, m);
                out.push_back(m);
            }
        }

        if (!out.empty()) {
            work = true;
            unsigned q = rte_ring_enqueue_burst(rx, reinterpret_cast<void**>(out.data()),
                                                unsigned(out.size()), nullptr);
            g.pkts_out += q;
            out.erase(out.begin(), out.begin() + q);
        }
        if (work) g.busy_cycles += tsc() - now;
    }
    snap(s1);
    sw.end(h);
    const Histogram h_window = hist;
    h.join();
    for (rte_mbuf* m : out) rte_pktmbuf_free(m);
    h.ring->drain();

    // ---- report
    const double dt = double(s1.tsc - s0.tsc) / double(hz);
    const double done = double(s1.g.completed - s0.g.completed);
    const double cps = done / dt;
    const double busy = double(s1.busy - s0.busy);
    const double total = double(s1.total - s0.total);
    const double busy_share = total > 0 ? busy / total : 0;
    const double gen_busy =
        double(s1.g.busy_cycles - s0.g.busy_cycles) / double(s1.g.total_cycles - s0.g.total_cycles);
    const double wrx = double(s1.rx - s0.rx), wtx = double(s1.tx - s0.tx);
    const uint64_t fails = s1.g.failures() - s0.g.failures();

    Report r;
    h.describe(r);
    r.config("seconds", fmt::format("{}", o.seconds));
    r.config("warmup", fmt::format("{}", o.warmup));
    r.config("concurrency", std::to_string(nslots));
    r.config("ring_size", std::to_string(ring));
    r.config("timeout_ms", fmt::format("{}", o.timeout_ms));
    r.config("request", "GET / HTTP/1.1, Host: x, Connection: close (one segment with the 3rd ACK)");
    r.config("hugepages", o.no_huge ? "no" : "yes");
    r.add("connections_per_s", cps, "1/s", "SYN .. final ACK completed by the generator");
    r.add("failures", int64_t(fails), "", "timeouts + resets + bad responses in the window");
    r.add("failure_timeouts", int64_t(s1.g.timeouts - s0.g.timeouts));
    r.add("failure_resets", int64_t(s1.g.resets - s0.g.resets));
    r.add("failure_bad_response", int64_t(s1.g.bad_response - s0.g.bad_response));
    r.add("unexpected_segments", int64_t(s1.g.unexpected - s0.g.unexpected), "", "ignored (dup/out of order)");
    r.add("stale_segments", int64_t(s1.g.stale - s0.g.stale), "", "for connections already given up");
    r.add("worker_busy_share", busy_share, "", "cycles of polls with packets / all cycles");
    r.add("capacity_cps", busy_share > 0 ? cps / busy_share : 0.0, "1/s", "cps / worker busy share");
    r.add("worker_ns_per_conn", done > 0 ? busy / double(hz) * 1e9 / done : 0.0, "ns", "busy worker time per connection");
    r.add("worker_pkts_in_per_conn", done > 0 ? wrx / done : 0.0);
    r.add("worker_pkts_out_per_conn", done > 0 ? wtx / done : 0.0);
    r.add("worker_established_per_s", double(s1.established - s0.established) / dt, "1/s");
    r.add("worker_closed_per_s", double(s1.closed - s0.closed) / dt, "1/s");
    r.add("generator_busy_share", gen_busy, "", "generator loop iterations that moved packets");
    r.add("conn_time_p50_us", h_window.pct(0.50), "us", "SYN sent -> final ACK (10 us buckets)");
    r.add("conn_time_p99_us", h_window.pct(0.99), "us");
    r.add("conn_time_p999_us", h_window.pct(0.999), "us");
    r.add("worker_tx_full_drops", int64_t(s1.tx_drops - s0.tx_drops));
    r.add("generator_alloc_failures", int64_t(s1.g.alloc_fail - s0.g.alloc_fail));
    r.add("target_1M_met", std::string(cps >= 1e6 ? "yes" : "no"), "", ">= 1 M connections/s");
    r.add("bottleneck", std::string(busy_share >= 0.95 ? "worker" : "generator (worker not saturated)"),
          "", "worker busy share >= 0.95 means the worker is the limit");
    r.add("measured_seconds", dt, "s");
    sw.report(r, done, "conn");
    for (const auto& [k, v] : worker_counters(*h.worker)) r.counter(k, v);
    r.counter("live_tcbs_at_end", h.worker->stack().live_tcbs());
    r.counter("time_wait_records_at_end", h.worker->stack().time_wait_records());
    r.print("tern-bench-engine cps (one worker, http app, Connection: close)");
    if (!o.json.empty()) r.write_json(o.json, "cps");
    return done > 0 ? 0 : 1;
}

}  // namespace tern::bench
