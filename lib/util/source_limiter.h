// Per-source-IPv4 SYN rate limit: a token bucket per source address, in a
// table whose size is fixed at construction.
//
// Workload. Legitimate clients open a few connections per second each; an
// abusive client opens thousands; a spoofed flood sends from millions of
// random addresses, each seen once. The table must not grow with the number
// of sources (a spoofed flood would exhaust memory) and must keep tracking
// the heavy hitters while spoofed one-off sources churn through it.
//
// Layout. Sets of 4 ways of 16 bytes: one 64-byte cache line, so a lookup is
// one miss. The set is chosen by a keyed SipHash of the address, so an
// attacker cannot aim its spoofed addresses at the set of a victim (or its
// own) to evict it. A miss replaces an empty way, else the least recently
// seen one: a source that keeps sending stays the most recent in its set,
// so one-off spoofed addresses evict each other and not it. An evicted
// source comes back with a full bucket; with LRU that takes at least four
// fresh sources landing in its set between two of its packets.
//
// Spoofed floods are not stopped here (every fake source gets a full
// bucket); that is what SYN cookies are for. This limits real sources.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "util/siphash.h"
#include "util/token_bucket.h"

namespace tern::util {

class SourceLimiter {
  public:
    static constexpr size_t kWays = 4;

    // rate_per_sec = 0 disables the limiter (allow() always true, no table).
    // capacity: number of tracked sources, rounded up to a power-of-two
    // number of 4-way sets (minimum one set). key: from random_key().
    // Throws std::invalid_argument for a burst outside [1, TokenRate::kMaxBurst].
    SourceLimiter(uint32_t rate_per_sec, uint32_t burst, size_t capacity, const SipKey& key);

    // Takes a token from saddr's bucket (which starts full). Never allocates.
    bool allow(uint32_t saddr, uint64_t now_ms);

    bool enabled() const { return !rate_.unlimited(); }
    size_t capacity() const { return (set_mask_ + 1) * kWays * enabled(); }
    size_t memory_bytes() const { return capacity() * sizeof(Entry); }
    size_t tracked() const { return tracked_; }
    uint64_t evictions() const { return evictions_; }

  private:
    struct Entry {
        static constexpr uint64_t kFree = UINT64_MAX;
        uint64_t last_ms = kFree;  // also the LRU age
        uint32_t tokens = 0;       // milli-tokens
        uint32_t saddr = 0;
    };
    struct alignas(64) Set {
        Entry way[kWays];
    };
    static_assert(sizeof(Set) == 64);

    TokenRate rate_;
    SipKey key_;
    size_t set_mask_ = 0;
    std::unique_ptr<Set[]> sets_;
    size_t tracked_ = 0;
    uint64_t evictions_ = 0;
};

}  // namespace tern::util
