// tcp::Inbound: a received segment on its way into a Stack. The engine
// stages a receive burst of them and takes each through the Stack in one
// direction, every step once:
//   Stack::parse     the TCP header, the 4-tuple (the addresses come from
//                    the IP header), parse errors counted by reason
//   Stack::hash_x4   the flow hash, four at a time, the flow-table slots
//                    prefetched, and a SYN cookie's MAC for each bare SYN a
//                    listener will answer with one (four AES MACs cost
//                    about the latency of one)
//   Stack::look_up   the connection (TCB or TIME_WAIT record), found once
//                    the slot is likely cached, its lines prefetched
//   Stack::on_segment  processed; returns a Verdict
// Segments ahead in the burst may change the flow table or a listener's
// queue; on_segment uses what look_up found only while the flow table is
// unchanged (FlowTable::generation) and a prepared MAC only for the segment,
// clock and secret it was made for. Otherwise it does that step itself.
#pragma once

#include <cstdint>

#include "tcp/isn.h"
#include "tcp/segment.h"
#include "tcp/tuple.h"
#include "util/syncookie.h"

namespace tern::tcp {

// A SYN cookie's plan and MAC computed ahead (Stack::hash_x4), with what
// they were computed from: the segment's flow hash and ISN, the clock and
// the secret's generation. gen 0: none.
struct CookieMac {
    util::syncookie::CookiePlan plan;
    uint64_t mac = 0;
    uint64_t flow = 0;
    uint64_t now_ms = 0;
    uint32_t isn = 0;
    uint32_t gen = 0;
};

struct Inbound {
    Tuple tuple;
    Segment seg;
    FlowHash hash{0};
    uint32_t ref = 0;        // look_up(): the FlowTable reference (0: no connection)
    uint32_t ref_gen = 0;    // ... made at this flow-table generation
    bool looked_up = false;  // ref and ref_gen are set
    CookieMac mac;
};

}  // namespace tern::tcp
