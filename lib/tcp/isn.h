// Initial sequence numbers, RFC 6528:  ISN = M + F(localip, localport,
// remoteip, remoteport, secretkey), M a 4 µs clock, F keyed SipHash-2-4
// with a 128-bit secret drawn from a real random source at start-up.
//
// The same hash also yields the per-connection timestamp offset (RFC 7323
// 7.1: TSvals should not expose a global clock) from bits the ISN does not
// use, so a SYN costs one hash for both.
#pragma once

#include <cstdint>

#include "tcp/tuple.h"
#include "util/seq.h"
#include "util/siphash.h"

namespace tern::tcp {

// Keyed 64-bit hash of a 4-tuple (SipHash-2-4, util::siphash_4tuple).
uint64_t hash_tuple(const util::SipKey& key, const Tuple& t);

class IsnGenerator {
  public:
    explicit IsnGenerator(const util::SipKey& secret) : key_(secret) {}

    struct Values {
        util::SeqNum isn;
        uint32_t ts_offset;
    };
    Values make(const Tuple& t, uint64_t now_us) const {
        const uint64_t f = hash_tuple(key_, t);
        const uint32_t m = uint32_t(now_us >> 2);  // RFC 6528 3: M ticks every 4 µs
        return Values{util::SeqNum(m + uint32_t(f)), uint32_t(f >> 32)};
    }

  private:
    util::SipKey key_;
};

}  // namespace tern::tcp
