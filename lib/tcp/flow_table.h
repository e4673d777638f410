// Per-core connection lookup: 4-tuple -> TCB or TIME_WAIT record.
//
// Workload: every received segment does one lookup; every connection does
// one insert and one erase (a TCB turning into a TIME_WAIT record keeps its
// slot, only the reference changes). Capacity is fixed at start-up to at
// least twice the TCB + TIME_WAIT pools, so the load factor stays <= 1/2.
// Open addressing with linear probing keeps a lookup to one or two cache
// lines; erase shifts the following run back (no tombstones, so churn of
// millions of short connections never degrades it). The hash is keyed
// (SipHash with a per-core secret): the tuple is chosen by the peer, and an
// unkeyed hash would let an attacker build long probe runs.
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
    void prefetch(uint32_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }
    bool insert(const Tuple& t, uint32_t hash, uint32_t ref);   // false if full
    void replace(const Tuple& t, uint32_t hash, uint32_t ref);  // t must be present
    void erase(const Tuple& t, uint32_t hash);                  // no-op if absent

    uint32_t size() const { return size_; }
    uint32_t capacity() const { return mask_ + 1; }

  private:
    struct Slot {
        Tuple key;
        uint32_t ref;  // 0: empty
        uint32_t hash;
    };
    uint32_t locate(const Tuple& t, uint32_t hash) const;  // slot index or UINT32_MAX

    uint32_t mask_;
    uint32_t size_ = 0;
    uint32_t limit_;
    util::HugeArray<Slot> slots_;
};

}  // namespace tern::tcp
