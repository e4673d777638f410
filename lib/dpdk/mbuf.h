// The mbuf as the engine sees it: a frame's bytes, the NIC's checksum
// verdicts on receive, a frame rebuilt from the headroom for transmission
// and the checksum offloads it asks for. Inline adapters over rte_mbuf, so
// the data path pays nothing for them, and the one place that knows which
// mbuf fields each step reads and writes.
//
// Every frame the engine handles is one segment: RX is configured without
// scatter, rte_pktmbuf_alloc gives one, and a chained frame is dropped at
// once (is_single_segment). So lengths are set directly here:
// rte_pktmbuf_reset/append/trim read and write the mbuf's second cache line
// (next, tx_offload), which a frame sent without offloads never needs, and
// which a received mbuf does not have in cache.
#pragma once

#include <cstdint>

#include <rte_mbuf.h>

namespace tern::dpdk {

// ------------------------------------------------------------- frame bytes

inline uint8_t* frame_data(rte_mbuf* m) { return rte_pktmbuf_mtod(m, uint8_t*); }
inline const uint8_t* frame_data(const rte_mbuf* m) { return rte_pktmbuf_mtod(m, const uint8_t*); }
// Bytes of the frame in the first (for the engine, only) segment.
inline uint16_t frame_len(const rte_mbuf* m) { return m->data_len; }
// Bytes of the whole packet, every segment: what the wire carried or carries.
inline uint32_t packet_len(const rte_mbuf* m) { return m->pkt_len; }
inline bool is_single_segment(const rte_mbuf* m) { return m->nb_segs == 1; }

// ------------------------------------------------------------- receive

// What the NIC says of a checksum it was asked to check.
enum class Checksum : uint8_t {
    unknown,  // not checked: verify in software
    good,
    bad,
};

struct RxChecksums {
    Checksum ip = Checksum::unknown;  // the IPv4 header's
    Checksum l4 = Checksum::unknown;  // the TCP (or UDP) checksum, pseudo header included
    bool any_bad() const { return ip == Checksum::bad || l4 == Checksum::bad; }
};

namespace detail {
inline Checksum verdict(uint64_t status, uint64_t good, uint64_t bad) {
    return status == good ? Checksum::good : status == bad ? Checksum::bad : Checksum::unknown;
}
}  // namespace detail

// The verdicts in a received mbuf's ol_flags. The NONE status ("the checksum
// in the frame is wrong, but the data's integrity was verified") reads as
// unknown: the frame goes through the software check, which a frame sent
// with such a checksum fails.
inline RxChecksums rx_checksums(const rte_mbuf* m) {
    const uint64_t f = m->ol_flags;
    return {detail::verdict(f & RTE_MBUF_F_RX_IP_CKSUM_MASK, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
                            RTE_MBUF_F_RX_IP_CKSUM_BAD),
            detail::verdict(f & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
                            RTE_MBUF_F_RX_L4_CKSUM_BAD)};
}

// ------------------------------------------------------------- transmit

// A received mbuf about to go out again as a reply: its RX flags must not
// read as TX offload requests; an attached external buffer (mlx5 MPRQ)
// stays attached.
inline void reuse_for_tx(rte_mbuf* m) { m->ol_flags &= RTE_MBUF_F_EXTERNAL; }

// Cuts a single-segment frame to its first `len` bytes (<= frame_len):
// trailing padding goes.
inline void trim_frame(rte_mbuf* m, uint16_t len) {
    m->data_len = len;
    m->pkt_len = len;
}

// Whether a frame of `len` bytes built from the headroom fits this mbuf
// (one compare on the data path), and how many bytes fit (for messages).
inline bool tx_fits(const rte_mbuf* m, size_t len) {
    return len + RTE_PKTMBUF_HEADROOM <= m->buf_len;
}
inline uint32_t tx_room(const rte_mbuf* m) {
    return m->buf_len > RTE_PKTMBUF_HEADROOM ? uint32_t(m->buf_len - RTE_PKTMBUF_HEADROOM) : 0;
}

// Makes m (fresh from the pool or received) hold one segment of `len` bytes
// (tx_fits) starting at the headroom, with no offload requested; returns
// its first byte for the caller to write the frame. Works whatever m held
// before, so a received frame becomes its own reply without a copy.
inline uint8_t* start_tx_frame(rte_mbuf* m, uint16_t len) {
    m->data_off = RTE_PKTMBUF_HEADROOM;
    m->data_len = len;
    m->pkt_len = len;
    reuse_for_tx(m);
    return frame_data(m);
}

// The checksums a port computes on transmit (per port: its TX offloads).
struct TxChecksumOffload {
    bool ip = false;   // the IPv4 header's
    bool tcp = false;  // the TCP checksum
};

// Asks the NIC for the checksums in `c` on an IPv4 frame whose L3 header
// starts at l2_len and its L4 header l3_len later. With c.tcp, the TCP
// checksum field must hold the folded, uncomplemented pseudo-header sum
// (the NIC adds the segment to it). Asking for none writes nothing: l2_len
// and l3_len live on the mbuf's second cache line. (One test per flag, no
// early return: a caller's own test of c.tcp right after merges with it.)
inline void request_tx_checksums(rte_mbuf* m, TxChecksumOffload c, uint8_t l2_len,
                                 uint16_t l3_len) {
    if (c.ip || c.tcp) {
        m->l2_len = l2_len;
        m->l3_len = l3_len;
        m->ol_flags |= RTE_MBUF_F_TX_IPV4;
    }
    if (c.ip) m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
    if (c.tcp) m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
}

// ------------------------------------------------------------- buffers

// One mbuf from the pool, reset to an empty single segment; nullptr when
// the pool (and this lcore's cache of it) is empty.
inline rte_mbuf* alloc_mbuf(rte_mempool* pool) { return rte_pktmbuf_alloc(pool); }
inline void free_mbuf(rte_mbuf* m) { rte_pktmbuf_free(m); }
inline void free_mbufs(rte_mbuf** ms, uint16_t n) { rte_pktmbuf_free_bulk(ms, n); }

}  // namespace tern::dpdk
