// Timers. Each TCB has one wheel node whose meaning follows the state
// (TimerKind): SYN / SYN-ACK retransmission during the handshake, RTO while
// data or FIN is unacknowledged (and as the zero-window probe), the
// FIN_WAIT_2 limit, keepalive when idle. TIME_WAIT records carry their own
// node for 2MSL. One node suffices because these never overlap; a second
// one will come with delayed ACKs.
#include <algorithm>

#include "tcp/send_buffer.h"
#include "tcp/stack.h"

namespace tern::tcp {

void Stack::on_timer(util::TimerNode& n) {
    // The pools are arrays: a node's address tells which record holds it
    // (no offsetof on the non-standard-layout Tcb needed).
    const auto p = reinterpret_cast<uintptr_t>(&n);
    const auto tb = reinterpret_cast<uintptr_t>(tcbs_.get());
    if (p >= tb && p < tb + sizeof(Tcb) * cfg_.max_tcbs) {
        Tcb& t = tcbs_[(p - tb) / sizeof(Tcb)];
        if (out_->size() + 2 > Outbox::kCapacity) {
            // No room for what this timer may send (a retransmission, a RST):
            // keep it due; it fires at the start of the next advance().
            ctr_.timers_deferred.inc();
            wheel_.arm(t.timer, now_ms_);
            return;
        }
        on_tcb_timer(t);
        return;
    }
    const auto wb = reinterpret_cast<uintptr_t>(tws_.get());
    TimeWait& tw = tws_[(p - wb) / sizeof(TimeWait)];
    // RFC 9293 3.10.8: "If the time-wait timeout expires on a connection,
    // delete the TCB, enter the CLOSED state, and return."
    ctr_.tw_expired.inc();
    free_time_wait(tw, tw.flow_hash);
}

void Stack::arm(Tcb& t, TimerKind kind, uint64_t at_ms) {
    if (t.timer_kind != kind) t.retries = 0;  // each kind counts its own attempts
    t.timer_kind = kind;
    wheel_.arm(t.timer, at_ms);
}

void Stack::cancel_timer(Tcb& t) {
    wheel_.cancel(t.timer);
    t.timer_kind = TimerKind::None;
}

void Stack::on_tcb_timer(Tcb& t) {
    switch (t.timer_kind) {
        case TimerKind::None:
            break;
        case TimerKind::Syn:
            on_syn_timer(t);
            break;
        case TimerKind::SynAck:
            on_synack_timer(t);
            break;
        case TimerKind::Rto:
            on_rto_timer(t);
            break;
        case TimerKind::FinWait2:
            // Linux tcp_keepalive_timer for an orphaned FIN_WAIT_2: with
            // tcp.fin_timeout no longer than TIME_WAIT, send a RST and go.
            ctr_.fin_wait2_timeouts.inc();
            send_rst(t);
            close_tcb(t, CloseReason::Timeout);
            break;
        case TimerKind::Keepalive:
            on_keepalive_timer(t);
            break;
    }
}

uint64_t Stack::handshake_deadline(const Tcb& t) const {
    // Retransmission k (k >= 1) is due rto_initial * (2^k - 1) after the
    // first transmission (1, 3, 7, 15, 31 s for Linux's defaults), each
    // interval capped at rto_max. Counting from the previous deadline, not
    // from when the wheel got round to it, keeps the schedule exact.
    const uint64_t interval = std::min<uint64_t>(
        uint64_t(cfg_.rto_initial_ms) << std::min<int>(t.retries, 30), cfg_.rto_max_ms);
    return t.timer.expires_ms + interval;
}

void Stack::on_synack_timer(Tcb& t) {
    if (t.retries >= cfg_.synack_retries) {
        // tcp.synack_retries retransmissions unanswered: the half-open entry
        // goes, silently unless tcp.synack_fail_rst.
        ctr_.synack_timeouts.inc();
        if (cfg_.synack_fail_rst) send_rst(t);
        close_tcb(t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    ctr_.synack_retransmits.inc();
    send_syn_ack(t);
    arm(t, TimerKind::SynAck, handshake_deadline(t));
}

void Stack::on_syn_timer(Tcb& t) {
    if (t.retries >= cfg_.syn_retries) {
        ctr_.syn_timeouts.inc();
        close_tcb(t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    ctr_.syn_retransmits.inc();
    send_syn(t);
    arm(t, TimerKind::Syn, handshake_deadline(t));
}

void Stack::on_rto_timer(Tcb& t) {
    const bool fin_unacked = t.fin_queued && !t.fin_acked;
    if (t.sb_bytes == 0 && !fin_unacked) return;  // nothing left to guard
    if (t.retries >= cfg_.retries2) {
        // tcp.retries2 retransmissions unanswered: give up with a RST.
        ctr_.rto_timeouts.inc();
        send_rst(t);
        close_tcb(t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    ctr_.retransmits.inc();
    // RFC 6298 5.5: back off the timer; 5.4: retransmit the earliest
    // unacknowledged segment. Karn: the retransmitted data is not timed.
    t.rto_ms = std::min(t.rto_ms * 2, cfg_.rto_max_ms);
    t.rtt_timing = false;
    // Go back N: resend from SND.UNA. Later ACKs release the rest through
    // output(). A closed window gets a one-byte probe (RFC 9293 3.8.6.1).
    t.snd_nxt = t.snd_una;
    const uint32_t usable = std::max<uint32_t>(t.snd_wnd, 1);
    const uint32_t len = std::min({t.sb_bytes, current_mss(t), usable});
    send_data(t, len, fin_unacked && len == t.sb_bytes);
    // RFC 6298 5.6: restart the timer with the backed-off RTO.
    arm(t, TimerKind::Rto, now_ms_ + t.rto_ms);
}

void Stack::send_keepalive_probe(Tcb& t) {
    // <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>, no data: out of the peer's
    // window, so it must answer with an ACK (RFC 1122 4.2.3.6, as Linux).
    OutSegment* o = new_segment(t.tuple);
    if (!o) return;
    o->seq = t.snd_una - 1;
    o->ack = t.rcv_nxt;
    o->flags = flag::kAck;
    o->window = advertised_window(t);
    fill_options(t, *o, false);
}

void Stack::on_keepalive_timer(Tcb& t) {
    // The idle clock restarts on every received segment (last_rx_ms); the
    // timer is not re-armed per segment but checked lazily when it fires.
    const uint32_t idle = now_ms32() - t.last_rx_ms;
    if (idle < cfg_.keepalive_time_ms) {
        t.retries = 0;  // the peer answered: probes start over
        arm(t, TimerKind::Keepalive, now_ms_ + (cfg_.keepalive_time_ms - idle));
        return;
    }
    if (t.retries >= cfg_.keepalive_probes) {
        ctr_.keepalive_timeouts.inc();
        send_rst(t);
        close_tcb(t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    ctr_.keepalive_probes.inc();
    send_keepalive_probe(t);
    arm(t, TimerKind::Keepalive, now_ms_ + cfg_.keepalive_intvl_ms);
}

void Stack::update_timer(Tcb& t) {
    switch (t.state) {
        case State::SynSent:
        case State::SynRcvd:
        case State::Closed:
            return;  // the handshake manages its own timer
        default:
            break;
    }
    // RFC 6298 5.1: while anything is unacknowledged, the RTO runs (started
    // once, not restarted by further sends). Unsent data facing a zero
    // window needs it too, as the persist timer.
    const util::SeqNum data_end = t.snd_una + t.sb_bytes;
    const bool in_flight = t.snd_una != t.snd_max;
    const bool unsent =
        t.snd_max < data_end || (t.fin_queued && !t.fin_acked && t.snd_max == data_end);
    if (in_flight || (unsent && t.snd_wnd == 0)) {
        if (t.timer_kind != TimerKind::Rto || !t.timer.armed()) {
            arm(t, TimerKind::Rto, now_ms_ + t.rto_ms);
        }
        return;
    }
    if (t.state == State::FinWait2) {
        if (t.timer_kind != TimerKind::FinWait2) {
            arm(t, TimerKind::FinWait2, now_ms_ + cfg_.fin_timeout_ms);
        }
        return;
    }
    if (t.keepalive && (t.state == State::Established || t.state == State::CloseWait)) {
        if (t.timer_kind != TimerKind::Keepalive || !t.timer.armed()) {
            arm(t, TimerKind::Keepalive, now_ms_ + cfg_.keepalive_time_ms);
        }
        return;
    }
    cancel_timer(t);
}

void Stack::rtt_sample(Tcb& t, uint32_t rtt_ms) {
    // RFC 6298 2.2/2.3 with alpha = 1/8, beta = 1/4, K = 4, G = 1 ms.
    const uint32_t r = std::max<uint32_t>(rtt_ms, 1) * 1000;  // µs; 0 marks "no sample"
    if (t.srtt_us == 0) {
        t.srtt_us = r;
        t.rttvar_us = r / 2;
    } else {
        const uint32_t delta = t.srtt_us > r ? t.srtt_us - r : r - t.srtt_us;
        t.rttvar_us = (3 * t.rttvar_us + delta) / 4;
        t.srtt_us = (7 * t.srtt_us + r) / 8;
    }
    const uint64_t rto_us = uint64_t(t.srtt_us) + std::max<uint64_t>(1000, 4ull * t.rttvar_us);
    const uint64_t rto_ms = (rto_us + 999) / 1000;
    // RFC 6298 2.4/2.5: clamp to [rto_min, rto_max].
    t.rto_ms = uint32_t(std::clamp<uint64_t>(rto_ms, cfg_.rto_min_ms, cfg_.rto_max_ms));
}

}  // namespace tern::tcp
