#include "client_table.h"

#include "response_head.h"
#include "tcp/segment.h"

namespace tern::gen {

namespace {

using namespace tern::tcp::flag;  // TCP flag bits, as the Stack names them

}  // namespace

ClientTable::ClientTable(const Options& o, const SegmentTemplates& tpl, rte_mempool* pool, TxStage& tx,
                         const RunClock& clock, uint64_t seed)
    : tpl_(tpl),
      pool_(pool),
      tx_(tx),
      range_(o.src),
      n_(o.concurrency),
      sport_lo_(o.sport_lo),
      ports_each_((uint32_t(o.sport_hi) - o.sport_lo + 1) / o.concurrency),
      seq_len_(o.src.size() * ports_each_),
      slices_(TimeWaitRow::slices_for(seq_len_)),
      seed_(seed),
      timeout_ticks_(clock.ticks(o.timeout_ms / 1e3)),
      twice_msl_ms_(uint32_t(2 * o.msl_ms)),
      poll_every_(clock.ticks(20e-6)),
      rng_(seed ^ 0x5bd1e995u),
      cl_(n_),
      tw_(n_) {}

void ClientTable::send(rte_mbuf* m, uint16_t len) {
    m->data_len = len;
    m->pkt_len = len;
    m->ol_flags = 0;
    tx_.push(m);
}

SegFields ClientTable::fields(const Client& c, uint32_t seq, uint8_t flags, Now now) const {
    return SegFields{c.addr, c.sport, seq, c.rcv_nxt, flags, now.ms + 1, c.peer_ts};
}

bool ClientTable::start(uint32_t i, rte_mbuf* m, Now now) {
    Client& c = cl_[i];
    if (!tw_[i].may_use(c.pos, seq_len_, slices_, now.ms, twice_msl_ms_)) {
        if (!(c.bits & kTwWait)) ++ctr_.tw_waits;
        c.bits = kTwWait;
        if (m) rte_pktmbuf_free(m);
        return false;
    }
    if (!m && !(m = rte_pktmbuf_alloc(pool_))) {
        ++ctr_.alloc_failures;
        return false;
    }
    // Each client starts its sequence at its own random point, so clients
    // do not march through the addresses in lockstep.
    const uint64_t idx = (bench::mix64(seed_ ^ i) % seq_len_ + c.pos) % seq_len_;
    const uint64_t addrs = range_.size();
    c.addr = range_.at(idx % addrs);
    c.sport = uint16_t(sport_lo_ + i + n_ * uint32_t(idx / addrs));
    c.isn = uint32_t(rng_.next());
    c.state = SynSent;
    c.bits = 0;
    c.rcv_nxt = 0;
    c.peer_ts = 0;
    c.t_syn = c.t_progress = now.tsc;
    send(m, tpl_.syn(rte_pktmbuf_mtod(m, uint8_t*), fields(c, c.isn, kSyn, now)));
    ++ctr_.started;
    return true;
}

void ClientTable::finish(uint32_t i, Now now) {
    Client& c = cl_[i];
    tw_[i].closed(c.pos, seq_len_, slices_, now.ms);
    c.pos = c.pos + 1 == seq_len_ ? 0 : c.pos + 1;
    c.state = Waiting;
    c.bits = 0;
}

uint32_t ClientTable::snd_nxt(const Client& c) const {
    switch (c.state) {
        case SynSent: return c.isn + 1;
        case Requested: return c.isn + 1 + tpl_.request_len();
        case Closing: return c.isn + 2 + tpl_.request_len();  // after our FIN
        case Waiting: break;
    }
    return c.isn;
}

void ClientTable::send_rst(uint32_t i, rte_mbuf* m, Now now) {
    if (!m && !(m = rte_pktmbuf_alloc(pool_))) {
        ++ctr_.alloc_failures;
        return;
    }
    const Client& c = cl_[i];
    send(m, tpl_.ack(rte_pktmbuf_mtod(m, uint8_t*), fields(c, snd_nxt(c), kRst | kAck, now)));
}

void ClientTable::fail(uint32_t i, Failure why, rte_mbuf* m, Now now) {
    switch (why) {
        case Failure::timeout: ++ctr_.failed_timeout; break;
        case Failure::reset: ++ctr_.failed_reset; break;
        case Failure::bad_response: ++ctr_.failed_bad_response; break;
    }
    if (why != Failure::reset) {
        send_rst(i, m, now);
        m = nullptr;
    }
    finish(i, now);
    start(i, m, now);
}

void ClientTable::abort_all(Now now) {
    for (uint32_t i = 0; i < n_; ++i) {
        if (cl_[i].state == Waiting) continue;
        send_rst(i, nullptr, now);
        finish(i, now);
    }
}

void ClientTable::poll(Now now) {
    if (now.tsc < next_poll_) return;
    next_poll_ = now.tsc + poll_every_;
    const uint32_t visit = n_ < 64 ? n_ : 64;
    for (uint32_t k = 0; k < visit; ++k) {
        const uint32_t i = sweep_;
        sweep_ = sweep_ + 1 == n_ ? 0 : sweep_ + 1;
        const Client& c = cl_[i];
        if (c.state == Waiting) start(i, nullptr, now);
        else if (now.tsc - c.t_progress > timeout_ticks_) fail(i, Failure::timeout, nullptr, now);
    }
}

void ClientTable::on_segment(const bench::TcpIn& in, rte_mbuf* m, Now now) {
    // A few segments per connection: all of them are checked, unlike the flood's.
    if (!bench::checksums_ok(rte_pktmbuf_mtod(m, const uint8_t*), m->data_len)) {
        ++ctr_.bad_checksum;
        rte_pktmbuf_free(m);
        return;
    }
    const uint32_t d = uint32_t(in.dport) - sport_lo_;
    if (in.dport < sport_lo_ || d >= n_ * ports_each_) {
        ++ctr_.stale;
        rte_pktmbuf_free(m);
        return;
    }
    const uint32_t i = d % n_;
    const Client& c = cl_[i];
    if (c.state == Waiting || c.sport != in.dport || c.addr != in.daddr) {
        ++ctr_.stale;  // e.g. tern retransmitting to a connection given up
        rte_pktmbuf_free(m);
        return;
    }
    switch (c.state) {
        case SynSent: on_syn_ack(i, in, m, now); break;
        case Requested: on_response(i, in, m, now); break;
        case Closing: on_closing(i, in, m, now); break;
        case Waiting: break;
    }
}

void ClientTable::on_syn_ack(uint32_t i, const bench::TcpIn& in, rte_mbuf* m, Now now) {
    Client& c = cl_[i];
    // RFC 9293 3.10.7.3: in SYN-SENT a RST counts only if it ACKs our SYN.
    if ((in.flags & kRst) && (in.flags & kAck) && in.ack == c.isn + 1)
        return fail(i, Failure::reset, m, now);
    if ((in.flags & (kSyn | kAck | kRst | kFin)) != (kSyn | kAck) || in.ack != c.isn + 1) {
        ++ctr_.unexpected;
        rte_pktmbuf_free(m);
        return;
    }
    hs_.add(now.tsc - c.t_syn);
    c.rcv_nxt = in.seq + 1;
    if (in.has_ts) c.peer_ts = in.tsval;
    c.resp_left = kUnknownLength;
    c.state = Requested;
    c.t_progress = now.tsc;
    send(m, tpl_.request(rte_pktmbuf_mtod(m, uint8_t*), fields(c, c.isn + 1, kAck | kPsh, now)));
}

void ClientTable::on_response(uint32_t i, const bench::TcpIn& in, rte_mbuf* m, Now now) {
    Client& c = cl_[i];
    if (in.flags & kRst) return fail(i, Failure::reset, m, now);
    if (!(in.flags & kAck) || (in.flags & kSyn) || in.seq != c.rcv_nxt) {
        ++ctr_.unexpected;  // a duplicate or a gap: nothing is reassembled
        rte_pktmbuf_free(m);
        return;
    }
    c.t_progress = now.tsc;
    if (in.has_ts) c.peer_ts = in.tsval;
    if (in.payload_len) {
        if (c.resp_left == kUnknownLength) {
            const auto len = response_length(in.payload, in.payload_len);
            if (!len || *len >= kUnknownLength) return fail(i, Failure::bad_response, m, now);
            c.resp_left = uint32_t(*len);
        }
        if (in.payload_len > c.resp_left) return fail(i, Failure::bad_response, m, now);
        c.resp_left -= in.payload_len;
        c.rcv_nxt += in.payload_len;
    }
    if (in.flags & kFin) {
        // tern closing before the whole response arrived (or any of it).
        if (c.resp_left != 0) return fail(i, Failure::bad_response, m, now);
        c.rcv_nxt += 1;
        c.bits |= kPeerFin;
    }
    if (c.resp_left != 0) {
        rte_pktmbuf_free(m);
        return;
    }
    resp_.add(now.tsc - c.t_syn);
    // The whole response is ACKed by our FIN: the client closes first.
    c.state = Closing;
    send(m, tpl_.ack(rte_pktmbuf_mtod(m, uint8_t*),
                     fields(c, c.isn + 1 + tpl_.request_len(), kFin | kAck, now)));
}

void ClientTable::on_closing(uint32_t i, const bench::TcpIn& in, rte_mbuf* m, Now now) {
    Client& c = cl_[i];
    if (in.flags & kRst) return fail(i, Failure::reset, m, now);
    const uint32_t fin_seq = c.isn + 1 + tpl_.request_len();  // our FIN's sequence number
    if (!(in.flags & kAck) || in.payload_len || in.seq != c.rcv_nxt) {
        ++ctr_.unexpected;
        rte_pktmbuf_free(m);
        return;
    }
    c.t_progress = now.tsc;
    if (in.has_ts) c.peer_ts = in.tsval;
    if (in.ack == fin_seq + 1) c.bits |= kFinAcked;
    bool ack_now = false;
    if ((in.flags & kFin) && !(c.bits & kPeerFin)) {
        c.rcv_nxt += 1;
        c.bits |= kPeerFin;
        ack_now = true;
    }
    if (ack_now) {
        send(m, tpl_.ack(rte_pktmbuf_mtod(m, uint8_t*), fields(c, fin_seq + 1, kAck, now)));
        m = nullptr;
    }
    if ((c.bits & (kFinAcked | kPeerFin)) == (kFinAcked | kPeerFin)) {
        ++ctr_.completed;
        finish(i, now);
        start(i, m, now);
        return;
    }
    if (m) rte_pktmbuf_free(m);
}

}  // namespace tern::gen
