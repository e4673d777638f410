#include "tcp/core.h"

namespace tern::tcp {

namespace {

// Smallest shift that fits the receive window into 16 bits (RFC 7323 2.3).
uint8_t shift_for(uint32_t wnd) {
    uint8_t s = 0;
    while (s < kMaxWindowShift && (wnd >> s) > 0xFFFF) ++s;
    return s;
}

}  // namespace

Core::Core(const Tunables& tunables, const util::SipKey& secret, uint64_t now_us_at_start)
    : cfg(tunables),
      isn(secret),
      hasher(derive_key(secret, 0x7461626c65ull /* "table" */)),
      wheel(now_us_at_start / 1000),
      chunks(tunables.send_chunks),
      conns(tunables.max_tcbs, tunables.max_tw_buckets, ctr),
      listeners(tunables.max_listeners, conns),
      guard(cfg, secret, listeners, conns),
      dirty(conns) {
    rcv_wscale = cfg.window_scaling ? shift_for(cfg.rcv_wnd) : 0;
    rcv_wnd = (cfg.rcv_wnd >> rcv_wscale) << rcv_wscale;
    now_us = now_us_at_start;
    now_ms = now_us_at_start / 1000;
}

}  // namespace tern::tcp
