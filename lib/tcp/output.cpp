// Everything the Stack sends: data and FIN within the peer's window, ACKs,
// SYN and SYN-ACK with their options, RSTs (RFC 9293 3.10.7.1 rules), and
// the rate limit of RFC 5961 challenge ACKs.
#include <algorithm>

#include "tcp/reassembly.h"
#include "tcp/send_buffer.h"
#include "tcp/stack.h"

namespace tern::tcp {

using util::SeqNum;

uint32_t Stack::rcv_window(const Tcb& t) const {
    const uint32_t cap = 0xFFFFu << t.rcv_wscale;
    uint32_t wnd = rcv_wnd_ < cap ? rcv_wnd_ : cap;
    if (t.app && t.state != State::SynRcvd && t.state != State::SynSent) {
        size_t space = t.app->receive_space(t);
        if (space < wnd) wnd = uint32_t(space) >> t.rcv_wscale << t.rcv_wscale;
    }
    // Never less than what was already offered.
    if (t.rcv_adv > t.rcv_nxt && t.rcv_adv - t.rcv_nxt > wnd) wnd = t.rcv_adv - t.rcv_nxt;
    return wnd;
}

bool Stack::window_update_due(const Tcb& t) const {
    const uint32_t offered = t.rcv_adv > t.rcv_nxt ? t.rcv_adv - t.rcv_nxt : 0;
    const uint32_t now = rcv_window(t);
    return now > offered &&
           (offered == 0 || now - offered >= std::min<uint32_t>(t.snd_mss, rcv_wnd_ / 2));
}

uint16_t Stack::advertised_window(Tcb& t) {
    const uint16_t w = uint16_t(rcv_window(t) >> t.rcv_wscale);
    const util::SeqNum edge = t.rcv_nxt + (uint32_t(w) << t.rcv_wscale);
    if (edge > t.rcv_adv) t.rcv_adv = edge;
    return w;
}

void Stack::fill_options(const Tcb& t, OutSegment& o, bool syn) {
    if (syn) {
        o.opt.has_mss = true;
        o.opt.mss = cfg_.mss;
    }
    if (t.ts_ok) {
        o.opt.has_timestamp = true;
        o.opt.ts_val = tsval(t.ts_offset);
        o.opt.ts_ecr = t.ts_recent;
    }
    if (syn) {
        o.opt.sack_permitted = t.sack_ok;
        if (t.ws_ok) {
            o.opt.has_wscale = true;
            o.opt.wscale = t.rcv_wscale;
        }
    } else if (t.sack_ok && t.ooo_head != kNoIndex) {
        o.opt.sack_count =
            uint8_t(ooo::sack_blocks(t, chunks_, o.opt.sack, t.ts_ok ? 3 : kMaxSackBlocks));
    }
}

uint32_t Stack::current_mss(Tcb& t) {
    if (!t.sack_ok || t.ooo_head == kNoIndex) return t.snd_mss;
    TcpOptions o;
    o.sack_count =
        uint8_t(ooo::sack_blocks(t, chunks_, o.sack, t.ts_ok ? 3 : kMaxSackBlocks));
    // At most 4 + 3 * 8 = 28 bytes out of an snd_mss of 64 at least.
    return t.snd_mss - uint32_t(options_length(o));
}

void Stack::send_syn(Tcb& t) {
    // RFC 9293 3.10.1 OPEN: <SEQ=ISS><CTL=SYN>, offering every option the
    // config enables; each is used only if the SYN-ACK carries it too.
    OutSegment* o = new_segment(t.tuple);
    if (!o) return;
    o->seq = t.iss;
    o->flags = flag::kSyn;
    o->window = uint16_t(std::min<uint32_t>(cfg_.rcv_wnd, 0xFFFF));  // never scaled in a SYN
    o->opt.has_mss = true;
    o->opt.mss = cfg_.mss;
    o->opt.sack_permitted = cfg_.sack;
    if (cfg_.window_scaling) {
        o->opt.has_wscale = true;
        o->opt.wscale = rcv_wscale_;
    }
    if (cfg_.timestamps) {
        o->opt.has_timestamp = true;
        o->opt.ts_val = tsval(t.ts_offset);
    }
}

void Stack::send_syn_ack(Tcb& t) {
    // RFC 9293 3.10.7.2: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
    OutSegment* o = new_segment(t.tuple);
    if (!o) return;
    o->seq = t.iss;
    o->ack = t.rcv_nxt;
    o->flags = flag::kSyn | flag::kAck;
    o->window = uint16_t(std::min<uint32_t>(cfg_.rcv_wnd, 0xFFFF));  // never scaled in a SYN
    fill_options(t, *o, true);
}

void Stack::send_ack(Tcb& t) {
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    t.ack_pending = false;
    OutSegment* o = new_segment(t.tuple);
    if (!o) return;
    o->seq = t.snd_nxt;
    o->ack = t.rcv_nxt;
    o->flags = flag::kAck;
    o->window = advertised_window(t);
    fill_options(t, *o, false);
}

bool Stack::challenge_allowed() {
    // RFC 5961 7: a per-core budget of challenge ACKs per second, so that
    // they cannot be used to amplify or to probe (0 disables the limit).
    if (cfg_.challenge_ack_limit == 0) return true;
    const uint64_t second = now_ms_ / 1000;
    if (second != challenge_second_) {
        challenge_second_ = second;
        challenge_count_ = 0;
    }
    if (challenge_count_ >= cfg_.challenge_ack_limit) {
        ctr_.challenge_ack_limited.inc();
        return false;
    }
    ++challenge_count_;
    return true;
}

void Stack::send_challenge_ack(Tcb& t) {
    if (!challenge_allowed()) return;
    ctr_.challenge_acks.inc();
    send_ack(t);
}

void Stack::send_rst(Tcb& t) {
    // Our own reset (abort, retries exhausted): <SEQ=SND.NXT><CTL=RST>, with
    // the ACK as Linux sends it. The highest sequence sent is the one the
    // peer most likely expects.
    OutSegment* o = new_segment(t.tuple);
    if (!o) return;
    ctr_.rst_sent.inc();
    o->seq = t.snd_max;
    o->ack = t.rcv_nxt;
    o->flags = flag::kRst | flag::kAck;
}

void Stack::send_reset_reply(const Tuple& tu, const Segment& seg) {
    // RFC 9293 3.10.7.1: "If the ACK bit is off, sequence number zero is
    // used, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. If the ACK bit is
    // on, <SEQ=SEG.ACK><CTL=RST>." Callers never pass a RST.
    OutSegment* o = new_segment(tu);
    if (!o) return;
    ctr_.rst_sent.inc();
    if (seg.has(flag::kAck)) {
        o->seq = seg.ack;
        o->flags = flag::kRst;
    } else {
        o->seq = SeqNum(0);
        o->ack = seg.seq + seg.seg_len();
        o->flags = flag::kRst | flag::kAck;
    }
}

void Stack::send_time_wait_ack(const TimeWait& tw) {
    OutSegment* o = new_segment(tw.tuple);
    if (!o) return;
    o->seq = tw.snd_nxt;
    o->ack = tw.rcv_nxt;
    o->flags = flag::kAck;
    o->window = tw.window;
    if (tw.ts_ok) {
        o->opt.has_timestamp = true;
        o->opt.ts_val = tsval(tw.ts_offset);
        o->opt.ts_ecr = tw.ts_recent;
    }
}

void Stack::send_data(Tcb& t, uint32_t len, bool fin) {
    // One segment at SND.NXT: `len` bytes from the send buffer, plus FIN.
    OutSegment* o = new_segment(t.tuple);
    if (!o) return;
    const uint32_t offset = t.snd_nxt - t.snd_una;
    o->seq = t.snd_nxt;
    o->ack = t.rcv_nxt;
    o->flags = uint8_t(flag::kAck | (fin ? flag::kFin : 0));
    if (len && offset + len == t.sb_bytes) o->flags |= flag::kPsh;  // end of what the app wrote
    o->window = advertised_window(t);
    fill_options(t, *o, false);
    const sendbuf::View v = sendbuf::view(t, chunks_, offset, len);
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
            t.rtt_start_ms = now_ms32();
        }
        t.snd_max = t.snd_nxt;
    }
    t.ack_pending = false;
}

