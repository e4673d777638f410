// The eleven connection states of RFC 9293 3.3.2, and why a connection ended.
#pragma once

#include <cstdint>

namespace tern::tcp {

enum class State : uint8_t {
    Closed,
    Listen,
    SynSent,
    SynRcvd,
    Established,
    FinWait1,
    FinWait2,
    Closing,
    TimeWait,
    CloseWait,
    LastAck,
};
inline constexpr int kStateCount = 11;

const char* state_name(State s);

// Synchronized states (RFC 9293 3.5): both ISNs known.
inline bool synchronized(State s) { return s >= State::SynRcvd; }

enum class CloseReason : uint8_t {
    Normal,   // orderly close finished (CLOSED or TIME_WAIT reached)
    Reset,    // the peer sent an acceptable RST
    Refused,  // active open answered by RST
    Timeout,  // retransmissions, SYN retries, keepalive or FIN_WAIT_2 ran out
    Aborted,  // the application called abort()
};

const char* close_reason_name(CloseReason r);

}  // namespace tern::tcp
