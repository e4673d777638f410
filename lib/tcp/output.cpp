#include "tcp/output.h"

#include <algorithm>

#include "tcp/lifecycle.h"
#include "tcp/negotiation.h"
#include "tcp/reassembly.h"
#include "tcp/send_buffer.h"
#include "tcp/timers.h"
#include "tcp/window.h"

namespace tern::tcp {

using util::SeqNum;

namespace {

// The options of a segment after the handshake: timestamps, and SACK
// blocks while data is held out of order.
void put_options(Core& c, const Tcb& t, OutSegment& o) {
    if (t.ts_ok) {
        o.opt.has_timestamp = true;
        o.opt.ts_val = c.tsval(t.ts_offset);
        o.opt.ts_ecr = t.ts_recent;
    }
    if (t.sack_ok && t.ooo_head != kNoIndex) {
        o.opt.sack_count =
            uint8_t(ooo::sack_blocks(t, c.chunks, o.opt.sack, t.ts_ok ? 3 : kMaxSackBlocks));
    }
}

// The window of a SYN or SYN-ACK: never scaled (RFC 7323 2.2).
uint16_t syn_window(const Core& c) { return uint16_t(std::min<uint32_t>(c.cfg.rcv_wnd, 0xFFFF)); }

}  // namespace

void send_syn(Core& c, Tcb& t) {
    // Each option offered is used only if the SYN-ACK carries it too.
    OutSegment* o = new_segment(c, t.tuple);
    if (!o) return;
    o->seq = t.iss;
    o->flags = flag::kSyn;
    o->window = syn_window(c);
    SynOffer offer;
    offer.wscale_ok = c.cfg.window_scaling;
    offer.sack_ok = c.cfg.sack;
    offer.timestamps = c.cfg.timestamps;
    put_syn_options(o->opt, c.cfg, c.rcv_wscale, offer, c.tsval(t.ts_offset), 0);
}

void send_syn_ack(Core& c, Tcb& t) {
    // RFC 9293 3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
    OutSegment* o = new_segment(c, t.tuple);
    if (!o) return;
    o->seq = t.iss;
    o->ack = t.rcv_nxt;
    o->flags = flag::kSyn | flag::kAck;
    o->window = syn_window(c);
    SynOffer on;
    on.wscale_ok = t.ws_ok;
    on.sack_ok = t.sack_ok;
    on.timestamps = t.ts_ok;
    put_syn_options(o->opt, c.cfg, c.rcv_wscale, on, c.tsval(t.ts_offset), t.ts_recent);
}

bool send_cookie_syn_ack(Core& c, const Tuple& tu, const Segment& syn, const SynOffer& on,
                         const util::syncookie::Cookie& cookie) {
    OutSegment* o = new_segment(c, tu);
    if (!o) return false;
    o->seq = SeqNum(cookie.isn);
    o->ack = syn.seq + 1;
    o->flags = flag::kSyn | flag::kAck;
    o->window = syn_window(c);
    put_syn_options(o->opt, c.cfg, c.rcv_wscale, on, cookie.tsval, syn.opt.ts_val);
    return true;
}

void send_ack(Core& c, Tcb& t) {
    t.ack_pending = false;
    OutSegment* o = new_segment(c, t.tuple);
    if (!o) return;
    o->seq = t.snd_nxt;
    o->ack = t.rcv_nxt;
    o->flags = flag::kAck;
    o->window = advertised_window(c, t);
    put_options(c, t, *o);
}

bool challenge_allowed(Core& c) {
    if (c.challenges.take(c.now_ms, c.cfg.challenge_ack_limit)) return true;
    c.ctr.challenge_ack_limited.inc();
    return false;
}

void send_challenge_ack(Core& c, Tcb& t) {
    // The verdict: answered, unless the segment was already dropped for a
    // reason of its own (an unacceptable ACK gets one too); nothing sent
    // over the budget is a drop of its own.
    if (!challenge_allowed(c)) {
        c.dropped(Drop::challenge_limited);
        return;
    }
    c.ctr.challenge_acks.inc();
    send_ack(c, t);
    if (c.verdict.effect != Effect::dropped) c.effect(Effect::answered);
}

void send_rst(Core& c, Tcb& t) {
    // <SEQ=SND.NXT><CTL=RST>, with the ACK as Linux sends it. The highest
    // sequence sent is the one the peer most likely expects.
    OutSegment* o = new_segment(c, t.tuple);
    if (!o) return;
    c.ctr.rst_sent.inc();
    o->seq = t.snd_max;
    o->ack = t.rcv_nxt;
    o->flags = flag::kRst | flag::kAck;
}

void send_reset_reply(Core& c, const Tuple& tu, const Segment& seg) {
    // RFC 9293 3.10.7.1: "If the ACK bit is off, sequence number zero is
    // used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. If the ACK bit is
    // on, <SEQ=SEG.ACK><CTL=RST>." Callers never pass a RST.
    OutSegment* o = new_segment(c, tu);
    if (!o) return;
    c.ctr.rst_sent.inc();
    if (seg.has(flag::kAck)) {
        o->seq = seg.ack;
        o->flags = flag::kRst;
    } else {
        o->seq = SeqNum(0);
        o->ack = seg.seq + seg.seg_len();
        o->flags = flag::kRst | flag::kAck;
    }
}

void send_time_wait_ack(Core& c, const TimeWait& tw) {
    OutSegment* o = new_segment(c, tw.tuple);
    if (!o) return;
    o->seq = tw.snd_nxt;
    o->ack = tw.rcv_nxt;
    o->flags = flag::kAck;
    o->window = tw.window;
    if (tw.ts_ok) {
        o->opt.has_timestamp = true;
        o->opt.ts_val = c.tsval(tw.ts_offset);
        o->opt.ts_ecr = tw.ts_recent;
    }
}

void send_keepalive_probe(Core& c, Tcb& t) {
    // Out of the peer's window, so it must answer with an ACK (as Linux).
    OutSegment* o = new_segment(c, t.tuple);
    if (!o) return;
    o->seq = t.snd_una - 1;
    o->ack = t.rcv_nxt;
    o->flags = flag::kAck;
    o->window = advertised_window(c, t);
    put_options(c, t, *o);
}

void send_data(Core& c, Tcb& t, uint32_t len, bool fin) {
    OutSegment* o = new_segment(c, t.tuple);
    if (!o) return;
    const uint32_t offset = t.snd_nxt - t.snd_una;
    o->seq = t.snd_nxt;
    o->ack = t.rcv_nxt;
    o->flags = uint8_t(flag::kAck | (fin ? flag::kFin : 0));
    if (len && offset + len == t.sb_bytes) o->flags |= flag::kPsh;  // end of what the app wrote
    o->window = advertised_window(c, t);
    put_options(c, t, *o);
    const sendbuf::View v = sendbuf::view(t, c.chunks, offset, len);
    o->payload = v.p1;
    o->payload_len = v.n1;
    o->payload2 = v.p2;
    o->payload2_len = v.n2;

    const bool fresh = t.snd_nxt == t.snd_max;  // not a retransmission
    t.snd_nxt += len + (fin ? 1 : 0);
    if (t.snd_max < t.snd_nxt) {
        // Karn's rule (RFC 6298 3): time only segments sent once.
        if (fresh && !t.rtt_timing && !t.ts_ok) {
            t.rtt_timing = true;
            t.rtt_seq = t.snd_nxt;
            t.rtt_start_ms = c.now_ms32();
        }
        t.snd_max = t.snd_nxt;
    }
    t.ack_pending = false;
}

void send_pending(Core& c, Tcb& t) {
    bool sent = false;
    switch (t.state) {
        case State::Established:
        case State::CloseWait:
        case State::FinWait1:
        case State::Closing:
        case State::LastAck: {
            // Send what the window allows, from SND.NXT, in segments of at
            // most current_mss() (no Nagle, no congestion window yet: the
            // data path issue adds them). The FIN follows the last byte.
            const SeqNum data_end = t.snd_una + t.sb_bytes;
            const uint32_t mss = current_mss(c, t);
            for (;;) {
                const uint32_t unsent = t.snd_nxt < data_end ? data_end - t.snd_nxt : 0;
                const SeqNum wnd_end = t.snd_una + t.snd_wnd;
                const uint32_t usable = t.snd_nxt < wnd_end ? wnd_end - t.snd_nxt : 0;
                const uint32_t len = std::min({unsent, usable, mss});
                const bool fin = t.fin_queued && !t.fin_acked && t.snd_nxt + len == data_end;
                if (len == 0 && !fin) break;
                if (c.out->full()) {
                    c.dirty.mark(t);  // resume at the next flush
                    break;
                }
                send_data(c, t, len, fin);
                sent = true;
                if (fin) break;
            }
            break;
        }
        default:
            break;
    }
    if (t.ack_pending && !sent) send_ack(c, t);
    update_timer(c, t);
}

void send_dirty(Core& c) {
    // Every conn touched during this call, including conns an app wrote to
    // from another conn's callback.
    while (!c.dirty.empty() && !c.out->full()) {
        Tcb& t = c.dirty.front();
        c.dirty.unlink(t);
        if (t.abort_requested) {
            abort_conn(c, t);
        } else {
            send_pending(c, t);
        }
    }
}

}  // namespace tern::tcp
