// The windows and segment sizes of a connection: what we offer the peer
// (RCV.WND, never shrunk, RFC 9293 3.8.6; receiver SWS avoidance) and how
// much payload a segment we send may carry now.
#pragma once

#include <cstdint>

#include "tcp/core.h"

namespace tern::tcp {

// RCV.WND: what the peer may send beyond RCV.NXT. It follows what the app
// can take (App::receive_space), and never falls below what was offered.
uint32_t rcv_window(const Core& c, const Tcb& t);
// The window field of a segment we send; records its right edge.
uint16_t advertised_window(Core& c, Tcb& t);
// A window update is due once the app can take a good deal more than the
// peer was last told (RFC 9293 3.8.6.2.2 receiver SWS avoidance).
bool window_update_due(const Core& c, const Tcb& t);
// Linux's tcp_current_mss: the payload a data segment may carry now.
// snd_mss already leaves room for timestamps; the SACK blocks sent while
// data is held out of order come out of it here, so that the segment still
// fits the MTU the peer's MSS stands for.
uint32_t current_mss(Core& c, Tcb& t);

}  // namespace tern::tcp
