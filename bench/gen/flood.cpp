#include "flood.h"

#include <algorithm>

#include "common/tcp_frame.h"
#include "tcp/segment.h"

namespace tern::gen {

namespace {

using namespace tern::tcp::flag;  // TCP flag bits, as the Stack names them
// One reply in 64 gets its checksums verified as well: the rest of the
// check is a few compares and one mix, the checksum would double it.
constexpr uint64_t kSampleMask = 63;
// SYNs built per call and waiting at most (a paced flood banks this much
// credit, so a loop iteration longer than the SYN interval loses nothing).
constexpr unsigned kMaxPending = 64;

}  // namespace

Flood::Flood(const Options& o, const SegmentTemplates& tpl, rte_mempool* pool, TxStage& stage,
             const RunClock& clock, uint64_t seed)
    : tpl_(tpl),
      pool_(pool),
      stage_(stage),
      range_(o.flood_src),
      dst_ip_(o.dst_ip),
      dst_port_(o.dst_port),
      burst_(o.burst),
      key_(bench::mix64(seed ^ 0x9e3779b97f4a7c15ull)),
      tsval_(uint32_t(seed >> 32) | 1),
      rng_(seed),
      paced_(o.rate > 0) {
    if (paced_) {
        per_tick_fp_ = uint64_t(o.rate / double(clock.hz()) * 4294967296.0);
        max_credit_fp_ = uint64_t(kMaxPending) << 32;
        // Long gaps are cut so that gap * per_tick cannot overflow.
        max_gap_ = clock.hz();
    }
}

void Flood::generate(Now now) {
    unsigned want;
    if (paced_) {
        if (last_tsc_ == 0) last_tsc_ = now.tsc;
        const uint64_t gap = std::min(now.tsc - last_tsc_, max_gap_);
        last_tsc_ = now.tsc;
        credit_fp_ = std::min(credit_fp_ + gap * per_tick_fp_, max_credit_fp_);
        want = unsigned(credit_fp_ >> 32);
        // The port is behind: what it cannot take now is not built.
        if (stage_.size() >= kMaxPending) want = 0;
    } else {
        want = stage_.size() >= burst_ ? 0 : burst_ - stage_.size();
    }
    want = std::min(want, kMaxPending);
    if (want == 0) return;
    rte_mbuf* pkts[64];
    if (rte_pktmbuf_alloc_bulk(pool_, pkts, want) != 0) {
        ++ctr_.alloc_failures;
        return;
    }
    const uint64_t addrs = range_.size();
    for (unsigned k = 0; k < want; ++k) {
        const uint64_t r = rng_.next();
        // Multiply-shift maps 32 random bits onto [0, n) without a division.
        const uint32_t saddr = range_.at((uint64_t(uint32_t(r)) * addrs) >> 32);
        const uint16_t sport = uint16_t(1024 + (((r >> 32) & 0xFFFF) * 64512 >> 16));
        rte_mbuf* m = pkts[k];
        const SegFields f{saddr, sport, isn_for(saddr, sport), 0, kSyn, tsval_, 0};
        const uint16_t len = tpl_.syn(rte_pktmbuf_mtod(m, uint8_t*), f);
        m->data_len = len;
        m->pkt_len = len;
        stage_.push(m);
    }
    ctr_.generated += want;
    if (paced_) credit_fp_ -= uint64_t(want) << 32;
}

void Flood::on_reply(const bench::TcpIn& in, const uint8_t* frame, uint32_t len) {
    bool ok = (in.flags & (kSyn | kAck | kRst | kFin)) == (kSyn | kAck) && in.saddr == dst_ip_ &&
              in.sport == dst_port_ && in.dport >= 1024 && in.ack == isn_for(in.daddr, in.dport) + 1 &&
              (!in.has_ts || in.tsecr == tsval_);
    if (ok && ((ctr_.syn_acks + ctr_.bad_replies) & kSampleMask) == 0) {
        ++ctr_.sampled;
        ok = bench::checksums_ok(frame, len);
    }
    if (ok) ++ctr_.syn_acks;
    else ++ctr_.bad_replies;
}

}  // namespace tern::gen
