#include "util/source_limiter.h"

#include <algorithm>
#include <bit>

namespace tern::util {

SourceLimiter::SourceLimiter(uint32_t rate_per_sec, uint32_t burst, size_t capacity,
                             const SipKey& key)
    : rate_(rate_per_sec, burst), key_(key) {
    if (!enabled()) return;
    const size_t sets = std::bit_ceil(std::max<size_t>(1, (capacity + kWays - 1) / kWays));
    set_mask_ = sets - 1;
    sets_ = std::make_unique<Set[]>(sets);
}

bool SourceLimiter::allow(uint32_t saddr, uint64_t now_ms) {
    if (!enabled()) return true;
    Set& set = sets_[siphash_u32(key_, saddr) & set_mask_];
    Entry* victim = &set.way[0];
    for (Entry& e : set.way) {
        if (e.last_ms != Entry::kFree && e.saddr == saddr) {
            return rate_.take(e.tokens, e.last_ms, now_ms);
        }
        // Free ways sort as the oldest, so they are taken before any eviction.
        if (e.last_ms == Entry::kFree ||
            (victim->last_ms != Entry::kFree && e.last_ms < victim->last_ms))
            victim = &e;
    }
    if (victim->last_ms == Entry::kFree) {
        ++tracked_;
    } else {
        ++evictions_;
    }
    victim->saddr = saddr;
    victim->tokens = rate_.full();
    victim->last_ms = now_ms;
    return rate_.take(victim->tokens, victim->last_ms, now_ms);
}

}  // namespace tern::util
