// Control-plane operations on a running Stack: graceful shutdown (the
// engine's drain on SIGTERM) and run-time tunables.
#include "tcp/stack.h"

namespace tern::tcp {

void Stack::update_tunables(const Tunables& c) {
    Tunables n = c;
    // Fixed at construction: pool and table sizes, what rcv_wnd_ and the
    // per-source limiter and flood detector were built from.
    n.max_tcbs = cfg_.max_tcbs;
    n.max_tw_buckets = cfg_.max_tw_buckets;
    n.send_chunks = cfg_.send_chunks;
    n.max_listeners = cfg_.max_listeners;
    n.rcv_wnd = cfg_.rcv_wnd;
    n.window_scaling = cfg_.window_scaling;
    n.syn_rate_per_source = cfg_.syn_rate_per_source;
    n.syn_burst_per_source = cfg_.syn_burst_per_source;
    n.syn_limiter_sources = cfg_.syn_limiter_sources;
    n.syn_flood_rate = cfg_.syn_flood_rate;
    cfg_ = n;
}

void Stack::stop_listening() {
    for (uint32_t i = 0; i < listener_n_; ++i) port_to_listener_[listeners_[i].port] = kNoListener;
}

}  // namespace tern::tcp
