// tcp::Core: the state of one Stack, as the parts that each own one concern,
// plus the context of the call in progress. The protocol steps are free
// functions over it, one file per group (passive_open, input_*, output,
// window, timers, lifecycle); the Stack (stack.h) is the facade the engine
// and the apps see. Nothing here is shared between cores.
//
//   cfg        the live tunables (sizing fields fixed at construction)
//   ctr        one counter per event and drop
//   conns      TCB and TIME_WAIT pools and the flow table (conn_table.h)
//   listeners  listening ports, half-open counts, accept queues
//   guard      SYN cookies, per-source limiter, flood detector (syn_guard.h)
//   wheel      every timer: one node per TCB or TIME_WAIT record
//   chunks     send buffers and reassembly queues (chunk_pool.h)
//   dirty      the connections with output pending in this call
#pragma once

#include <cstdint>

#include "tcp/challenge_budget.h"
#include "tcp/chunk_pool.h"
#include "tcp/conn_table.h"
#include "tcp/counters.h"
#include "tcp/dirty_list.h"
#include "tcp/isn.h"
#include "tcp/listeners.h"
#include "tcp/outbox.h"
#include "tcp/syn_guard.h"
#include "tcp/tunables.h"
#include "tcp/verdict.h"
#include "util/siphash.h"
#include "util/timer_wheel.h"

namespace tern::tcp {

struct Core {
    Core(const Tunables& tunables, const util::SipKey& secret, uint64_t now_us);
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    Tunables cfg;
    Counters ctr;
    IsnGenerator isn;
    FlowHasher hasher;
    util::TimerWheel wheel;
    ChunkPool chunks;
    ConnTable conns;
    Listeners listeners;
    SynGuard guard;
    ChallengeBudget challenges;
    DirtyList dirty;

    // Derived from the tunables once.
    uint8_t rcv_wscale = 0;  // our shift when window scaling is negotiated
    uint32_t rcv_wnd = 0;    // the window we offer at most, rounded to the shift

    // The call in progress (Stack::begin_call).
    uint64_t now_us = 0;
    uint64_t now_ms = 0;
    Outbox* out = nullptr;
    Verdict verdict;                      // on_segment's answer
    const CookieMac* mac_hint = nullptr;  // on_segment's prepared MAC, during the call

    uint32_t now_ms32() const { return uint32_t(now_ms); }
    uint32_t now_s() const { return uint32_t(now_ms / 1000); }
    // Our TSval for a connection: the ms clock plus its per-tuple offset.
    uint32_t tsval(uint32_t ts_offset) const { return now_ms32() + ts_offset; }

    // The verdict's effect; `dropped` records why as well.
    void effect(Effect e) { verdict.effect = e; }
    void dropped(Drop d) {
        verdict.effect = Effect::dropped;
        verdict.drop = d;
    }
};

}  // namespace tern::tcp
