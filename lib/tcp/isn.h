// Per-tuple secrets of a Stack.
//
// Initial sequence numbers, RFC 6528:  ISN = M + F(localip, localport,
// remoteip, remoteport, secretkey), M a 4 µs clock, F keyed SipHash-2-4
// with a 128-bit secret drawn from a real random source at start-up.
//
// The flow hash: every received segment hashes its tuple once (SipHash-1-3
// under a second key). Its low half places the tuple in the flow table; its
// high half is the connection's timestamp offset (RFC 7323 7.1: TSvals
// should not expose a global clock). The halves are independent outputs of
// a keyed PRF, so a peer that reads its offset in our TSvals learns nothing
// about where its tuples land in the table; and a cookie SYN-ACK, which
// needs only the offset, costs no second hash.
#pragma once

#include <cstdint>

#include "tcp/tuple.h"
#include "util/seq.h"
#include "util/siphash.h"

namespace tern::tcp {

// Keyed 64-bit hash of a 4-tuple (SipHash-2-4, util::siphash_4tuple).
uint64_t hash_tuple(const util::SipKey& key, const Tuple& t);

struct FlowHash {
    uint64_t v;
    uint32_t slot() const { return uint32_t(v); }
    uint32_t ts_offset() const { return uint32_t(v >> 32); }
};

inline FlowHash flow_hash(const util::SipKey& key, const Tuple& t) {
    return FlowHash{
        util::siphash13_4tuple(key, t.remote_addr, t.local_addr, t.remote_port, t.local_port)};
}

class IsnGenerator {
  public:
    explicit IsnGenerator(const util::SipKey& secret) : key_(secret) {}

    util::SeqNum make(const Tuple& t, uint64_t now_us) const {
        const uint32_t m = uint32_t(now_us >> 2);  // RFC 6528 3: M ticks every 4 µs
        return util::SeqNum(m + uint32_t(hash_tuple(key_, t)));
    }

  private:
    util::SipKey key_;
};

}  // namespace tern::tcp