void Stack::output(Tcb& t) {
    bool sent = false;
    switch (t.state) {
        case State::Established:
        case State::CloseWait:
        case State::FinWait1:
        case State::Closing:
        case State::LastAck: {
            // Send what the window allows, from SND.NXT, in segments of at
            // most current_mss() (no Nagle, no congestion window yet: the data path
            // issue adds them). The FIN follows the last byte.
            const SeqNum data_end = t.snd_una + t.sb_bytes;
            const uint32_t mss = current_mss(t);
            for (;;) {
                const uint32_t unsent = t.snd_nxt < data_end ? data_end - t.snd_nxt : 0;
                const SeqNum wnd_end = t.snd_una + t.snd_wnd;
                const uint32_t usable = t.snd_nxt < wnd_end ? wnd_end - t.snd_nxt : 0;
                const uint32_t len = std::min({unsent, usable, mss});
                const bool fin = t.fin_queued && !t.fin_acked && t.snd_nxt + len == data_end;
                if (len == 0 && !fin) break;
                if (out_->full()) {
                    mark_dirty(t);  // resume at the next flush
                    break;
                }
                send_data(t, len, fin);
                sent = true;
                if (fin) break;
            }
            break;
        }
        default:
            break;
    }
    if (t.ack_pending && !sent) send_ack(t);
    update_timer(t);
}

}  // namespace tern::tcp
