// Received segments, by what they find (RFC 9293 3.10.7): no connection
// (a closed port or a listener: passive_open.cpp), SYN_SENT
// (input_syn_sent.cpp), the synchronized states (input_sync.cpp), a
// TIME_WAIT record (input_time_wait.cpp). The Stack dispatches to these
// once it has looked the tuple up; each records the call's verdict.
#pragma once

#include "tcp/core.h"

namespace tern::tcp {

void input_no_conn(Core& c, const Tuple& tu, FlowHash h, const Segment& seg);
// LISTEN. `iss`: the ISS to use instead of RFC 6528's, when a SYN takes
// over a TIME_WAIT tuple (RFC 6191).
void input_listen(Core& c, Listener& l, const Tuple& tu, FlowHash h, const Segment& seg,
                  const util::SeqNum* iss);
void input_syn_sent(Core& c, Tcb& t, const Segment& seg);
void input_synchronized(Core& c, Tcb& t, const Segment& seg);
void input_time_wait(Core& c, TimeWait& tw, FlowHash h, const Segment& seg);

// RFC 9293 3.10.7.4 seventh and eighth: a segment's text and FIN, for every
// state that takes data (also the ACK completing a cookie handshake, and a
// SYN-ACK carrying data). False if the TCB is gone.
bool process_text(Core& c, Tcb& t, const Segment& seg);
// Delivers what the reassembly queue holds in order from RCV.NXT (and a
// FIN after it). False if the TCB is gone.
bool drain_reassembly(Core& c, Tcb& t);

}  // namespace tern::tcp
