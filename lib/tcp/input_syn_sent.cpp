// SYN_SENT: the active open's answer, RFC 9293 3.10.7.3.
#include "tcp/input.h"
#include "tcp/lifecycle.h"
#include "tcp/negotiation.h"
#include "tcp/output.h"
#include "tcp/timers.h"

namespace tern::tcp {

using util::between;

namespace {

void drop_in_syn_sent(Core& c) {
    c.ctr.synsent_drops.inc();
    c.dropped(Drop::syn_sent);
}

}  // namespace

void input_syn_sent(Core& c, Tcb& t, const Segment& seg) {
    // RFC 9293 3.10.7.3 first: check the ACK bit. SEG.ACK =< ISS or
    // SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST> (unless it is a RST).
    const bool has_ack = seg.has(flag::kAck);
    if (has_ack && !between(t.iss + 1, seg.ack, t.snd_max)) {
        if (seg.has(flag::kRst)) return drop_in_syn_sent(c);
        c.ctr.synsent_bad_ack.inc();
        send_reset_reply(c, t.tuple, seg);
        c.effect(Effect::answered);
        return;
    }
    // RFC 9293 3.10.7.3 second: check the RST bit. With an acceptable ACK
    // (RFC 5961 3.2: it acknowledges our SYN) the open was refused.
    if (seg.has(flag::kRst)) {
        if (!has_ack) return drop_in_syn_sent(c);
        c.ctr.conn_refused.inc();
        close_conn(c, t, CloseReason::Refused);
        return;
    }
    // RFC 9293 3.10.7.3 third: security (not used). Fourth: the SYN bit.
    // Fifth: neither SYN nor RST: drop.
    if (!seg.has(flag::kSyn)) return drop_in_syn_sent(c);
    t.irs = seg.seq;
    t.rcv_nxt = seg.seq + 1;
    t.rcv_adv = t.rcv_nxt;  // nothing offered yet: the window edge starts here
    // We offered every option the tunables enable; each is on if the peer
    // answered with it.
    negotiate(t, c.cfg, c.rcv_wscale, offer_of(seg.opt), seg.opt.ts_val, c.now_s());
    t.snd_wnd = t.max_snd_wnd = seg.window;  // unscaled in a SYN (RFC 7323 2.2)
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;

    if (!has_ack) {
        // Simultaneous open: SYN_RCVD, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
        t.state = State::SynRcvd;
        send_syn_ack(c, t);
        t.retries = 0;
        t.timer_base_ms = c.now_ms32();
        arm_timer(c, t, TimerKind::SynAck, c.now_ms + c.cfg.rto_initial_ms);
        return;
    }
    // "If SND.UNA > ISS (our SYN has been ACKed), change the connection
    // state to ESTABLISHED, form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT>".
    t.snd_una = seg.ack;
    rto_after_handshake(c, t);
    t.retries = 0;
    cancel_timer(c, t);
    t.ack_pending = true;
    if (!establish(c, t)) return;
    // "Data or controls that were queued for transmission may be included.
    // If there are other controls or text in the segment, then continue
    // processing at the sixth step": the SYN occupies SEG.SEQ, data follows.
    if (seg.payload_len || seg.has(flag::kFin)) {
        Segment rest = seg;
        rest.seq = seg.seq + 1;
        rest.flags = uint8_t(seg.flags & ~flag::kSyn);
        process_text(c, t, rest);
    }
}

}  // namespace tern::tcp
