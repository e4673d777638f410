// The synchronized states: SYN_RCVD, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
// CLOSE_WAIT, CLOSING, LAST_ACK. RFC 9293 3.10.7.4, one function per step,
// in the RFC's order, with RFC 5961 (blind-attack defences) and RFC 7323
// (PAWS) where they hook in. TIME_WAIT has its own record and file.
//
// Every step returns false when processing must stop: the segment was
// dropped, or the TCB is gone (reset, closed, turned into TIME_WAIT, or
// aborted by the app from a callback).
#include <algorithm>

#include "tcp/chunk_pool.h"
#include "tcp/input.h"
#include "tcp/lifecycle.h"
#include "tcp/output.h"
#include "tcp/reassembly.h"
#include "tcp/send_buffer.h"
#include "tcp/timers.h"
#include "tcp/window.h"

namespace tern::tcp {

using util::between;
using util::in_window;
using util::SeqLen;
using util::SeqNum;

namespace {

// Serial comparison of 32-bit timestamps (RFC 7323 5.2: "TSval < TS.Recent"
// is judged modulo 2^32, like sequence numbers).
bool ts_before(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }

// RFC 7323 5.5: after 24 days without a new TS.Recent the peer's timestamp
// clock may have moved more than 2^31 ticks past it, so TS.Recent is no
// longer a valid reference (Linux TCP_PAWS_24DAYS, on ts_recent_stamp).
constexpr uint32_t kTsRecentValidS = 24 * 86400;

bool ts_recent_stale(const Core& c, const Tcb& t) {
    return c.now_s() - t.ts_recent_s >= kTsRecentValidS;
}

bool check_paws(Core& c, Tcb& t, const Segment& seg) {
    if (!t.ts_ok || !seg.opt.has_timestamp) return true;
    // RFC 7323 5.2 and Linux: a RST is judged by its sequence number only.
    if (seg.has(flag::kRst)) return true;
    if (!ts_before(seg.opt.ts_val, t.ts_recent) || ts_recent_stale(c, t)) return true;
    // "Treat the arriving segment as not acceptable: send an ACK and drop."
    c.ctr.paws_drops.inc();
    c.dropped(Drop::paws);
    t.ack_pending = true;
    c.dirty.mark(t);
    return false;
}

bool check_sequence(Core& c, Tcb& t, const Segment& seg) {
    // RFC 9293 3.10.7.4 first: the four cases of segment acceptability.
    const SeqLen len = seg.seg_len();
    const uint32_t wnd = rcv_window(c, t);
    bool ok;
    if (len == 0) {
        ok = wnd == 0 ? seg.seq == t.rcv_nxt : in_window(seg.seq, t.rcv_nxt, wnd);
    } else {
        ok = wnd != 0 &&
             (in_window(seg.seq, t.rcv_nxt, wnd) || in_window(seg.seq + (len - 1), t.rcv_nxt, wnd));
        // "If the RCV.WND is zero, no segments will be acceptable, but
        // special allowance should be made to accept valid ACKs": a segment
        // that starts at RCV.NXT is taken for its ACK (its text is trimmed
        // to the window, i.e. dropped, in process_text). Without this, a
        // peer's ACKs riding on data we cannot take are lost, our send
        // buffer never drains and a closed window never reopens (echo).
        if (!ok && wnd == 0 && seg.seq == t.rcv_nxt && !seg.has(flag::kSyn)) ok = true;
    }
    if (ok) return true;
    if (seg.has(flag::kRst)) {
        // RFC 5961 3.2: a RST outside the window is silently dropped.
        c.ctr.rst_out_of_window.inc();
        c.dropped(Drop::out_of_window);
        return false;
    }
    if (seg.has(flag::kSyn)) {
        // RFC 5961 4.2: a SYN gets a (rate-limited) challenge ACK
        // "irrespective of the sequence number".
        c.ctr.syn_in_window.inc();
        send_challenge_ack(c, t);
        return false;
    }
    // "If an incoming segment is not acceptable, an acknowledgment should be
    // sent in reply (unless the RST bit is set) ... drop the segment."
    c.ctr.out_of_window.inc();
    c.dropped(Drop::out_of_window);
    t.ack_pending = true;
    c.dirty.mark(t);
    return false;
}

bool check_rst(Core& c, Tcb& t, const Segment& seg) {
    // RFC 5961 3.2: only a RST at exactly RCV.NXT resets; any other RST in
    // the window is answered with a challenge ACK (a blind attacker must
    // guess the exact number, a real peer answers the ACK with an exact RST).
    if (seg.seq != t.rcv_nxt) {
        send_challenge_ack(c, t);
        return false;
    }
    c.ctr.rst_received.inc();
    switch (t.state) {
        case State::SynRcvd:
            if (t.passive) {
                // "If this connection was initiated with a passive OPEN,
                // then return this connection to the LISTEN state": the
                // listener lives on, only the half-open entry goes.
                c.ctr.synrcvd_reset.inc();
                close_conn(c, t, CloseReason::Reset);
            } else {
                c.ctr.conn_refused.inc();
                close_conn(c, t, CloseReason::Refused);
            }
            break;
        default:
            // ESTABLISHED, FIN_WAIT_1/2, CLOSE_WAIT: "connection reset";
            // CLOSING, LAST_ACK: "enter the CLOSED state, delete the TCB".
            c.ctr.conn_reset.inc();
            close_conn(c, t, CloseReason::Reset);
            break;
    }
    return false;
}

bool check_syn(Core& c, Tcb& t, const Segment&) {
    // RFC 9293 3.10.7.4 fourth + RFC 5961 4.2: a SYN in a synchronized state
    // is answered by a challenge ACK and dropped; if the peer really
    // restarted, the ACK draws a RST from it that resets this connection.
    c.ctr.syn_in_window.inc();
    send_challenge_ack(c, t);
    return false;
}

void update_send_window(Core& c, Tcb& t, const Segment& seg) {
    // RFC 9293 3.10.7.4 fifth: "If SND.UNA =< SEG.ACK =< SND.NXT, the send
    // window should be updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ
    // and SND.WL2 =< SEG.ACK))" -- an older segment cannot shrink it back.
    if (seg.ack < t.snd_una) return;
    if (!(t.snd_wl1 < seg.seq || (t.snd_wl1 == seg.seq && t.snd_wl2 <= seg.ack))) return;
    const uint32_t wnd = uint32_t(seg.window) << t.snd_wscale;
    if (wnd > t.snd_wnd) c.dirty.mark(t);  // a window opening may release queued data
    t.snd_wnd = wnd;
    t.max_snd_wnd = std::max(t.max_snd_wnd, wnd);
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;
}

void update_ts_recent(const Core& c, Tcb& t, const Segment& seg) {
    // RFC 7323 4.3 (2): "If SEG.TSval >= TS.Recent and SEG.SEQ =<
    // Last.ACK.sent, then SEG.TSval is copied to TS.Recent". Every segment
    // is ACKed at once, so Last.ACK.sent is RCV.NXT. Only for a segment
    // whose ACK is acceptable (Linux tcp_replace_ts_recent, after tcp_ack's
    // checks): a blind segment with a bogus ACK and a huge TSval would
    // otherwise make PAWS drop every real segment from then on.
    if (!t.ts_ok || !seg.opt.has_timestamp) return;
    // A stale TS.Recent (24 idle days) is replaced by any TSval.
    const bool newer = !ts_before(seg.opt.ts_val, t.ts_recent) || ts_recent_stale(c, t);
    if (newer && seg.seq <= t.rcv_nxt) {
        t.ts_recent = seg.opt.ts_val;
        t.ts_recent_s = c.now_s();
    }
}

void rtt_from_ack(Core& c, Tcb& t, const Segment& seg) {
    // RFC 7323 4.1: with timestamps every ACK of new data measures the RTT
    // from the echoed TSval (retransmissions carry fresh TSvals, so Karn's
    // ambiguity does not arise). Otherwise time one segment at a time.
    if (t.ts_ok && seg.opt.has_timestamp && seg.opt.ts_ecr != 0) {
        const uint32_t rtt = c.tsval(t.ts_offset) - seg.opt.ts_ecr;
        if (rtt < 0x80000000u) rtt_sample(c.cfg, t, rtt);
        t.rtt_timing = false;
        return;
    }
    if (t.rtt_timing && seg.ack >= t.rtt_seq) {
        rtt_sample(c.cfg, t, c.now_ms32() - t.rtt_start_ms);
        t.rtt_timing = false;
    }
}

bool ack_syn_rcvd(Core& c, Tcb& t, const Segment& seg) {
    // RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: "If SND.UNA < SEG.ACK =<
    // SND.NXT, then enter ESTABLISHED state ... If the segment
    // acknowledgment is not acceptable, form a reset segment
    // <SEQ=SEG.ACK><CTL=RST> and send it." The half-open entry stays.
    if (!between(t.snd_una + 1, seg.ack, t.snd_max)) {
        c.ctr.synrcvd_bad_ack.inc();
        send_reset_reply(c, t.tuple, seg);
        c.effect(Effect::answered);
        return false;
    }
    if (t.passive && c.listeners.at(t.listener).accept_queue_full()) {
        // Accept queue full (Linux tcp_check_req / listen_overflow):
        // tcp.abort_on_overflow = 0 drops this ACK and keeps the half-open
        // entry, whose SYN-ACK retransmissions give the client more chances;
        // = 1 resets the client.
        c.ctr.accept_queue_overflow.inc();
        if (c.cfg.abort_on_overflow) {
            send_reset_reply(c, t.tuple, seg);
            close_conn(c, t, CloseReason::Reset);
        } else {
            c.dropped(Drop::accept_overflow);
        }
        return false;
    }
    rto_after_handshake(c, t);
    cancel_timer(c, t);
    t.snd_una = seg.ack;
    // "and continue processing with the variables below set to:
    // SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK".
    t.snd_wnd = uint32_t(seg.window) << t.snd_wscale;
    t.max_snd_wnd = std::max(t.max_snd_wnd, t.snd_wnd);
    t.snd_wl1 = seg.seq;
    t.snd_wl2 = seg.ack;
    return establish(c, t);
}

bool process_ack(Core& c, Tcb& t, const Segment& seg) {
    if (t.state == State::SynRcvd && !ack_syn_rcvd(c, t, seg)) return false;

    // RFC 5961 5.2: acceptable only if (SND.UNA - MAX.SND.WND) =< SEG.ACK =<
    // SND.NXT (SND.NXT being the highest sequence sent, snd_max); otherwise
    // "discarded and an ACK sent back" (rate-limited like challenge ACKs).
    if (!between(t.snd_una - t.max_snd_wnd, seg.ack, t.snd_max)) {
        c.ctr.bad_ack_drops.inc();
        c.dropped(Drop::bad_ack);
        send_challenge_ack(c, t);
        return false;
    }
    // RFC 7323 4.3 (2): the ACK is acceptable; remember the peer's
    // timestamp for echoing.
    update_ts_recent(c, t, seg);
    // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK. Any
    // segments on the retransmission queue that are thereby entirely
    // acknowledged are removed." Duplicates (SEG.ACK =< SND.UNA) are ignored.
    if (seg.ack > t.snd_una) {
        const SeqLen acked = seg.ack - t.snd_una;
        const uint32_t data = std::min(acked, t.sb_bytes);
        sendbuf::consume(t, c.chunks, data);
        if (acked > data) t.fin_acked = true;  // the one sequence number after the data
        t.snd_una = seg.ack;
        if (t.snd_nxt < t.snd_una) t.snd_nxt = t.snd_una;  // acked past a go-back-N point
        rtt_from_ack(c, t, seg);
        t.retries = 0;
        // RFC 6298 5.2/5.3: stop the timer when all is acknowledged,
        // restart it when new data is acknowledged.
        if (t.snd_una == t.snd_max) {
            cancel_timer(c, t);
        } else {
            arm_timer(c, t, TimerKind::Rto, c.now_ms + t.rto_ms);
        }
        c.dirty.mark(t);  // the window moved: more may be sent
        // Acknowledged bytes left the send buffer: an app that was short of
        // space (and so closed our receive window) can take more now.
        if (window_update_due(c, t)) t.ack_pending = true;
    }
    update_send_window(c, t, seg);
    // A peer that answers our zero-window probes is alive: probes do not
    // count towards tcp.retries2 (Linux resets icsk_probes_out likewise).
    if (t.snd_wnd == 0 && t.timer_kind == TimerKind::Rto && t.sb_bytes != 0) {
        t.retries = 0;
    }

    switch (t.state) {
        case State::FinWait1:
            // "In addition to the processing for the ESTABLISHED state, if
            // the FIN segment is now acknowledged, then enter FIN-WAIT-2."
            if (t.fin_acked) {
                t.state = State::FinWait2;
                c.dirty.mark(t);  // timers: FIN_WAIT_2 limit
            }
            return true;
        case State::Closing:
            // "If the ACK acknowledges our FIN, then enter the TIME-WAIT
            // state; otherwise, ignore the segment."
            if (t.fin_acked) {
                enter_time_wait(c, t);
                return false;
            }
            return true;
        case State::LastAck:
            // "The only thing that can arrive in this state is an
            // acknowledgment of our FIN. If our FIN is now acknowledged,
            // delete the TCB, enter the CLOSED state, and return."
            if (t.fin_acked) {
                close_conn(c, t, CloseReason::Normal);
                return false;
            }
            return true;
        default:
            return true;  // ESTABLISHED, FIN_WAIT_2, CLOSE_WAIT
    }
}

bool deliver(Core& c, Tcb& t, const uint8_t* data, uint32_t len) {
    // RCV.NXT moves first: a response sent from on_data acknowledges these
    // bytes.
    t.rcv_nxt += len;
    c.ctr.bytes_delivered.inc(len);
    t.ack_pending = true;
    c.dirty.mark(t);
    if (t.app_visible && t.app) t.app->on_data(t, data, len);
    return app_still_open(c, t);
}

bool process_fin(Core& c, Tcb& t) {
    // RFC 9293 3.10.7.4 eighth: "advance RCV.NXT over the FIN, and send an
    // acknowledgment for the FIN".
    t.rcv_nxt += 1;
    c.ctr.peer_fins.inc();
    t.ack_pending = true;
    c.dirty.mark(t);
    ooo::clear(t, c.chunks);  // nothing can follow the FIN
    switch (t.state) {
        case State::Established:
            t.state = State::CloseWait;
            break;
        case State::FinWait1:
            // Our FIN is not acknowledged yet (else we would be in
            // FIN_WAIT_2): simultaneous close.
            t.state = State::Closing;
            break;
        case State::FinWait2: {
            if (t.app_visible && t.app) t.app->on_peer_closed(t);
            if (!app_still_open(c, t)) return false;
            // "Enter the TIME-WAIT state. Start the time-wait timer, turn
            // off the other timers." The ACK goes now, from the TCB.
            send_ack(c, t);
            enter_time_wait(c, t);
            return false;
        }
        default:
            return true;
    }
    if (t.app_visible && t.app) t.app->on_peer_closed(t);
    return app_still_open(c, t);
}

}  // namespace

bool process_text(Core& c, Tcb& t, const Segment& seg) {
    bool fin = seg.has(flag::kFin);
    const uint8_t* data = seg.payload;
    uint32_t len = seg.payload_len;
    SeqNum seq = seg.seq;
    if (len == 0 && !fin) return true;

    // RFC 9293 3.10.7.4 seventh: text is processed only in ESTABLISHED,
    // FIN_WAIT_1 and FIN_WAIT_2. In CLOSE_WAIT, CLOSING and LAST_ACK the
    // peer's FIN has been received: "This should not occur ... Ignore".
    if (t.state != State::Established && t.state != State::FinWait1 && t.state != State::FinWait2) {
        if (len) c.ctr.data_after_fin.inc();
        return true;
    }
    // Trim what was already received ("segments with higher beginning
    // sequence numbers ... the rest is trimmed", RFC 9293 3.10.7.4 first).
    if (seq < t.rcv_nxt) {
        const SeqLen skip = t.rcv_nxt - seq;
        if (skip > len) {
            // Everything including the FIN's number is old (the sequence
            // check let it through only because its end is in the window).
            return true;
        }
        data += skip;
        len -= skip;
        seq = t.rcv_nxt;
    }
    // ... and what lies beyond the window.
    const SeqNum wnd_end = t.rcv_nxt + rcv_window(c, t);
    if (seq + len > wnd_end) {
        len = seq < wnd_end ? wnd_end - seq : 0;
        fin = false;
    }
    // RFC 9293 3.10.7.4 seventh: "Send an acknowledgment of the form
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" -- for every data segment until
    // delayed ACKs arrive; piggybacked on data if the app answers at once.
    t.ack_pending = true;
    c.dirty.mark(t);
    if (len == 0 && !fin) return true;

    if (seq != t.rcv_nxt || t.queued) {
        // Beyond RCV.NXT: hold it; the duplicate ACK tells the sender where
        // the hole is (and SACK blocks what we hold). A conn waiting in the
        // accept queue holds in-order bytes the same way, unacknowledged,
        // until accept() delivers them.
        switch (ooo::insert(t, c.chunks, seq, data, len, fin, c.cfg.ooo_max_segments)) {
            case ooo::Insert::Queued:
                c.ctr.ooo_queued.inc();
                break;
            case ooo::Insert::Duplicate:
                break;
            case ooo::Insert::Full:
                c.ctr.ooo_dropped.inc();
                break;
        }
        return true;
    }
    if (len && !deliver(c, t, data, len)) return false;
    if (!drain_reassembly(c, t)) return false;
    // RFC 9293 3.10.7.4 eighth: check the FIN bit (only once every byte
    // before it has arrived).
    if (fin && t.rcv_nxt == seq + len) return process_fin(c, t);
    return true;
}

bool drain_reassembly(Core& c, Tcb& t) {
    uint32_t k;
    while ((k = ooo::pop_ready(t, c.chunks)) != ChunkPool::kNone) {
        const ChunkPool::Meta m = c.chunks.meta(k);
        const SeqNum seq(m.seq);
        const SeqNum end = seq + m.len;
        // Freed first (deferred: the bytes stay readable during this call),
        // so the chunk is not lost if the app aborts from on_data.
        c.chunks.free(k);
        if (end > t.rcv_nxt) {
            c.ctr.ooo_delivered.inc();
            if (!deliver(c, t, c.chunks.data(k) + (t.rcv_nxt - seq), end - t.rcv_nxt)) return false;
        }
        if (m.fin && t.rcv_nxt == end) return process_fin(c, t);
    }
    return true;
}

void input_synchronized(Core& c, Tcb& t, const Segment& seg) {
    // A retransmitted SYN (the peer has not seen our SYN-ACK): answer with
    // the SYN-ACK again, leaving its backoff schedule alone. Without this the
    // sequence check below would send a bare ACK the peer cannot use.
    if (t.state == State::SynRcvd &&
        (seg.flags & (flag::kSyn | flag::kAck | flag::kRst)) == flag::kSyn && seg.seq == t.irs) {
        c.ctr.synrcvd_dup_syn.inc();
        send_syn_ack(c, t);
        c.effect(Effect::answered);
        return;
    }
    // RFC 7323 5.3 R1: PAWS, before the sequence number check.
    if (!check_paws(c, t, seg)) return;
    // RFC 9293 3.10.7.4 first: check sequence number.
    if (!check_sequence(c, t, seg)) return;
    // An acceptable segment shows the peer is alive (keepalive idle clock);
    // blind out-of-window junk does not.
    t.last_rx_ms = c.now_ms32();
    // RFC 9293 3.10.7.4 second: check the RST bit.
    if (seg.has(flag::kRst)) {
        check_rst(c, t, seg);
        return;
    }
    // RFC 9293 3.10.7.4 third: security/compartment: not used by tern.
    // RFC 9293 3.10.7.4 fourth: check the SYN bit.
    if (seg.has(flag::kSyn)) {
        check_syn(c, t, seg);
        return;
    }
    // RFC 9293 3.10.7.4 fifth: check the ACK field. "If the ACK bit is off,
    // drop the segment and return."
    if (!seg.has(flag::kAck)) {
        c.ctr.no_ack_drops.inc();
        c.dropped(Drop::no_ack);
        return;
    }
    if (!process_ack(c, t, seg)) return;
    // RFC 9293 3.10.7.4 sixth: the URG bit. Urgent data is not supported
    // (RFC 6093 advises against it); such bytes are delivered inline.
    // RFC 9293 3.10.7.4 seventh and eighth: segment text and the FIN bit.
    process_text(c, t, seg);
}

}  // namespace tern::tcp
