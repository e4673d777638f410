// Timers. Each TCB has one wheel node whose meaning follows the state
// (TimerKind): SYN / SYN-ACK retransmission during the handshake, RTO while
// data or FIN is unacknowledged (and as the zero-window probe), the
// FIN_WAIT_2 limit, keepalive when idle. TIME_WAIT records carry their own
// node for 2MSL. One node suffices because these never overlap; a second
// one will come with delayed ACKs.
#pragma once

#include "tcp/core.h"

namespace tern::tcp {

// RFC 6298 5.7: the RTO data starts with after a retransmitted SYN or
// SYN-ACK when no round trip could be timed.
inline constexpr uint32_t kRtoFallbackMs = 3000;

// The wheel's callback: a TCB's timer or a TIME_WAIT record's 2MSL.
void on_timer(Core& c, util::TimerNode& n);
void arm_timer(Core& c, Tcb& t, TimerKind kind, uint64_t at_ms);
void cancel_timer(Core& c, Tcb& t);
// After output: the timer the connection's state and queues call for.
void update_timer(Core& c, Tcb& t);
// RFC 6298 2.2-2.5: a round-trip sample updates SRTT, RTTVAR and the RTO.
void rtt_sample(const Tunables& cfg, Tcb& t, uint32_t rtt_ms);
// The handshake's answer has come (t.retries SYN or SYN-ACK retransmissions
// before it, the first sent at timer_base_ms): the RTO data starts with.
void rto_after_handshake(const Core& c, Tcb& t);

}  // namespace tern::tcp
