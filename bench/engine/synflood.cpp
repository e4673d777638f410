// synflood: spoofed SYNs (sources from 198.19.0.0/16, random ports and
// ISNs, Linux-like options, valid checksums) enqueued on the RX ring as fast
// as the worker takes them; every reply dequeued from the TX ring, its
// flags checked, one in --sample-every fully validated (addresses, ports,
// ack = isn + 1, TS echo, both checksums), then freed. The worker runs the
// real Stack with tcp.syncookies = 2: each SYN is answered by a cookie
// SYN-ACK built in place in the received mbuf.
#include <fmt/format.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <algorithm>
#include <cstring>

#include "common.h"
#include "net/checksum.h"
#include "tcp/segment.h"
#include "util/bytes.h"
#include "util/random.h"

namespace tern::bench {

namespace {

constexpr uint32_t kSrcBase = (198u << 24) | (19u << 16);  // 198.19.0.0/16
constexpr size_t kIpCsum = 24, kSaddrLo = 28, kSport = 34, kSeq = 38, kTcpCsum = 50;
constexpr uint8_t kSynAck = tcp::flag::kSyn | tcp::flag::kAck;
constexpr unsigned kBurst = 256;

struct Template {
    uint8_t frame[128];
    uint16_t len = 0;
    uint32_t ip_base = 0;   // uncomplemented sum of the IPv4 header, variable words zero
    uint32_t tcp_base = 0;  // same for pseudo header + TCP header + options
    uint32_t tsval = 0;
};

inline uint32_t fold(uint32_t s) {
    s = (s & 0xFFFF) + (s >> 16);
    s = (s & 0xFFFF) + (s >> 16);
    return s;
}

inline uint32_t isn_for(uint32_t salt, uint16_t lo, uint16_t sport) {
    return mix32((uint32_t(lo) << 16 | sport) ^ salt);
}

struct GenStats {
    uint64_t syns_sent = 0;
    uint64_t replies = 0;
    uint64_t syn_acks = 0;
    uint64_t other = 0;
    uint64_t sampled = 0;
    uint64_t sample_bad = 0;
    uint64_t alloc_fail = 0;
    uint64_t busy_cycles = 0, total_cycles = 0;
};

struct Snap {
    uint64_t tsc;
    GenStats g;
    uint64_t busy, total, rx, tx, cookies, tx_drops;
};

}  // namespace

int run_synflood(const Options& o) {
    const uint32_t ring = o.ring_size ? o.ring_size : 4096;
    Harness h(o,
              {"listen.port=80", "listen.app=http", "engine.mbufs=8191", "engine.mbuf_cache=256",
               "port.rx_desc=4096", "port.tx_desc=4096"},
              ring, 6 * ring - 1);
    // tcp.syncookies has no config key yet: set the field (the Stack copies
    // its config when the worker is built).
    try {
        config::apply_set(h.cfg, "tcp.syncookies=2");
    } catch (const config::ConfigError&) {
        h.cfg.tcp.syncookies = 2;
    }
    h.make_worker();

    // The SYN template: 198.19.0.0:0 -> 198.18.0.1:80, seq 0.
    Template t;
    t.tsval = uint32_t(tsc() >> 20);
    {
        TcpOut s;
        s.saddr = kSrcBase;
        s.daddr = h.cfg.engine.address.addr;
        s.sport = 0;
        s.dport = kHttpPort;
        s.seq = 0;
        s.flags = 0x02;
        s.syn_opts = true;
        s.tsval = t.tsval;
        t.len = write_frame(t.frame, kGenMac, h.ring->port.mac, s);
        t.ip_base = uint16_t(~util::load_be16(t.frame + kIpCsum));
        t.tcp_base = uint16_t(~util::load_be16(t.frame + kTcpCsum));
    }
    uint32_t salt = 0;
    util::random_bytes(&salt, sizeof salt);
    Rng rng(tsc() ^ (uint64_t(salt) << 32));
    const uint64_t ol = o.rx_csum_good ? (RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD) : 0;
    const uint32_t engine_ip = h.cfg.engine.address.addr;

    rte_ring* rx = h.ring->rx;
    rte_ring* tx = h.ring->tx;
    rte_mempool* pool = h.ring->gen_pool;
    GenStats g;
    unsigned sample_mask = 0;
    {
        unsigned s = std::max(1u, o.sample_every);
        unsigned p2 = 1;
        while (p2 < s) p2 <<= 1;
        sample_mask = p2 - 1;
    }

    auto snap = [&](Snap& s) {
        s.tsc = tsc();
        s.g = g;
        const auto& c = h.worker->counters();
        s.busy = c.busy_cycles.get();
        s.total = c.total_cycles.get();
        s.rx = c.rx_packets.get();
        s.tx = c.tx_packets.get();
        s.tx_drops = c.tx_full_drops.get();
        s.cookies = h.worker->stack().counters().syncookies_sent.get();
    };

    h.launch();
    const uint64_t hz = tsc_hz();
    const uint64_t t0 = tsc();
    const uint64_t warm_end = t0 + uint64_t(o.warmup * double(hz));
    const uint64_t end = warm_end + uint64_t(o.seconds * double(hz));
    Snap s0{}, s1{};
    SchedWindow sw;
    bool measuring = false;
    rte_mbuf* pkts[kBurst];
    void* objs[512];
    uint64_t last = tsc();
    for (;;) {
        const uint64_t now = tsc();
        g.total_cycles += now - last;
        last = now;
        if (!measuring && now >= warm_end) {
            snap(s0);
            sw.begin(h);
            measuring = true;
        }
        if (now >= end) break;
        bool work = false;

        // Replies: count, check, free.
        unsigned n = rte_ring_dequeue_burst(tx, objs, 512, nullptr);
        if (n) {
            work = true;
            auto** ms = reinterpret_cast<rte_mbuf**>(objs);
            for (unsigned i = 0; i < n; ++i) {
                if (i + 8 < n) rte_prefetch0(rte_pktmbuf_mtod(ms[i + 8], void*));
                rte_mbuf* m = ms[i];
                const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
                ++g.replies;
                if (m->data_len >= 54 && p[47] == kSynAck) ++g.syn_acks;
                else ++g.other;
                if ((g.replies & sample_mask) == 0) {
                    ++g.sampled;
                    complete_offloaded_checksums(m);
                    TcpIn in;
                    bool ok = parse_frame(p, m->data_len, in) && checksums_ok(p, m->data_len) &&
                              in.flags == kSynAck && in.saddr == engine_ip &&
                              in.sport == kHttpPort && (in.daddr >> 16) == (kSrcBase >> 16) &&
                              in.ack == isn_for(salt, uint16_t(in.daddr), in.dport) + 1 &&
                              in.has_ts && in.tsecr == t.tsval &&
                              std::memcmp(p, kGenMac.b.data(), 6) == 0;
                    if (!ok) ++g.sample_bad;
                }
            }
            rte_pktmbuf_free_bulk(ms, n);
        }

        // SYNs: keep the RX ring full.
        unsigned room = rte_ring_free_count(rx);
        if (room >= 32) {
            unsigned k = std::min(room, kBurst);
            if (rte_pktmbuf_alloc_bulk(pool, pkts, k) != 0) {
                ++g.alloc_fail;
            } else {
                work = true;
                for (unsigned i = 0; i < k; ++i) {
                    rte_mbuf* m = pkts[i];
                    uint8_t* p = rte_pktmbuf_mtod(m, uint8_t*);
                    std::memcpy(p, t.frame, 80);  // 74 used; a fixed size copies fast
                    const uint64_t r = rng.next();
                    const uint16_t lo = uint16_t(r);
                    const uint16_t sport = uint16_t(1024 + (((r >> 16) & 0xFFFF) * 64512 >> 16));
                    const uint32_t seq = isn_for(salt, lo, sport);
                    util::store_be16(p + kSaddrLo, lo);
                    util::store_be16(p + kSport, sport);
                    util::store_be32(p + kSeq, seq);
                    util::store_be16(p + kIpCsum, uint16_t(~fold(t.ip_base + lo)));
                    util::store_be16(p + kTcpCsum, uint16_t(~fold(t.tcp_base + lo + sport +
                                                                   (seq >> 16) + (seq & 0xFFFF))));
                    m->data_len = t.len;
                    m->pkt_len = t.len;
                    m->ol_flags = ol;
                }
                unsigned q = rte_ring_enqueue_burst(rx, reinterpret_cast<void**>(pkts), k, nullptr);
                g.syns_sent += q;
                if (q < k) rte_pktmbuf_free_bulk(pkts + q, k - q);
            }
        }
        if (work) g.busy_cycles += tsc() - now;
    }
    snap(s1);
    sw.end(h);
    h.join();
    h.ring->drain();

    // ---- report
    const double dt = double(s1.tsc - s0.tsc) / double(hz);
    const double synacks = double(s1.g.syn_acks - s0.g.syn_acks);
    const double wrx = double(s1.rx - s0.rx);
    const double busy = double(s1.busy - s0.busy);
    const double total = double(s1.total - s0.total);
    const double busy_share = total > 0 ? busy / total : 0;
    const double rate = synacks / dt;
    const double ns_per_syn = wrx > 0 ? busy / double(hz) * 1e9 / wrx : 0;
    const double gen_busy =
        double(s1.g.busy_cycles - s0.g.busy_cycles) / double(s1.g.total_cycles - s0.g.total_cycles);

    Report r;
    h.describe(r);
    r.config("seconds", fmt::format("{}", o.seconds));
    r.config("warmup", fmt::format("{}", o.warmup));
    r.config("ring_size", std::to_string(ring));
    r.config("engine.burst", std::to_string(h.cfg.engine.burst));
    r.config("hugepages", o.no_huge ? "no" : "yes");
    r.add("syn_acks_per_s", rate, "1/s", "cookie SYN-ACKs dequeued by the generator (flags SYN|ACK)");
    r.add("syns_sent_per_s", double(s1.g.syns_sent - s0.g.syns_sent) / dt, "1/s", "enqueued on the RX ring");
    r.add("worker_rx_per_s", wrx / dt, "1/s", "frames the worker received");
    r.add("worker_cookies_per_s", double(s1.cookies - s0.cookies) / dt, "1/s", "tcp syncookies_sent");
    r.add("worker_busy_share", busy_share, "", "cycles of polls with packets / all cycles");
    r.add("worker_ns_per_syn", ns_per_syn, "ns", "busy worker time per received SYN");
    r.add("worker_cycles_per_syn", wrx > 0 ? busy / wrx : 0.0, "cycles", fmt::format("TSC {:.3f} GHz", double(hz) / 1e9));
    r.add("capacity_syn_acks_per_s", busy_share > 0 ? rate / busy_share : 0.0, "1/s", "rate / busy share");
    r.add("generator_busy_share", gen_busy, "", "generator loop iterations that moved packets");
    r.add("target_5M_met", std::string(rate >= 5e6 ? "yes" : "no"), "", ">= 5 M cookie SYN-ACKs/s");
    r.add("non_syn_ack_replies", int64_t(s1.g.other - s0.g.other));
    r.add("samples_validated", int64_t(s1.g.sampled - s0.g.sampled), "", fmt::format("one in {}", sample_mask + 1));
    r.add("samples_bad", int64_t(s1.g.sample_bad - s0.g.sample_bad), "", "flags/addresses/ack=isn+1/TS echo/checksums");
    r.add("worker_tx_full_drops", int64_t(s1.tx_drops - s0.tx_drops));
    r.add("generator_alloc_failures", int64_t(s1.g.alloc_fail - s0.g.alloc_fail));
    r.add("measured_seconds", dt, "s");
    sw.report(r, wrx, "syn");
    for (const auto& [k, v] : worker_counters(*h.worker)) r.counter(k, v);
    r.print("tern-bench-engine synflood (one worker, cookie SYN-ACKs)");
    if (!o.json.empty()) r.write_json(o.json, "synflood");
    return (s1.g.sample_bad - s0.g.sample_bad) == 0 && synacks > 0 ? 0 : 1;
}

}  // namespace tern::bench
