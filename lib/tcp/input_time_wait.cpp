// TIME_WAIT, on the compact record (RFC 9293 3.10.7.4 for TIME-WAIT, RFC
// 6191 for reusing the tuple, RFC 1337 optionally; Linux's
// tcp_timewait_state_process is the model for what to answer).
#include "tcp/input.h"
#include "tcp/output.h"

namespace tern::tcp {

using util::in_window;
using util::SeqNum;

namespace {

void free_record(Core& c, TimeWait& tw) {
    c.wheel.cancel(tw.timer);
    c.conns.free_time_wait(tw);
    c.effect(Effect::closed);
}

void ack_from_record(Core& c, const TimeWait& tw) {
    send_time_wait_ack(c, tw);
    c.effect(Effect::answered);
}

// RFC 9293 3.10.7.4 second (TIME-WAIT): an exact RST ends the record,
// unless tcp.rfc1337 protects it from assassination; an in-window one gets
// a challenge ACK (RFC 5961 3.2); others are dropped.
void rst_in_time_wait(Core& c, TimeWait& tw, const Segment& seg) {
    if (seg.seq == tw.rcv_nxt && !c.cfg.rfc1337) {
        c.ctr.tw_killed_by_rst.inc();
        free_record(c, tw);
        return;
    }
    c.ctr.tw_rst_ignored.inc();
    c.dropped(Drop::time_wait);
    const uint32_t wnd = uint32_t(tw.window) << tw.rcv_wscale;
    if (seg.seq != tw.rcv_nxt && in_window(seg.seq, tw.rcv_nxt, wnd) && challenge_allowed(c)) {
        c.ctr.challenge_acks.inc();
        ack_from_record(c, tw);
    }
}

// RFC 9293 3.10.7.4 fourth (TIME-WAIT) and RFC 6191: a new SYN may take
// over the tuple if it cannot be an old duplicate -- its TSval is newer
// than TS.Recent when both sides use timestamps, else its sequence number
// lies above the old RCV.NXT (RFC 1122 4.2.2.13).
void syn_in_time_wait(Core& c, TimeWait& tw, FlowHash h, const Segment& seg) {
    const bool newer = tw.ts_ok && seg.opt.has_timestamp
                           ? int32_t(seg.opt.ts_val - tw.ts_recent) > 0
                           : seg.seq > tw.rcv_nxt;
    Listener* l = c.listeners.find(tw.tuple.local_port);
    if (!newer || !l) {
        c.ctr.tw_acks.inc();
        ack_from_record(c, tw);
        return;
    }
    c.ctr.tw_reuse.inc();
    // The new ISS must lie above anything the old incarnation sent (Linux:
    // tw_snd_nxt + 65535 + 2).
    const SeqNum iss = tw.snd_nxt + 65537;
    const Tuple tu = tw.tuple;
    free_record(c, tw);
    c.effect(Effect::none);  // the verdict is the new open's
    input_listen(c, *l, tu, h, seg, &iss);
}

}  // namespace

void input_time_wait(Core& c, TimeWait& tw, FlowHash h, const Segment& seg) {
    if (seg.has(flag::kRst)) return rst_in_time_wait(c, tw, seg);
    if (seg.has(flag::kSyn) && !seg.has(flag::kAck)) return syn_in_time_wait(c, tw, h, seg);

    // RFC 7323 5.3 R1: an old duplicate by its timestamp: ACK and drop.
    if (tw.ts_ok && seg.opt.has_timestamp && int32_t(seg.opt.ts_val - tw.ts_recent) < 0) {
        c.ctr.paws_drops.inc();
        ack_from_record(c, tw);
        return;
    }

    // RFC 9293 3.10.7.4 (TIME-WAIT): "The only thing that can arrive in this
    // state is a retransmission of the remote FIN. Acknowledge it, and
    // restart the 2 MSL timeout."
    if (seg.has(flag::kFin) && seg.seq + seg.seg_len() == tw.rcv_nxt) {
        c.ctr.tw_fin_reack.inc();
        if (tw.ts_ok && seg.opt.has_timestamp) tw.ts_recent = seg.opt.ts_val;
        ack_from_record(c, tw);
        c.wheel.arm(tw.timer, c.now_ms + 2ull * c.cfg.msl_ms);
        return;
    }

    // A SYN-ACK, or anything out of order or new: the sequence check fails
    // or there is nothing to accept. Answer with an ACK (a challenge ACK
    // for a SYN, RFC 5961 4.2), except for a plain in-order ACK (e.g. a
    // duplicate of the peer's last ACK), which needs nothing.
    if (seg.has(flag::kSyn)) {
        c.ctr.syn_in_window.inc();
        if (challenge_allowed(c)) {
            c.ctr.challenge_acks.inc();
            ack_from_record(c, tw);
        } else {
            c.dropped(Drop::challenge_limited);
        }
        return;
    }
    if (seg.seg_len() == 0 && seg.seq == tw.rcv_nxt) {
        c.ctr.tw_dropped.inc();
        c.dropped(Drop::time_wait);
        return;
    }
    c.ctr.tw_acks.inc();
    ack_from_record(c, tw);
}

}  // namespace tern::tcp
