// Where connections begin and end: a fresh TCB, the one way into
// ESTABLISHED (a passive open's third ACK, a cookie's ACK, an active open's
// SYN-ACK), and the ways out (closed, TIME_WAIT, aborted). Each also keeps
// the listener's counts, the timer, the output list and the chunks right.
#pragma once

#include "tcp/core.h"

namespace tern::tcp {

// A TCB for `tu` in the table, its defaults set; nullptr if a pool or the
// flow table is full (counted).
Tcb* new_tcb(Core& c, const Tuple& tu, FlowHash h);

// RFC 9293: SYN_RCVD or SYN_SENT -> ESTABLISHED. A passive open goes to its
// listener's accept queue (manual_accept) or straight to App::on_open.
// False if the app aborted it from on_open (then it is gone).
bool establish(Core& c, Tcb& t);

// Ends a conn: tells the app (if it knows the conn) and frees the TCB.
void close_conn(Core& c, Tcb& t, CloseReason why);
// Our FIN acknowledged and the peer's received: the TCB becomes a 64-byte
// TIME_WAIT record for 2MSL (or, with no record free, just closes).
void enter_time_wait(Core& c, Tcb& t);
// RFC 9293 3.10.5 ABORT, carried out.
void abort_conn(Core& c, Tcb& t);
// After an app callback: false if the conn must not be touched further
// (the app aborted it, and the abort has been carried out, or it closed).
bool app_still_open(Core& c, Tcb& t);

}  // namespace tern::tcp
