// What one received segment did: Stack::on_segment's answer, so the engine
// acts on the outcome (learn the peer's next hop when a connection is
// created) instead of comparing the Stack's gauges before and after.
#pragma once

#include <cstdint>

namespace tern::tcp {

enum class Effect : uint8_t {
    none,         // taken by an existing connection or TIME_WAIT record (data, ACKs, ...)
    opened,       // a connection now exists that did not (a half-open entry, a cookie's)
    established,  // an existing half-open or SYN_SENT connection reached ESTABLISHED
    closed,       // the connection ended or went to TIME_WAIT
    answered,     // no state kept: answered by a SYN cookie, a RST or an ACK
    dropped,      // nothing done; `drop` says why (each reason has its counter too)
};

enum class Drop : uint8_t {
    none,
    rst_no_conn,        // a RST for a closed port or a listener (never RST a RST)
    not_syn,            // neither SYN, ACK nor RST to a listener
    syn_fin,            // SYN+FIN: a scan probe
    rate_limited,       // its source is over tcp.syn_rate_per_source
    syn_backlog,        // the listener's half-open queue is full (cookies off)
    no_memory,          // a TCB pool or the flow table is full
    accept_overflow,    // the accept queue is full (tcp.abort_on_overflow = 0)
    paws,               // RFC 7323 PAWS: an old timestamp (answered by an ACK)
    out_of_window,      // fails the sequence check (answered by an ACK unless a RST)
    no_ack,             // no ACK bit in a synchronized state
    bad_ack,            // acknowledges what was never sent (RFC 5961 5.2)
    syn_sent,           // unacceptable in SYN_SENT
    time_wait,          // nothing to do in TIME_WAIT
    challenge_limited,  // a challenge ACK was due, over the RFC 5961 budget
};

struct Verdict {
    Effect effect = Effect::none;
    Drop drop = Drop::none;
};

const char* effect_name(Effect e);
const char* drop_name(Drop d);

}  // namespace tern::tcp
