// The TCP path of a worker: each staged segment (parsed in worker_rx.cpp)
// handed to the Stack, and what it answers turned into frames. The frame
// that caused the answer is rebuilt in place as the first reply (SYN ->
// SYN-ACK costs no allocation and no copy of headers).
#include <algorithm>
#include <cinttypes>

#include "dpdk/eal.h"
#include "engine/worker.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "tcp/segment.h"
#include "util/bytes.h"

namespace tern::engine {

namespace {
constexpr size_t kL2L3 = net::eth::kHdrLen + net::ip4::kMinHdrLen;
}  // namespace

void Worker::process_segment(const Staged& s) {
    out_.clear();
    const tcp::Verdict v = stack_->on_segment(now_us_, s.in, out_);
    // The next hop is needed only for what the Stack may send later, on its
    // own (replies go back where the frame came from): learn it once per
    // connection, when a segment creates state here (a half-open entry or a
    // cookie-validated ACK). Not from SYNs answered statelessly, so a spoofed
    // flood neither costs a hash per SYN nor churns the table; not on every
    // ACK, which cost a hash and a random store per segment.
    if (v.effect == tcp::Effect::opened)
        neighbors_.learn(s.f.saddr, s.f.data + net::eth::kSrc, s.qi);
    emit_all(&s);
}

void Worker::emit_all(const Staged* from) {
    emit_outbox(from);
    // A full Outbox left work behind (many conns became sendable at once):
    // send it now, a bounded number of rounds; the rest goes next poll.
    for (int round = 0; round < 8 && stack_->has_pending_output(); ++round) {
        stack_->flush(now_us_, out_);
        if (out_.empty()) break;
        emit_outbox(nullptr);
    }
}

void Worker::emit_outbox(const Staged* from) {
    // Everything for the sender of the frame in hand goes back the way it
    // came: to its source MAC, out of its queue. Both from the staged frame
    // (its MAC copied before the first reply is written over it), not read
    // again through the mbuf.
    rte_mbuf* reuse = from ? from->m : nullptr;
    const uint16_t reuse_q = from ? from->qi : 0;
    net::MacAddr reuse_dst;
    uint32_t reuse_peer = 0;
    if (from) {
        reuse_dst = net::MacAddr::from(from->f.data + net::eth::kSrc);
        reuse_peer = from->f.saddr;
    }
    for (const auto& s : out_) {
        rte_mbuf* m = nullptr;
        uint16_t qi = reuse_q;
        net::MacAddr dst;
        if (from && s.tuple.remote_addr == reuse_peer) {
            dst = reuse_dst;
            if (reuse) {
                m = reuse;  // emit() sets its lengths and flags
                reuse = nullptr;
            } else if (!(m = dpdk::alloc_mbuf(queues_[qi].pool))) {
                ctr_.tx_no_mbuf.inc();
                continue;
            }
        } else {
            bool fallback = false;
            const Neighbors::Entry* n = neighbors_.lookup(s.tuple.remote_addr, fallback);
            if (!n) {
                ctr_.tx_no_neighbor.inc();
                continue;
            }
            if (fallback) ctr_.tx_neighbor_fallback.inc();
            qi = n->queue;
            dst = n->mac;
            m = dpdk::alloc_mbuf(queues_[qi].pool);
            if (!m) {
                ctr_.tx_no_mbuf.inc();
                continue;
            }
        }
        if (!emit(s, m, qi, dst)) dpdk::free_mbuf(m);
    }
    out_.clear();
    if (reuse) dpdk::free_mbuf(reuse);  // nothing to answer with it
}

bool Worker::emit(const tcp::OutSegment& s, rte_mbuf* m, uint16_t qi, const net::MacAddr& dst) {
    QueueRef& q = queues_[qi];
    size_t th_len = s.header_length();
    size_t total = kL2L3 + th_len + s.payload_len + s.payload2_len;
    if (total > q.max_frame || !dpdk::tx_fits(m, total)) {
        drop_too_big(s, q, total, std::min(q.max_frame, dpdk::tx_room(m)));
        return false;
    }
    // One segment from the headroom, no offload yet (dpdk/mbuf.h: without
    // touching the mbuf's second cache line).
    uint8_t* p = dpdk::start_tx_frame(m, uint16_t(total));
    dst.to(p + net::eth::kDst);
    q.local.mac.to(p + net::eth::kSrc);
    util::store_be16(p + net::eth::kType, net::eth::kTypeIpv4);
    uint8_t* ip = p + net::eth::kHdrLen;
    uint8_t* th = ip + net::ip4::kMinHdrLen;
    uint16_t l4_len = uint16_t(th_len + s.payload_len + s.payload2_len);
    net::ipv4_write_header(ip, s.tuple.local_addr, s.tuple.remote_addr, net::ip4::kProtoTcp, l4_len,
                           ip_id_++, q.tx_csum.ip);
    uint32_t header_sum = 0;
    tcp::write_tcp_header_sized(th, th_len, s, &header_sum);
    uint8_t* payload = th + th_len;
    if (s.payload_len) std::memcpy(payload, s.payload, s.payload_len);
    if (s.payload2_len) std::memcpy(payload + s.payload_len, s.payload2, s.payload2_len);

    uint32_t phdr = net::pseudo_header_sum(s.tuple.local_addr, s.tuple.remote_addr,
                                           net::ip4::kProtoTcp, l4_len);
    dpdk::request_tx_checksums(m, q.tx_csum, net::eth::kHdrLen, net::ip4::kMinHdrLen);
    if (q.tx_csum.tcp) {
        // The NIC wants the folded, uncomplemented pseudo-header sum in place.
        util::store_be16(th + 16, uint16_t(~net::csum_fold(phdr)));
    } else {
        // Summed from the header's values and the payload's source bytes,
        // not read back from the frame just written.
        uint32_t sum = phdr + header_sum;
        if (s.payload_len) sum = net::csum_partial(s.payload, s.payload_len, sum);
        if (s.payload2_len) {
            const uint32_t p2 = net::csum_partial(s.payload2, s.payload2_len);
            sum += s.payload_len & 1 ? net::csum_at_odd_offset(p2) : p2;
        }
        util::store_be16(th + 16, net::csum_fold(sum));
    }
    transmit(q, m);
    return true;
}

// The PMD would refuse such a frame (net_tap does, at every retry), the
// wire would drop it (DF is set) or the mbuf cannot hold it: a segment the
// Stack built too long is dropped here, counted, and named in the log once
// a second at most. TCP then treats it as lost.
void Worker::drop_too_big(const tcp::OutSegment& s, const QueueRef& q, size_t frame_len,
                          uint32_t limit) {
    ctr_.tx_frame_too_big.inc();
    if (now_us_ < next_too_big_log_us_) {
        ++too_big_unlogged_;
        return;
    }
    TERN_LOG(ERR,
             "worker %u: dropped a %zu-byte frame (port %u sends %u at most) for %s:%u -> %s:%u: "
             "seq %u ack %u flags 0x%02x, %u payload and %zu header bytes (%u SACK blocks, "
             "timestamps %s); %" PRIu64 " more since the last such line\n",
             id_, frame_len, q.port, limit, net::format_ipv4(s.tuple.local_addr).c_str(),
             s.tuple.local_port, net::format_ipv4(s.tuple.remote_addr).c_str(), s.tuple.remote_port,
             s.seq.raw(), s.ack.raw(), s.flags, s.payload_len + s.payload2_len, s.header_length(),
             s.opt.sack_count, s.opt.has_timestamp ? "on" : "off", too_big_unlogged_);
    next_too_big_log_us_ = now_us_ + 1000000;
    too_big_unlogged_ = 0;
}

}  // namespace tern::engine
