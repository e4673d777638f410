// Where to send segments that are not replies to a frame in hand (timer
// retransmissions, app writes after the fact): the MAC and queue a remote
// address was last heard from. A terminator sits behind a router or on a
// flat segment, so the source MAC of a peer's frames is its next hop;
// no ARP resolution is needed.
//
// Workload: one entry per remote address, learned when a connection is
// created (replies to a frame in hand use that frame's source MAC); a
// spoofed flood overwrites entries at will, so the table is direct-mapped,
// fixed-size and keyed by a secret hash (no probing, no growth), and a miss
// falls back to the last next hop seen, which behind a router is the router.
#pragma once

#include <cstdint>
#include <vector>

#include "net/ether.h"
#include "util/siphash.h"

namespace tern::engine {

class Neighbors {
public:
    struct Entry {
        uint32_t ip = 0;
        uint16_t queue = 0;  // index into the worker's queues
        net::MacAddr mac;
    };

    Neighbors(size_t capacity_pow2, const util::SipKey& key)
        : mask_(capacity_pow2 - 1), key_(key), table_(capacity_pow2) {}

    void learn(uint32_t ip, const uint8_t* mac, uint16_t queue) {
        // Built aside and stored twice: copying last_ from the table entry
        // would read back fields just stored to a line that is usually not
        // cached yet, and wait for that miss.
        const Entry e{.ip = ip, .queue = queue, .mac = net::MacAddr::from(mac)};
        table_[slot(ip)] = e;
        last_ = e;
        have_last_ = true;
    }

    // The entry for ip, or the last next hop seen; nullptr if nothing was ever heard.
    const Entry* lookup(uint32_t ip, bool& fallback) const {
        const Entry& e = table_[slot(ip)];
        fallback = false;
        if (e.ip == ip && ip != 0) return &e;
        fallback = true;
        return have_last_ ? &last_ : nullptr;
    }

private:
    size_t slot(uint32_t ip) const { return size_t(util::siphash_u32(key_, ip)) & mask_; }

    size_t mask_;
    util::SipKey key_;
    std::vector<Entry> table_;
    Entry last_;
    bool have_last_ = false;
};

}  // namespace tern::engine
