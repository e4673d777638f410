// Segments that find no connection: RFC 9293 3.10.7.1 (CLOSED) and
// 3.10.7.2 (LISTEN), the passive open.
#include <algorithm>

#include "tcp/stack.h"

namespace tern::tcp {

using util::SeqNum;

void Stack::input_no_conn(const Tuple& tu, FlowHash h, const Segment& seg) {
    Listener* l = find_listener(tu.local_port);
    if (l) {
        input_listen(*l, tu, h, seg, nullptr);
        return;
    }
    // RFC 9293 3.10.7.1 CLOSED: "An incoming segment containing a RST is
    // discarded" (never answer a RST with a RST); anything else gets one.
    if (seg.has(flag::kRst)) {
        ctr_.rst_to_closed_port.inc();
        return;
    }
    ctr_.no_listener.inc();
    send_reset_reply(tu, seg);
}

void Stack::input_listen(Listener& l, const Tuple& tu, FlowHash h, const Segment& seg,
                         const SeqNum* iss_override) {
    // RFC 9293 3.10.7.2 first: check for a RST. Nothing to reset; ignore.
    if (seg.has(flag::kRst)) {
        ctr_.rst_to_closed_port.inc();
        return;
    }
    // RFC 9293 3.10.7.2 second: check for an ACK. Any ACK is bad here:
    // <SEQ=SEG.ACK><CTL=RST>. (SYN cookies will validate it here first.)
    if (seg.has(flag::kAck)) {
        if (!seg.has(flag::kSyn) && cookie_ack(l, tu, h, seg)) return;
        ctr_.listen_ack_rst.inc();
        send_reset_reply(tu, seg);
        return;
    }
    // RFC 9293 3.10.7.2 third: check for a SYN.
    if (!seg.has(flag::kSyn)) {
        // "fourth, other data or control": drop.
        ctr_.listen_no_syn.inc();
        return;
    }
    if (seg.has(flag::kFin)) {
        // SYN+FIN is never a real open (Linux drops it too); a scan probe.
        ctr_.syn_fin_drops.inc();
        return;
    }
    flood_.on_syn(tu.remote_addr);
    if (!syn_limiter_.allow(tu.remote_addr, now_ms_)) {
        ctr_.syn_rate_limited.inc();
        return;
    }
    if (use_cookie(l)) {
        // No state: the SYN-ACK's ISN (and TSval) carry what we need. With
        // tcp.syncookies = 1 a cookie means a queue overflowed: a flood sign.
        if (cfg_.syncookies == 1) flood_.on_cookie();
        send_cookie_syn_ack(l, tu, seg, h);
        return;
    }
    if (l.half_open >= cfg_.max_syn_backlog) {
        ctr_.syn_backlog_drops.inc();
        return;
    }
    Tcb* tp = alloc_tcb(tu, h.slot());
    if (!tp) return;
    Tcb& t = *tp;
    ctr_.passive_opens.inc();

    t.app = l.app;
    t.passive = true;
    t.keepalive = l.keepalive;
    t.listener = uint16_t(&l - listeners_.get());
    ++l.half_open;
    t.state = State::SynRcvd;
    // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ". Payload on the SYN
    // is not acknowledged (ack = x + 1) and never delivered: the peer
    // retransmits it once the handshake is complete.
    t.irs = seg.seq;
    t.rcv_nxt = seg.seq + 1;
    t.rcv_adv = t.rcv_nxt;  // nothing offered yet: the window edge starts here
    if (seg.payload_len) ctr_.syn_data_ignored.inc(seg.payload_len);
    // "ISS should be selected": RFC 6528, or above the old connection's
    // sequence space when a SYN reuses a TIME_WAIT tuple (RFC 6191).
    t.iss = iss_override ? *iss_override : isn_.make(tu, now_us_);
    t.ts_offset = h.ts_offset();
    t.snd_una = t.iss;
    t.snd_nxt = t.snd_max = t.iss + 1;

    negotiate(t, Offer::from(seg.opt));
    // The window of a SYN is never scaled (RFC 7323 2.2).
    t.snd_wnd = t.max_snd_wnd = seg.window;
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = t.iss;

    // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, retransmitted with backoff from
    // the time of this first one.
    send_syn_ack(t);
    t.timer_base_ms = now_ms32();
    arm(t, TimerKind::SynAck, now_ms_ + cfg_.rto_initial_ms);
}

void Stack::negotiate(Tcb& t, const Offer& peer) {
    // Each option is on only if both sides offer it (RFC 7323 1.3, 2.2;
    // RFC 2018 2); we offer what the config enables.
    t.ts_ok = cfg_.timestamps && peer.timestamps;
    t.sack_ok = cfg_.sack && peer.sack;
    if (cfg_.window_scaling && peer.wscale_ok) {
        t.ws_ok = true;
        t.snd_wscale = peer.wscale;
        t.rcv_wscale = rcv_wscale_;
    }
    if (t.ts_ok) t.ts_recent = peer.ts_val;
    const uint32_t opt_room = t.ts_ok ? 12 : 0;  // every segment carries TSopt
    t.snd_mss = uint16_t(std::max<uint32_t>(
        std::min<uint32_t>({peer.mss, cfg_.mss, ChunkPool::kSize}) - opt_room, 64));
}

}  // namespace tern::tcp
