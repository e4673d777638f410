#include "tcp/timers.h"

#include <algorithm>

#include "tcp/lifecycle.h"
#include "tcp/output.h"
#include "tcp/window.h"

namespace tern::tcp {

namespace {

uint64_t handshake_deadline(const Core& c, const Tcb& t) {
    // Retransmission k (k >= 1) is due rto_initial * (2^k - 1) after the
    // first transmission (1, 3, 7, 15, 31 s for Linux's defaults), each
    // interval capped at rto_max. Counting from the previous deadline, not
    // from when the wheel got round to it, keeps the schedule exact.
    const uint64_t interval = std::min<uint64_t>(
        uint64_t(c.cfg.rto_initial_ms) << std::min<int>(t.retries, 30), c.cfg.rto_max_ms);
    return t.timer.expires_ms + interval;
}

void on_synack_timer(Core& c, Tcb& t) {
    if (t.retries >= c.cfg.synack_retries) {
        // tcp.synack_retries retransmissions unanswered: the half-open entry
        // goes, silently unless tcp.synack_fail_rst.
        c.ctr.synack_timeouts.inc();
        if (c.cfg.synack_fail_rst) send_rst(c, t);
        close_conn(c, t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    c.ctr.synack_retransmits.inc();
    send_syn_ack(c, t);
    arm_timer(c, t, TimerKind::SynAck, handshake_deadline(c, t));
}

void on_syn_timer(Core& c, Tcb& t) {
    if (t.retries >= c.cfg.syn_retries) {
        c.ctr.syn_timeouts.inc();
        close_conn(c, t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    c.ctr.syn_retransmits.inc();
    send_syn(c, t);
    arm_timer(c, t, TimerKind::Syn, handshake_deadline(c, t));
}

void on_rto_timer(Core& c, Tcb& t) {
    const bool fin_unacked = t.fin_queued && !t.fin_acked;
    if (t.sb_bytes == 0 && !fin_unacked) return;  // nothing left to guard
    if (t.retries >= c.cfg.retries2) {
        // tcp.retries2 retransmissions unanswered: give up with a RST.
        c.ctr.rto_timeouts.inc();
        send_rst(c, t);
        close_conn(c, t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    c.ctr.retransmits.inc();
    // RFC 6298 5.5: back off the timer; 5.4: retransmit the earliest
    // unacknowledged segment. Karn: the retransmitted data is not timed.
    t.rto_ms = std::min(t.rto_ms * 2, c.cfg.rto_max_ms);
    t.rtt_timing = false;
    // Go back N: resend from SND.UNA. Later ACKs release the rest through
    // send_pending(). A closed window gets a one-byte probe (RFC 9293 3.8.6.1).
    t.snd_nxt = t.snd_una;
    const uint32_t usable = std::max<uint32_t>(t.snd_wnd, 1);
    const uint32_t len = std::min({t.sb_bytes, current_mss(c, t), usable});
    send_data(c, t, len, fin_unacked && len == t.sb_bytes);
    // RFC 6298 5.6: restart the timer with the backed-off RTO.
    arm_timer(c, t, TimerKind::Rto, c.now_ms + t.rto_ms);
}

void on_keepalive_timer(Core& c, Tcb& t) {
    // The idle clock restarts on every received segment (last_rx_ms); the
    // timer is not re-armed per segment but checked lazily when it fires.
    const uint32_t idle = c.now_ms32() - t.last_rx_ms;
    if (idle < c.cfg.keepalive_time_ms) {
        t.retries = 0;  // the peer answered: probes start over
        arm_timer(c, t, TimerKind::Keepalive, c.now_ms + (c.cfg.keepalive_time_ms - idle));
        return;
    }
    if (t.retries >= c.cfg.keepalive_probes) {
        c.ctr.keepalive_timeouts.inc();
        send_rst(c, t);
        close_conn(c, t, CloseReason::Timeout);
        return;
    }
    ++t.retries;
    c.ctr.keepalive_probes.inc();
    send_keepalive_probe(c, t);
    arm_timer(c, t, TimerKind::Keepalive, c.now_ms + c.cfg.keepalive_intvl_ms);
}

void on_fin_wait2_timer(Core& c, Tcb& t) {
    // tcp.fin_timeout limits how long a FIN_WAIT_2 conn may sit idle, not
    // how long it may live: the peer may go on sending after our FIN
    // (half-close), and every acceptable segment restarts the clock
    // (last_rx_ms, checked lazily here as for keepalive).
    const uint32_t idle = c.now_ms32() - t.last_rx_ms;
    if (idle < c.cfg.fin_timeout_ms) {
        arm_timer(c, t, TimerKind::FinWait2, c.now_ms + (c.cfg.fin_timeout_ms - idle));
        return;
    }
    // Silently, as Linux: an orphaned FIN_WAIT_2 becomes a TIME_WAIT record
    // of substate FIN_WAIT2 lasting tcp_fin_timeout, which expires without
    // sending anything (inet_twsk_kill). The peer has ACKed our FIN; a RST
    // would tell it nothing it needs, and it goes unanswered if it is gone.
    c.ctr.fin_wait2_timeouts.inc();
    close_conn(c, t, CloseReason::Timeout);
}

void on_tcb_timer(Core& c, Tcb& t) {
    switch (t.timer_kind) {
        case TimerKind::None:
            break;
        case TimerKind::Syn:
            on_syn_timer(c, t);
            break;
        case TimerKind::SynAck:
            on_synack_timer(c, t);
            break;
        case TimerKind::Rto:
            on_rto_timer(c, t);
            break;
        case TimerKind::FinWait2:
            on_fin_wait2_timer(c, t);
            break;
        case TimerKind::Keepalive:
            on_keepalive_timer(c, t);
            break;
    }
}

}  // namespace

void on_timer(Core& c, util::TimerNode& n) {
    if (Tcb* t = c.conns.tcb_of(n)) {
        // Stack::advance stops the wheel before the Outbox is too full for
        // what a timer may send (a retransmission and a RST).
        on_tcb_timer(c, *t);
        return;
    }
    // RFC 9293 3.10.8: "If the time-wait timeout expires on a connection,
    // delete the TCB, enter the CLOSED state, and return."
    TimeWait& tw = c.conns.time_wait_of(n);
    c.ctr.tw_expired.inc();
    c.wheel.cancel(tw.timer);
    c.conns.free_time_wait(tw);
}

void arm_timer(Core& c, Tcb& t, TimerKind kind, uint64_t at_ms) {
    if (t.timer_kind != kind) t.retries = 0;  // each kind counts its own attempts
    t.timer_kind = kind;
    c.wheel.arm(t.timer, at_ms);
}

void cancel_timer(Core& c, Tcb& t) {
    c.wheel.cancel(t.timer);
    t.timer_kind = TimerKind::None;
}

void update_timer(Core& c, Tcb& t) {
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
            arm_timer(c, t, TimerKind::Rto, c.now_ms + t.rto_ms);
        }
        return;
    }
    if (t.state == State::FinWait2) {
        if (t.timer_kind != TimerKind::FinWait2) {
            arm_timer(c, t, TimerKind::FinWait2, c.now_ms + c.cfg.fin_timeout_ms);
        }
        return;
    }
    if (t.keepalive && (t.state == State::Established || t.state == State::CloseWait)) {
        if (t.timer_kind != TimerKind::Keepalive || !t.timer.armed()) {
            arm_timer(c, t, TimerKind::Keepalive, c.now_ms + c.cfg.keepalive_time_ms);
        }
        return;
    }
    cancel_timer(c, t);
}

void rto_after_handshake(const Core& c, Tcb& t) {
    // Karn: only an answer to the first SYN or SYN-ACK times the round trip.
    if (t.retries == 0) {
        rtt_sample(c.cfg, t, c.now_ms32() - t.timer_base_ms);
        return;
    }
    // RFC 6298 5.7: the initial RTO proved too short for this path: without
    // a sample, data starts with 3 s (Linux TCP_TIMEOUT_FALLBACK).
    if (t.srtt_us == 0) t.rto_ms = std::max(t.rto_ms, kRtoFallbackMs);
}

void rtt_sample(const Tunables& cfg, Tcb& t, uint32_t rtt_ms) {
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
    t.rto_ms = uint32_t(std::clamp<uint64_t>(rto_ms, cfg.rto_min_ms, cfg.rto_max_ms));
}

}  // namespace tern::tcp
