// Segments that find no connection: RFC 9293 3.10.7.1 (CLOSED) and
// 3.10.7.2 (LISTEN), the passive open, with or without state: a SYN makes
// a half-open entry, or under tcp.syncookies a cookie SYN-ACK and nothing
// else, whose ACK then makes the connection. Both paths set the TCB up in
// open_passive() and enter ESTABLISHED through establish().
#include <algorithm>
#include <optional>

#include "tcp/input.h"
#include "tcp/lifecycle.h"
#include "tcp/negotiation.h"
#include "tcp/output.h"
#include "tcp/timers.h"

namespace tern::tcp {

using util::SeqNum;

namespace {

// A TCB for a passive open of `l`: the peer's sequence space from IRS, ours
// from ISS, the options agreed from the peer's offer. The caller sets the
// state and what differs between a SYN and a cookie's ACK. nullptr if the
// table is full (counted).
Tcb* open_passive(Core& c, Listener& l, const Tuple& tu, FlowHash h, SeqNum irs, SeqNum iss,
                  const SynOffer& peer, uint32_t peer_tsval) {
    Tcb* t = new_tcb(c, tu, h);
    if (!t) {
        c.dropped(Drop::no_memory);
        return nullptr;
    }
    t->app = l.app;
    t->passive = true;
    t->keepalive = l.keepalive;
    t->listener = l.index;
    // "Set RCV.NXT to SEG.SEQ+1, IRS is set to SEG.SEQ".
    t->irs = irs;
    t->rcv_nxt = irs + 1;
    t->rcv_adv = t->rcv_nxt;  // nothing offered yet: the window edge starts here
    t->iss = iss;
    t->ts_offset = h.ts_offset();
    t->snd_una = iss;
    t->snd_nxt = t->snd_max = iss + 1;
    negotiate(*t, c.cfg, c.rcv_wscale, peer, peer_tsval, c.now_s());
    return t;
}

// A SYN answered by a cookie: no state kept. The SYN-ACK's ISN (and TSval)
// carry what the ACK will bring back.
void answer_with_cookie(Core& c, Listener& l, const Tuple& tu, FlowHash h, const Segment& seg) {
    const SynOffer on = agreed(c.cfg, offer_of(seg.opt));
    const util::syncookie::Cookie cookie = c.guard.mint(tu, on, seg, h, c.now_ms, c.mac_hint);
    c.effect(Effect::answered);
    c.guard.on_cookie();
    if (!send_cookie_syn_ack(c, tu, seg, on, cookie)) return;
    c.ctr.syncookies_sent.inc();
    if (seg.payload_len) c.ctr.syn_data_ignored.inc(seg.payload_len);
    SynGuard::on_cookie_sent(l, c.now_ms);
}

// A SYN that gets a half-open entry: SYN_RCVD, and the SYN-ACK.
void open_half(Core& c, Listener& l, const Tuple& tu, FlowHash h, const Segment& seg,
               const SeqNum* iss_override) {
    if (l.half_open >= c.cfg.max_syn_backlog) {
        c.ctr.syn_backlog_drops.inc();
        c.dropped(Drop::syn_backlog);
        return;
    }
    // "ISS should be selected": RFC 6528, or above the old connection's
    // sequence space when a SYN reuses a TIME_WAIT tuple (RFC 6191).
    const SeqNum iss = iss_override ? *iss_override : c.isn.make(tu, c.now_us);
    Tcb* t = open_passive(c, l, tu, h, seg.seq, iss, offer_of(seg.opt), seg.opt.ts_val);
    if (!t) return;
    c.ctr.passive_opens.inc();
    c.effect(Effect::opened);
    Listeners::enter_syn_rcvd(l, *t);
    t->state = State::SynRcvd;
    // Payload on the SYN is not acknowledged (ack = x + 1) and never
    // delivered: the peer retransmits it once the handshake is complete.
    if (seg.payload_len) c.ctr.syn_data_ignored.inc(seg.payload_len);
    // The window of a SYN is never scaled (RFC 7323 2.2).
    t->snd_wnd = t->max_snd_wnd = seg.window;
    t->snd_wl1 = seg.seq;
    t->snd_wl2 = t->iss;
    // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, retransmitted with backoff from
    // the time of this first one.
    send_syn_ack(c, *t);
    t->timer_base_ms = c.now_ms32();
    arm_timer(c, *t, TimerKind::SynAck, c.now_ms + c.cfg.rto_initial_ms);
}

// An ACK to a listener: true if it was a valid cookie and has been handled.
bool cookie_ack(Core& c, Listener& l, const Tuple& tu, FlowHash h, const Segment& seg) {
    if (!c.guard.checks_acks(l, c.now_ms)) return false;
    const std::optional<SynOffer> r = c.guard.check(tu, seg, c.now_ms);
    if (!r) {
        c.ctr.syncookies_failed.inc();
        return false;  // the caller answers as for any ACK to a listener: RST
    }
    c.ctr.syncookies_ok.inc();
    if (l.accept_queue_full()) {
        // Nothing to keep: with tcp.abort_on_overflow = 0 the client's
        // retransmitted ACK (same cookie) may get in later.
        c.ctr.accept_queue_overflow.inc();
        if (c.cfg.abort_on_overflow) {
            send_reset_reply(c, tu, seg);
            c.effect(Effect::answered);
        } else {
            c.dropped(Drop::accept_overflow);
        }
        return true;
    }
    // The handshake as the half-open entry would have recorded it.
    Tcb* t = open_passive(c, l, tu, h, seg.seq - 1, seg.ack - 1, *r, seg.opt.ts_val);
    if (!t) return true;  // counted; the client retransmits
    t->snd_una = seg.ack;
    // The SYN-ACK's TSval, which the ACK echoes, may be another node's (ECMP
    // moved the handshake here): its TS clock and its offset for this tuple
    // are not ours. The connection's TSvals continue from it (the offset
    // makes our TS clock read it now), so the peer's PAWS check (RFC 7323 5)
    // never sees them go backwards and every node completing this cookie
    // sends the same TSvals. On the node that sent the cookie this only
    // undoes the cookie's rounding down.
    if (t->ts_ok) t->ts_offset = seg.opt.ts_ecr - c.now_ms32();
    t->snd_wnd = t->max_snd_wnd = uint32_t(seg.window) << t->snd_wscale;
    t->snd_wl1 = seg.seq;
    t->snd_wl2 = seg.ack;
    c.effect(Effect::opened);
    if (!establish(c, *t)) return true;
    // The ACK may carry data (and even a FIN): RFC 9293 3.10.7.4 seventh
    // and eighth steps, as for any third ACK.
    process_text(c, *t, seg);
    return true;
}

}  // namespace

void input_no_conn(Core& c, const Tuple& tu, FlowHash h, const Segment& seg) {
    Listener* l = c.listeners.find(tu.local_port);
    if (l) {
        input_listen(c, *l, tu, h, seg, nullptr);
        return;
    }
    // RFC 9293 3.10.7.1 CLOSED: "An incoming segment containing a RST is
    // discarded" (never answer a RST with a RST); anything else gets one.
    if (seg.has(flag::kRst)) {
        c.ctr.rst_to_closed_port.inc();
        c.dropped(Drop::rst_no_conn);
        return;
    }
    c.ctr.no_listener.inc();
    send_reset_reply(c, tu, seg);
    c.effect(Effect::answered);
}

void input_listen(Core& c, Listener& l, const Tuple& tu, FlowHash h, const Segment& seg,
                  const SeqNum* iss) {
    // RFC 9293 3.10.7.2 first: check for a RST. Nothing to reset; ignore.
    if (seg.has(flag::kRst)) {
        c.ctr.rst_to_closed_port.inc();
        c.dropped(Drop::rst_no_conn);
        return;
    }
    // RFC 9293 3.10.7.2 second: check for an ACK. Any ACK is bad here:
    // <SEQ=SEG.ACK><CTL=RST>. (SYN cookies will validate it here first.)
    if (seg.has(flag::kAck)) {
        if (!seg.has(flag::kSyn) && cookie_ack(c, l, tu, h, seg)) return;
        c.ctr.listen_ack_rst.inc();
        send_reset_reply(c, tu, seg);
        c.effect(Effect::answered);
        return;
    }
    // RFC 9293 3.10.7.2 third: check for a SYN.
    if (!seg.has(flag::kSyn)) {
        // "fourth, other data or control": drop.
        c.ctr.listen_no_syn.inc();
        c.dropped(Drop::not_syn);
        return;
    }
    if (seg.has(flag::kFin)) {
        // SYN+FIN is never a real open (Linux drops it too); a scan probe.
        c.ctr.syn_fin_drops.inc();
        c.dropped(Drop::syn_fin);
        return;
    }
    if (!c.guard.admit(tu.remote_addr, c.now_ms)) {
        c.ctr.syn_rate_limited.inc();
        c.dropped(Drop::rate_limited);
        return;
    }
    if (c.guard.use_cookie(l)) {
        answer_with_cookie(c, l, tu, h, seg);
        return;
    }
    open_half(c, l, tu, h, seg, iss);
}

}  // namespace tern::tcp
