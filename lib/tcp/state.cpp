#include "tcp/state.h"

namespace tern::tcp {

const char* state_name(State s) {
    switch (s) {
        case State::Closed:
            return "CLOSED";
        case State::Listen:
            return "LISTEN";
        case State::SynSent:
            return "SYN_SENT";
        case State::SynRcvd:
            return "SYN_RCVD";
        case State::Established:
            return "ESTABLISHED";
        case State::FinWait1:
            return "FIN_WAIT_1";
        case State::FinWait2:
            return "FIN_WAIT_2";
        case State::Closing:
            return "CLOSING";
        case State::TimeWait:
            return "TIME_WAIT";
        case State::CloseWait:
            return "CLOSE_WAIT";
        case State::LastAck:
            return "LAST_ACK";
    }
    return "?";
}

const char* close_reason_name(CloseReason r) {
    switch (r) {
        case CloseReason::Normal:
            return "normal";
        case CloseReason::Reset:
            return "reset";
        case CloseReason::Refused:
            return "refused";
        case CloseReason::Timeout:
            return "timeout";
        case CloseReason::Aborted:
            return "aborted";
    }
    return "?";
}

}  // namespace tern::tcp
