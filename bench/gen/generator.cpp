#include "generator.h"

#include <fmt/format.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include <ctime>
#include <stdexcept>

#include "util/bytes.h"
#include "util/random.h"

namespace tern::gen {

namespace {

// The pool feeds RX (memif copies into it) and every segment we build.
constexpr uint32_t kMbufs = 16383;
// The clients' stage holds a reply to every in-flight connection.
constexpr uint32_t kCtlStage = 65536;

}  // namespace

Generator::Generator(const Options& o) : o_(o) {
    std::atomic<bool> never{false};
    port_ = open_port(o.port, kMbufs);
    if (!wait_link_up(port_.id, o.link_timeout_s, never))
        throw std::runtime_error(fmt::format("{}: link still down after {} s (is tern, the memif "
                                             "server, running on the same socket?)",
                                             port_.name, o.link_timeout_s));
    std::vector<AddrRange> ours;
    if (o.has_clients()) ours.push_back(o.src);
    if (o.has_flood()) ours.push_back(o.flood_src);
    arp_ = std::make_unique<ArpResponder>(port_.mac, ours);
    ctl_ = std::make_unique<TxStage>(port_.id, 0, kCtlStage, o.burst);
    flood_stage_ = std::make_unique<TxStage>(port_.id, 0, 128, o.burst);
}

Generator::~Generator() {
    clients_.reset();
    flood_.reset();
    ctl_.reset();
    flood_stage_.reset();
    dpdk::stop_port(port_);
}

bool Generator::resolve_target(const std::atomic<bool>& stop) {
    if (o_.dst_mac) {
        dst_mac_ = *o_.dst_mac;
        return true;
    }
    const uint32_t our_ip = o_.has_clients() ? o_.src.first : o_.flood_src.first;
    auto mac = resolve_mac(port_.id, port_.pool, port_.mac, our_ip, o_.dst_ip, o_.arp_timeout_s, *arp_, stop);
    if (!mac) return false;
    dst_mac_ = *mac;
    return true;
}

Snapshot Generator::snap(uint64_t tsc) const {
    Snapshot s;
    s.tsc = tsc;
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s.mono_ns = uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
    s.busy_cycles = busy_cycles_;
    s.total_cycles = total_cycles_;
    if (clients_) s.clients = clients_->counters();
    if (flood_) s.flood = flood_->counters();
    s.syns_sent = flood_stage_->sent();
    s.stage_drops = ctl_->dropped() + flood_stage_->dropped();
    s.stray = stray_;
    s.arp_replies = arp_->replies();
    s.port = read_port_counters(port_.id);
    s.sched = bench::sched_info(tid_);
    return s;
}

void Generator::dispatch(rte_mbuf** pkts, uint16_t n, Now now) {
    rte_mbuf* done[64];
    unsigned nd = 0;
    for (uint16_t k = 0; k < n; ++k) {
        if (k + 2 < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[k + 2], void*));
        rte_mbuf* m = pkts[k];
        const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
        bench::TcpIn in;
        if (m->nb_segs != 1 || m->data_len < net::eth::kHdrLen) {
            ++stray_;
            done[nd++] = m;
        } else if (util::load_be16(p + net::eth::kType) == net::eth::kTypeArp) {
            if (arp_->answer(m)) ctl_->push(m);
            else done[nd++] = m;
        } else if (!bench::parse_frame(p, m->data_len, in) || in.saddr != o_.dst_ip ||
                   in.sport != o_.dst_port) {
            ++stray_;
            done[nd++] = m;
        } else if (clients_ && clients_->owns(in.daddr)) {
            clients_->on_segment(in, m, now);
        } else if (flood_ && flood_->owns(in.daddr)) {
            flood_->on_reply(in, p, m->data_len);
            done[nd++] = m;
        } else {
            ++stray_;
            done[nd++] = m;
        }
    }
    if (nd) rte_pktmbuf_free_bulk(done, nd);
}

RunResult Generator::run(const std::atomic<bool>& stop) {
    const uint64_t hz = rte_get_tsc_hz();
    const uint64_t t0 = rte_rdtsc();
    const RunClock clock(t0, hz);
    uint64_t seed = 0;
    util::random_bytes(&seed, sizeof seed);
    tpl_ = std::make_unique<SegmentTemplates>(port_.mac, dst_mac_, o_.dst_ip, o_.dst_port,
                                              ClientTable::kRequest);
    if (o_.has_clients())
        clients_ = std::make_unique<ClientTable>(o_, *tpl_, port_.pool, *ctl_, clock, seed);
    if (o_.has_flood())
        flood_ = std::make_unique<Flood>(o_, *tpl_, port_.pool, *flood_stage_, clock, bench::mix64(seed));

    RunResult r;
    r.hz = hz;
    tid_ = bench::current_tid();
    const uint64_t warm_end = t0 + clock.ticks(o_.warmup);
    const uint64_t end = warm_end + clock.ticks(o_.seconds);
    rte_mbuf* pkts[64];
    uint64_t prev = t0;
    bool prev_work = false;
    for (;;) {
        const uint64_t t = rte_rdtsc();
        // One TSC read per iteration: the previous iteration ends here.
        total_cycles_ += t - prev;
        if (prev_work) busy_cycles_ += t - prev;
        prev = t;
        if (t >= end || stop.load(std::memory_order_relaxed)) break;
        if (!r.window_opened && t >= warm_end) {
            r.begin = snap(t);
            if (clients_) {
                clients_->handshake().clear();
                clients_->response().clear();
            }
            r.window_opened = true;
        }
        const Now now = clock.at(t);
        bool work = false;
        // Drain first: what tern cannot put in its ring to us is lost (it
        // counts tx_full_drops), and nothing here retransmits. Up to four
        // full bursts per iteration, so a backlog after a stall clears fast.
        for (int b = 0; b < 4; ++b) {
            const uint16_t n = rte_eth_rx_burst(port_.id, 0, pkts, uint16_t(o_.burst));
            if (n) {
                work = true;
                dispatch(pkts, n, now);
            }
            if (n < o_.burst) break;
        }
        if (clients_) clients_->poll(now);
        if (flood_) flood_->generate(now);
        uint32_t sent = ctl_->flush();
        if (ctl_->size() == 0) sent += flood_stage_->flush();
        prev_work = work || sent != 0;
    }
    r.end = snap(rte_rdtsc());
    if (!r.window_opened) r.begin = r.end;
    flood_stage_->clear();
    if (clients_) clients_->abort_all(clock.at(rte_rdtsc()));
    // The resets go out if tern takes them within 100 ms.
    const uint64_t give_up = rte_rdtsc() + clock.ticks(0.1);
    while (ctl_->size() && rte_rdtsc() < give_up) ctl_->flush();
    if (clients_) {
        r.handshake = &clients_->handshake();
        r.response = &clients_->response();
    }
    return r;
}

}  // namespace tern::gen
