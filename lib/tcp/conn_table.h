// tcp::ConnTable: every connection one Stack knows, by tuple. It owns the
// TCB pool, the TIME_WAIT record pool and the flow table that maps a
// 4-tuple to either, and keeps the three consistent: a TCB or record is in
// the flow table exactly while it is taken from its pool. Everything is
// allocated at construction; a full pool is a counted refusal.
//
// What a connection holds besides its slot (chunks, a timer, a place on the
// output or accept lists) is released by the lifecycle code
// (lifecycle.cpp) before it hands the slot back here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tcp/counters.h"
#include "tcp/flow_table.h"
#include "tcp/tcb.h"
#include "util/huge_array.h"

namespace tern::tcp {

class ConnTable {
  public:
    ConnTable(uint32_t max_tcbs, uint32_t max_time_wait, Counters& ctr);

    // A FlowTable reference for the tuple (0: none; see FlowTable).
    uint32_t find(const Tuple& t, uint32_t slot) const { return flows_.find(t, slot); }
    uint32_t generation() const { return flows_.generation(); }
    void prefetch(uint32_t slot) const { flows_.prefetch(slot); }
    // Starts loading the TCB or record `ref` names, every line of it.
    void prefetch_record(uint32_t ref) const;

    Tcb& tcb(uint32_t i) { return tcbs_[i]; }
    const Tcb& tcb(uint32_t i) const { return tcbs_[i]; }
    TimeWait& time_wait(uint32_t i) { return tws_[i]; }
    // The pool's first TCB, for lists linked by index (fixed for life).
    Tcb* tcb_base() { return tcbs_.get(); }

    // A TCB reset to its defaults, with its index, tuple and flow hash set,
    // entered in the flow table; nullptr (counted) if the pool or the table
    // is full.
    Tcb* alloc(const Tuple& t, uint32_t slot);
    // Back to the pool, out of the flow table; state Closed.
    void free(Tcb& t) {
        flows_.erase(t.tuple, t.flow_hash);
        release(t);
    }
    // The TCB's flow entry passes to a fresh TIME_WAIT record (tuple and
    // flow hash copied; the caller fills in the rest, then release()s the
    // TCB once the app has seen it close). nullptr (counted) if no record
    // is free.
    TimeWait* to_time_wait(const Tcb& t);
    // Back to the pool without touching the flow table (after to_time_wait).
    void release(Tcb& t) {
        t.state = State::Closed;
        t.app = nullptr;
        tcb_free_[tcb_free_n_++] = t.index;
    }
    void free_time_wait(TimeWait& tw);

    // The TCB whose timer node this is, or nullptr for a TIME_WAIT record's
    // (then time_wait_of() names it). The pools are arrays: the node's
    // address says which record holds it.
    Tcb* tcb_of(const util::TimerNode& n);
    TimeWait& time_wait_of(const util::TimerNode& n);

    uint32_t max_tcbs() const { return max_tcbs_; }
    uint32_t live() const { return max_tcbs_ - tcb_free_n_; }
    bool tcbs_exhausted() const { return tcb_free_n_ == 0; }
    uint32_t time_wait_records() const { return max_tw_ - tw_free_n_; }
    uint32_t flows() const { return flows_.size(); }

    template <class F>
    void for_each_live(F&& f) {
        for (uint32_t i = 0; i < max_tcbs_; ++i)
            if (tcbs_[i].state != State::Closed) f(tcbs_[i]);
    }
    template <class F>
    void for_each_live(F&& f) const {
        for (uint32_t i = 0; i < max_tcbs_; ++i)
            if (tcbs_[i].state != State::Closed) f(tcbs_[i]);
    }

    // The pools' own accounting (free lists, TIME_WAIT records in the flow
    // table with their timers) given how many TCBs are live; adds each
    // armed record timer to `armed`. Empty or the first violation.
    std::string check(uint32_t live_tcbs, uint32_t& armed) const;

  private:
    Counters& ctr_;
    uint32_t max_tcbs_;
    uint32_t max_tw_;
    FlowTable flows_;
    util::HugeArray<Tcb> tcbs_;
    std::unique_ptr<uint32_t[]> tcb_free_;
    uint32_t tcb_free_n_ = 0;
    util::HugeArray<TimeWait> tws_;
    std::unique_ptr<uint32_t[]> tw_free_;
    uint32_t tw_free_n_ = 0;
};

}  // namespace tern::tcp
