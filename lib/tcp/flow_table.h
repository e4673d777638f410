// Per-core connection lookup: 4-tuple -> TCB or TIME_WAIT record.
//
// Workload: every received segment does one lookup; every connection does
// one insert and one erase (a TCB turning into a TIME_WAIT record keeps its
// slot, only the reference changes). Capacity is fixed at start-up to at
// least twice the TCB + TIME_WAIT pools, so the load factor stays <= 1/2.
// Open addressing with linear probing keeps a lookup to one or two cache
// lines; erase shifts the following run back (no tombstones, so churn of
// millions of short connections never degrades it). The hash is keyed
// (AES-128, SipHash without AES-NI; a per-core secret): the tuple is chosen
// by the peer, and an unkeyed hash would let an attacker build long probe
// runs.
//
// A SYN flood answered with cookies makes every lookup a miss in a table
// spread over megabytes: one cache miss per SYN, for nothing. A bitmap with
// one bit per group of 8 slots (1/1280 of the table, L1/L2-resident) says
// which groups hold any entry; a lookup whose home slot lies in an empty
// group is a miss without touching the table (linear probing: an empty
// home slot means the key is absent). With the table busy the bits are
// mostly set and a lookup pays one cached load more.
#pragma once

#include <cstdint>
#include <memory>

#include "tcp/tuple.h"
#include "util/huge_array.h"

namespace tern::tcp {

class FlowTable {
  public:
    // A reference: 0 = none; otherwise kind bit + index + 1.
    static constexpr uint32_t kTimeWaitBit = 0x80000000u;
    static uint32_t tcb_ref(uint32_t i) { return i + 1; }
    static uint32_t tw_ref(uint32_t i) { return (i + 1) | kTimeWaitBit; }
    static bool is_tw(uint32_t ref) { return (ref & kTimeWaitBit) != 0; }
    static uint32_t index_of(uint32_t ref) { return (ref & ~kTimeWaitBit) - 1; }

    // Room for at least `entries`, at load factor <= 1/2.
    explicit FlowTable(uint32_t entries);

    // `hash` is the caller's keyed hash of the tuple (computed once per
    // segment and reused for insert/erase).
    uint32_t find(const Tuple& t, uint32_t hash) const;
    // Starts loading the line where a lookup of `hash` begins: a burst
    // hashes all its tuples first, so the misses overlap.
    void prefetch(uint32_t hash) const {
        const uint32_t i = hash & mask_;
        if (group_used(i)) __builtin_prefetch(&slots_[i]);
    }
    bool insert(const Tuple& t, uint32_t hash, uint32_t ref);   // false if full
    void replace(const Tuple& t, uint32_t hash, uint32_t ref);  // t must be present
    void erase(const Tuple& t, uint32_t hash);                  // no-op if absent

    uint32_t size() const { return size_; }
    uint32_t capacity() const { return mask_ + 1; }
    // Changes with every insert, replace and erase: a find() made while it
    // had the same value still holds (a receive burst looks each segment's
    // connection up ahead, and most bursts change no entry).
    uint32_t generation() const { return gen_; }

  private:
    struct Slot {
        Tuple key;
        uint32_t ref;  // 0: empty
        uint32_t hash;
    };
    uint32_t locate(const Tuple& t, uint32_t hash) const;  // slot index or UINT32_MAX

    static constexpr unsigned kGroupShift = 3;  // 8 slots per occupancy bit
    bool group_used(uint32_t slot) const {
        const uint32_t g = slot >> kGroupShift;
        return (groups_[g >> 6] >> (g & 63)) & 1;
    }
    void mark_group(uint32_t slot) {
        const uint32_t g = slot >> kGroupShift;
        groups_[g >> 6] |= uint64_t(1) << (g & 63);
    }
    void unmark_group_if_empty(uint32_t slot);

    uint32_t mask_;
    uint32_t size_ = 0;
    uint32_t gen_ = 0;
    uint32_t limit_;
    util::HugeArray<Slot> slots_;
    util::HugeArray<uint64_t> groups_;  // bit g: some slot of group g is in use
};

}  // namespace tern::tcp
