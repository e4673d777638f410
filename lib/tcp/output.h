// Everything a Stack sends: data and FIN within the peer's window, ACKs,
// SYN and SYN-ACK with their options, RSTs (RFC 9293 3.10.7.1 rules), and
// challenge ACKs within the RFC 5961 budget. Each segment goes into the
// call's Outbox; a full Outbox is a counted loss TCP recovers from.
#pragma once

#include "tcp/core.h"

namespace tern::tcp {

// Inline: every segment sent starts here (out of line it was a call per
// SYN-ACK of a flood; GCC outlined it once it was no longer a member).
[[gnu::always_inline]] inline OutSegment* new_segment(Core& c, const Tuple& tu) {
    OutSegment* o = c.out->push();
    if (!o) {
        // The engine drains the Outbox after every call; a full one means
        // a burst larger than the Outbox. Like a lost packet: TCP recovers.
        c.ctr.outbox_full.inc();
        return nullptr;
    }
    // Field by field: `*o = OutSegment{}` became a `rep stos` over the
    // whole struct (microcoded, tens of cycles) for every segment sent.
    o->tuple = tu;
    o->seq = util::SeqNum();
    o->ack = util::SeqNum();
    o->flags = 0;
    o->window = 0;
    o->opt = TcpOptions{};
    o->payload = o->payload2 = nullptr;
    o->payload_len = o->payload2_len = 0;
    c.ctr.segments_out.inc();
    return o;
}

// What the connection may send now (data, FIN, a pending ACK), then its
// timer brought up to date.
void send_pending(Core& c, Tcb& t);
// send_pending() for every connection marked dirty in this call, until the
// Outbox is full (the rest stay marked for the next call).
void send_dirty(Core& c);

// RFC 9293 3.10.1 OPEN: <SEQ=ISS><CTL=SYN>, offering what the tunables enable.
void send_syn(Core& c, Tcb& t);
// <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with the agreed options.
void send_syn_ack(Core& c, Tcb& t);
// The stateless SYN-ACK of a SYN cookie; false if the Outbox was full.
bool send_cookie_syn_ack(Core& c, const Tuple& tu, const Segment& syn, const SynOffer& on,
                         const util::syncookie::Cookie& cookie);
// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
void send_ack(Core& c, Tcb& t);
// An ACK within the RFC 5961 budget; false (counted) if over it.
bool challenge_allowed(Core& c);
void send_challenge_ack(Core& c, Tcb& t);
// Our own reset (abort, retries exhausted).
void send_rst(Core& c, Tcb& t);
// RFC 9293 3.10.7.1: the reply to a segment no connection takes.
void send_reset_reply(Core& c, const Tuple& tu, const Segment& seg);
void send_time_wait_ack(Core& c, const TimeWait& tw);
// RFC 1122 4.2.3.6: <SEQ=SND.UNA-1><ACK=RCV.NXT><CTL=ACK>.
void send_keepalive_probe(Core& c, Tcb& t);
// One segment at SND.NXT: `len` bytes of the send buffer, plus FIN.
void send_data(Core& c, Tcb& t, uint32_t len, bool fin);

}  // namespace tern::tcp
