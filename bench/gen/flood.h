// synflood: spoofed SYNs from --flood-src, random source ports, ISNs a
// keyed hash of the tuple, so every SYN-ACK is checked without state:
// from tern's address and port, to a flood address, ack = ISN + 1, our
// TSval echoed. The generator never answers (no ACK, no RST): every
// SYN-ACK is freed once counted.
//
// Pacing: --rate SYNs/s by a token bucket on the TSC, at most 64 SYNs of
// credit banked (a stalled generator does not catch up with a spike);
// --rate 0 keeps one burst waiting at the port, so the flood runs as fast
// as the port takes it. Either way the SYNs wait in their own stage, behind
// the legitimate clients' segments (mixed): the flood never delays them.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "clock.h"
#include "common/rng.h"
#include "common/tcp_frame.h"
#include "options.h"
#include "templates.h"
#include "tx_stage.h"

struct rte_mempool;

namespace tern::gen {

struct FloodCounters {
    uint64_t generated = 0;   // SYNs built (sent = the flood stage's sent())
    uint64_t syn_acks = 0;    // replies that passed every check
    uint64_t bad_replies = 0; // anything else sent to a flood address
    uint64_t sampled = 0;     // replies whose checksums were verified too
    uint64_t alloc_failures = 0;
};

class Flood {
  public:
    Flood(const Options& o, const SegmentTemplates& tpl, rte_mempool* pool, TxStage& stage,
          const RunClock& clock, uint64_t seed);

    bool owns(uint32_t daddr) const { return range_.contains(daddr); }
    // Checks a reply to a flood address; the caller frees the frame.
    void on_reply(const bench::TcpIn& in, const uint8_t* frame, uint32_t len);
    // Builds the SYNs due at now into the stage.
    void generate(Now now);

    const FloodCounters& counters() const { return ctr_; }

  private:
    uint32_t isn_for(uint32_t saddr, uint16_t sport) const {
        return uint32_t(bench::mix64(key_ ^ (uint64_t(saddr) << 16 | sport)));
    }

    const SegmentTemplates& tpl_;
    rte_mempool* pool_;
    TxStage& stage_;
    AddrRange range_;
    uint32_t dst_ip_;
    uint16_t dst_port_;
    unsigned burst_;
    uint64_t key_;
    uint32_t tsval_;
    bench::Rng rng_;
    // Token bucket: credit in SYNs x 2^32, earned per TSC tick.
    bool paced_;
    uint64_t per_tick_fp_ = 0;
    uint64_t credit_fp_ = 0;
    uint64_t max_credit_fp_ = 0;
    uint64_t last_tsc_ = 0;
    uint64_t max_gap_ = 0;
    FloodCounters ctr_;
};

}  // namespace tern::gen
