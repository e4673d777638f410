#include "tcp/conn_table.h"

#include <new>

namespace tern::tcp {

ConnTable::ConnTable(uint32_t max_tcbs, uint32_t max_time_wait, Counters& ctr)
    : ctr_(ctr),
      max_tcbs_(max_tcbs),
      max_tw_(max_time_wait),
      flows_(max_tcbs + max_time_wait),
      tcbs_(max_tcbs),
      tcb_free_(new uint32_t[max_tcbs]),
      tws_(max_time_wait),
      tw_free_(new uint32_t[max_time_wait]) {
    // Free lists handed out lowest index first (warm cache lines first).
    for (uint32_t i = 0; i < max_tcbs; ++i) tcb_free_[i] = max_tcbs - 1 - i;
    tcb_free_n_ = max_tcbs;
    for (uint32_t i = 0; i < max_time_wait; ++i) tw_free_[i] = max_time_wait - 1 - i;
    tw_free_n_ = max_time_wait;
}

void ConnTable::prefetch_record(uint32_t ref) const {
    if (ref == 0) return;
    const char* p = FlowTable::is_tw(ref)
                        ? reinterpret_cast<const char*>(&tws_[FlowTable::index_of(ref)])
                        : reinterpret_cast<const char*>(&tcbs_[FlowTable::index_of(ref)]);
    const size_t size = FlowTable::is_tw(ref) ? sizeof(TimeWait) : sizeof(Tcb);
    for (size_t off = 0; off < size; off += 64) __builtin_prefetch(p + off);
}

Tcb* ConnTable::alloc(const Tuple& tu, uint32_t slot) {
    if (tcb_free_n_ == 0) {
        ctr_.pool_exhausted.inc();
        return nullptr;
    }
    const uint32_t i = tcb_free_[tcb_free_n_ - 1];
    if (!flows_.insert(tu, slot, FlowTable::tcb_ref(i))) {
        ctr_.flow_table_full.inc();
        return nullptr;
    }
    --tcb_free_n_;
    // Constructed in place: `t = Tcb()` built the defaults in a temporary
    // on the stack (a microcoded rep stos) and copied it over.
    Tcb& t = *new (&tcbs_[i]) Tcb();
    t.index = i;
    t.tuple = tu;
    t.flow_hash = slot;
    return &t;
}

TimeWait* ConnTable::to_time_wait(const Tcb& t) {
    if (tw_free_n_ == 0) {
        ctr_.tw_pool_exhausted.inc();
        return nullptr;
    }
    const uint32_t i = tw_free_[--tw_free_n_];
    TimeWait& tw = *new (&tws_[i]) TimeWait{};
    tw.tuple = t.tuple;
    tw.flow_hash = t.flow_hash;
    flows_.replace(t.tuple, t.flow_hash, FlowTable::tw_ref(i));
    return &tw;
}

void ConnTable::free_time_wait(TimeWait& tw) {
    flows_.erase(tw.tuple, tw.flow_hash);
    tw_free_[tw_free_n_++] = uint32_t(&tw - tws_.get());
}

Tcb* ConnTable::tcb_of(const util::TimerNode& n) {
    const auto p = reinterpret_cast<uintptr_t>(&n);
    const auto base = reinterpret_cast<uintptr_t>(tcbs_.get());
    if (p < base || p >= base + sizeof(Tcb) * max_tcbs_) return nullptr;
    return &tcbs_[(p - base) / sizeof(Tcb)];
}

TimeWait& ConnTable::time_wait_of(const util::TimerNode& n) {
    const auto p = reinterpret_cast<uintptr_t>(&n);
    const auto base = reinterpret_cast<uintptr_t>(tws_.get());
    return tws_[(p - base) / sizeof(TimeWait)];
}

std::string ConnTable::check(uint32_t live_tcbs, uint32_t& armed) const {
    if (live_tcbs != live()) return "TCB pool accounting";
    uint32_t tw = 0;
    std::unique_ptr<bool[]> is_free(new bool[max_tw_]());
    for (uint32_t k = 0; k < tw_free_n_; ++k) is_free[tw_free_[k]] = true;
    for (uint32_t i = 0; i < max_tw_; ++i) {
        const TimeWait& r = tws_[i];
        if (is_free[i]) {
            if (r.timer.armed()) return "timer armed on a free TIME_WAIT record";
            continue;
        }
        ++tw;
        if (!r.timer.armed()) return "TIME_WAIT record without its 2MSL timer";
        ++armed;
        if (flows_.find(r.tuple, r.flow_hash) != FlowTable::tw_ref(i)) {
            return "TIME_WAIT record not in the flow table";
        }
    }
    if (flows_.size() != live_tcbs + tw) return "flow table size != TCBs + TIME_WAIT records";
    return {};
}

}  // namespace tern::tcp
