// TIME_WAIT, on the compact record (RFC 9293 3.10.7.4 for TIME-WAIT, RFC
// 6191 for reusing the tuple, RFC 1337 optionally; Linux's
// tcp_timewait_state_process is the model for what to answer).
#include "tcp/stack.h"

namespace tern::tcp {

using util::in_window;
using util::SeqNum;

void Stack::input_time_wait(TimeWait& tw, FlowHash h, const Segment& seg) {
    const bool paws_reject =
        tw.ts_ok && seg.opt.has_timestamp && int32_t(seg.opt.ts_val - tw.ts_recent) < 0;
    const uint32_t wnd = uint32_t(tw.window) << tw.rcv_wscale;

    // RFC 9293 3.10.7.4 second (TIME-WAIT): an exact RST ends the record,
    // unless tcp.rfc1337 protects it from assassination; an in-window one
    // gets a challenge ACK (RFC 5961 3.2); others are dropped.
    if (seg.has(flag::kRst)) {
        if (seg.seq == tw.rcv_nxt && !cfg_.rfc1337) {
            ctr_.tw_killed_by_rst.inc();
            free_time_wait(tw, h.slot());
            return;
        }
        ctr_.tw_rst_ignored.inc();
        if (seg.seq != tw.rcv_nxt && in_window(seg.seq, tw.rcv_nxt, wnd) && challenge_allowed()) {
            ctr_.challenge_acks.inc();
            send_time_wait_ack(tw);
        }
        return;
    }

    // RFC 9293 3.10.7.4 fourth (TIME-WAIT) and RFC 6191: a new SYN may take
    // over the tuple if it cannot be an old duplicate -- its TSval is newer
    // than TS.Recent when both sides use timestamps, else its sequence
    // number lies above the old RCV.NXT (RFC 1122 4.2.2.13).
    if (seg.has(flag::kSyn) && !seg.has(flag::kAck)) {
        const bool newer = tw.ts_ok && seg.opt.has_timestamp
                               ? int32_t(seg.opt.ts_val - tw.ts_recent) > 0
                               : seg.seq > tw.rcv_nxt;
        Listener* l = find_listener(tw.tuple.local_port);
        if (newer && l) {
            ctr_.tw_reuse.inc();
            // The new ISS must lie above anything the old incarnation sent
            // (Linux: tw_snd_nxt + 65535 + 2).
            const SeqNum iss = tw.snd_nxt + 65537;
            const Tuple tu = tw.tuple;
            free_time_wait(tw, h.slot());
            input_listen(*l, tu, h, seg, &iss);
            return;
        }
        ctr_.tw_acks.inc();
        send_time_wait_ack(tw);
        return;
    }

    // RFC 7323 5.3 R1: an old duplicate by its timestamp: ACK and drop.
    if (paws_reject) {
        ctr_.paws_drops.inc();
        send_time_wait_ack(tw);
        return;
    }

    // RFC 9293 3.10.7.4 (TIME-WAIT): "The only thing that can arrive in this
    // state is a retransmission of the remote FIN. Acknowledge it, and
    // restart the 2 MSL timeout."
    if (seg.has(flag::kFin) && seg.seq + seg.seg_len() == tw.rcv_nxt) {
        ctr_.tw_fin_reack.inc();
        if (tw.ts_ok && seg.opt.has_timestamp) tw.ts_recent = seg.opt.ts_val;
        send_time_wait_ack(tw);
        wheel_.arm(tw.timer, now_ms_ + 2ull * cfg_.msl_ms);
        return;
    }

    // A SYN-ACK, or anything out of order or new: the sequence check fails
    // or there is nothing to accept. Answer with an ACK (a challenge ACK
    // for a SYN, RFC 5961 4.2), except for a plain in-order ACK (e.g. a
    // duplicate of the peer's last ACK), which needs nothing.
    if (seg.has(flag::kSyn)) {
        ctr_.syn_in_window.inc();
        if (challenge_allowed()) {
            ctr_.challenge_acks.inc();
            send_time_wait_ack(tw);
        }
        return;
    }
    if (seg.seg_len() == 0 && seg.seq == tw.rcv_nxt) {
        ctr_.tw_dropped.inc();
        return;
    }
    ctr_.tw_acks.inc();
    send_time_wait_ack(tw);
}

}  // namespace tern::tcp
