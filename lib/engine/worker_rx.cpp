// A worker's receive path, one RX burst at a time, in passes (the l3fwd
// pattern): first every frame is classified and parsed, with the next
// frames' data prefetched, and every four staged segments get their tuple
// hashes (and any SYN's cookie MAC) together, their flow-table slots
// prefetched; then each staged segment's connection (TCB or TIME_WAIT
// record) is prefetched; then the segments go through the Stack. The misses of a burst
// (frames last written by the NIC or another core, table slots spread over
// megabytes) overlap instead of stalling one segment at a time.
#include <rte_prefetch.h>

#include "engine/worker.h"
#include "net/arp.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "util/bytes.h"

namespace tern::engine {

namespace {

// How far ahead of the frame being classified its successors are loaded:
// the mbuf header two steps before its data (frame_data reads it).
constexpr uint16_t kDataAhead = 3;
constexpr uint16_t kMbufAhead = 6;

// Both lines of a frame's headers: a SYN with Linux's options ends at byte
// 74, and verifying its checksum would otherwise stall on the second line.
inline void prefetch_headers(rte_mbuf* m) {
    const uint8_t* d = dpdk::frame_data(m);
    rte_prefetch0(d);
    rte_prefetch0(d + RTE_CACHE_LINE_SIZE);
}

}  // namespace

void Worker::receive_burst(uint16_t qi, rte_mbuf** pkts, uint16_t n) {
    for (uint16_t i = 0; i < n && i < kMbufAhead; ++i) rte_prefetch0(pkts[i]);
    for (uint16_t i = 0; i < n && i < kDataAhead; ++i) prefetch_headers(pkts[i]);
    unsigned ns = 0;
    for (uint16_t i = 0; i < n; ++i) {
        if (i + kMbufAhead < n) rte_prefetch0(pkts[i + kMbufAhead]);
        if (i + kDataAhead < n) prefetch_headers(pkts[i + kDataAhead]);
        // Classified straight into its stage slot: a Frame written field by
        // field and then copied whole is read back in wider loads than it
        // was stored in, which store forwarding cannot serve (a stall).
        Staged& s = staged_[ns];
        if (!classify_frame(qi, pkts[i], s.f) || !stage_tcp(qi, pkts[i], s)) continue;
        ++ns;
        if (ns % 4 == 0) hash_staged(ns - 4);
        if (ns == kStage) {
            process_staged(ns);
            ns = 0;
        }
    }
    process_staged(ns);
}

// Four segments at a time: the flow hash and a SYN cookie's MAC are ten
// dependent AES rounds each, and four interleaved cost about what one
// alone does.
void Worker::hash_staged(unsigned first) {
    tcp::Inbound* in[4];
    for (unsigned k = 0; k < 4; ++k) in[k] = &staged_[first + k].in;
    stack_->hash_x4(now_us_, in);
}

void Worker::process_staged(unsigned n) {
    // The last group of fewer than four, one at a time.
    for (unsigned k = n & ~3u; k < n; ++k) stack_->hash(staged_[k].in);
    for (unsigned k = 0; k < n; ++k) stack_->look_up(staged_[k].in);
    for (unsigned k = 0; k < n; ++k) process_segment(staged_[k]);
}

bool Worker::classify_frame(uint16_t qi, rte_mbuf* m, net::Frame& f) {
    QueueRef& q = queues_[qi];
    ctr_.rx_packets.inc();
    ctr_.rx_bytes.inc(dpdk::packet_len(m));
    if (!dpdk::is_single_segment(m)) {
        // Frames that do not fit one buffer never carry a handshake we serve.
        drop(m, ctr_.rx_multiseg);
        return false;
    }
    const dpdk::RxChecksums ck = dpdk::rx_checksums(m);
    if (ck.any_bad()) {
        drop(m, net::DropReason::bad_checksum);
        return false;
    }
    net::ClassifyOptions opt;
    opt.ip_csum_checked = ck.ip == dpdk::Checksum::good;
    opt.l4_csum_checked = ck.l4 == dpdk::Checksum::good;

    auto c = net::classify(dpdk::frame_data(m), dpdk::frame_len(m), q.local, f, opt);
    switch (c.kind) {
        case net::FrameKind::arp:
            net::arp_make_reply(f.data, q.local.mac, q.local.ip);
            ctr_.arp_replies.inc();
            // Reply is exactly one ARP packet; trailing padding goes away.
            dpdk::trim_frame(m, net::eth::kHdrLen + net::arp::kLen);
            dpdk::reuse_for_tx(m);
            transmit(q, m);
            return false;
        case net::FrameKind::icmp:
            if (!net::icmp_is_echo_request(f)) {
                drop(m, ctr_.icmp_other);
                return false;
            }
            net::icmp_echo_make_reply(f, q.local.mac);
            ctr_.icmp_echo_replies.inc();
            dpdk::trim_frame(m, uint16_t(f.l4 + f.l4_len));
            dpdk::reuse_for_tx(m);
            transmit(q, m);
            return false;
        case net::FrameKind::tcp:
            return true;
        case net::FrameKind::drop:
            drop(m, c.reason);
            return false;
    }
    return false;
}

bool Worker::stage_tcp(uint16_t qi, rte_mbuf* m, Staged& s) {
    const net::Frame& f = s.f;
    ctr_.tcp_segments.inc();
    // The addresses from the frame, not from f: classify() stored them as
    // two 4-byte fields, which the compiler read back as one 8-byte load
    // that store forwarding cannot serve.
    const uint8_t* ip = f.data + f.l3;
    if (!stack_->parse(util::load_be32(ip + net::ip4::kDst), util::load_be32(ip + net::ip4::kSrc),
                       f.data + f.l4, f.l4_len, s.in)) {
        dpdk::free_mbuf(m);  // counted once, by the Stack's tcp_parse_<reason>
        return false;
    }
    s.m = m;
    s.qi = qi;
    return true;  // hashed with its group of four (hash_staged)
}

}  // namespace tern::engine
