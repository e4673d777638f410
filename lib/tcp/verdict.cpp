#include "tcp/verdict.h"

namespace tern::tcp {

const char* effect_name(Effect e) {
    switch (e) {
        case Effect::none:
            return "none";
        case Effect::opened:
            return "opened";
        case Effect::established:
            return "established";
        case Effect::closed:
            return "closed";
        case Effect::answered:
            return "answered";
        case Effect::dropped:
            return "dropped";
    }
    return "?";
}

const char* drop_name(Drop d) {
    switch (d) {
        case Drop::none:
            return "none";
        case Drop::rst_no_conn:
            return "rst_no_conn";
        case Drop::not_syn:
            return "not_syn";
        case Drop::syn_fin:
            return "syn_fin";
        case Drop::rate_limited:
            return "rate_limited";
        case Drop::syn_backlog:
            return "syn_backlog";
        case Drop::no_memory:
            return "no_memory";
        case Drop::accept_overflow:
            return "accept_overflow";
        case Drop::paws:
            return "paws";
        case Drop::out_of_window:
            return "out_of_window";
        case Drop::no_ack:
            return "no_ack";
        case Drop::bad_ack:
            return "bad_ack";
        case Drop::syn_sent:
            return "syn_sent";
        case Drop::challenge_limited:
            return "challenge_limited";
        case Drop::time_wait:
            return "time_wait";
    }
    return "?";
}

}  // namespace tern::tcp
