// Stack::check_invariants(): what must hold between any two Stack calls,
// whatever segments arrived. The fuzz driver checks it after every step.
#include <string>

#include "tcp/stack.h"

namespace tern::tcp {

namespace {

uint32_t chain_length(const ChunkPool& pool, uint32_t head) {
    uint32_t n = 0;
    for (uint32_t c = head; c != kNoIndex && n <= pool.capacity(); c = pool.meta(c).next) {
        ++n;
    }
    return n;
}

}  // namespace

std::string Stack::check_invariants() const {
    auto fail = [](const std::string& what, uint32_t i) {
        return what + " (tcb " + std::to_string(i) + ")";
    };
    if (out_ != nullptr) return "called inside a Stack call";
    // TCBs may stay on the output list between calls (the Outbox filled up);
    // the list must then be well formed and hold exactly the dirty TCBs.
    uint32_t listed = 0;
    for (uint32_t i = dirty_head_, prev = kNoIndex; i != kNoIndex;
         prev = i, i = tcbs_[i].dirty_next) {
        if (i >= cfg_.max_tcbs || ++listed > cfg_.max_tcbs) return "output list broken";
        if (!tcbs_[i].dirty || tcbs_[i].dirty_prev != prev) return fail("output list links", i);
        if (tcbs_[i].state == State::Closed) return fail("free TCB on the output list", i);
    }
    uint32_t dirty = 0;

    uint32_t live = 0, armed = 0, chunks = 0;
    std::unique_ptr<uint32_t[]> half_open(new uint32_t[cfg_.max_listeners]());
    for (uint32_t i = 0; i < cfg_.max_tcbs; ++i) {
        const Tcb& t = tcbs_[i];
        if (t.index != i && t.state != State::Closed) return fail("index mismatch", i);
        if (t.state == State::Closed) {
            if (t.timer.armed()) return fail("timer armed on a free TCB", i);
            if (t.sb_head != kNoIndex || t.ooo_head != kNoIndex)
                return fail("free TCB holds chunks", i);
            continue;
        }
        ++live;
        if (t.state == State::Listen || t.state == State::TimeWait)
            return fail("impossible TCB state", i);
        if (t.flow_hash != tuple_hash(t.tuple).slot())
            return fail("stale flow hash", i);
        if (flows_.find(t.tuple, t.flow_hash) != FlowTable::tcb_ref(i)) {
            return fail("TCB not in the flow table", i);
        }
        if (t.dirty) ++dirty;
        // Sequence space: SND.UNA =< SND.NXT =< snd_max, and the send buffer
        // and FIN fit between SND.UNA and what has been sent or queued.
        if (t.snd_nxt < t.snd_una || t.snd_max < t.snd_nxt)
            return fail("SND.UNA =< SND.NXT =< SND.MAX broken", i);
        const util::SeqNum data_end = t.snd_una + t.sb_bytes;
        const uint32_t fin = (t.fin_queued && !t.fin_acked) ? 1 : 0;
        const uint32_t syn = (t.state == State::SynSent || t.state == State::SynRcvd) ? 1 : 0;
        if (data_end + (fin + syn) < t.snd_max) return fail("sent beyond the buffer", i);
        if (t.fin_acked && t.sb_bytes != 0) return fail("FIN acked with data outstanding", i);
        if (t.state == State::SynRcvd && t.listener != kNoListener) ++half_open[t.listener];
        if (t.timer.armed()) {
            ++armed;
            if (t.timer_kind == TimerKind::None) return fail("armed timer without a kind", i);
        }
        if (t.ooo_count != chain_length(chunks_, t.ooo_head)) return fail("reassembly count", i);
        const uint32_t sb_chunks = chain_length(chunks_, t.sb_head);
        const uint32_t need =
            (t.sb_head_off + t.sb_bytes + ChunkPool::kSize - 1) / ChunkPool::kSize;
        if (t.sb_bytes != 0 && sb_chunks != need) return fail("send buffer chunk count", i);
        if (t.sb_bytes == 0 && sb_chunks != 0) return fail("empty send buffer holds chunks", i);
        chunks += sb_chunks + t.ooo_count;
    }
    if (live != cfg_.max_tcbs - tcb_free_n_) return "TCB pool accounting";
    if (dirty != listed) return "dirty TCBs missing from the output list";
    for (uint32_t l = 0; l < listener_n_; ++l) {
        uint32_t queued = 0;
        for (uint32_t i = listeners_[l].accept_head, prev = kNoIndex; i != kNoIndex;
             prev = i, i = tcbs_[i].accept_next) {
            if (++queued > cfg_.max_tcbs) return "accept queue broken";
            const Tcb& t = tcbs_[i];
            if (!t.queued || t.accept_prev != prev || t.listener != l)
                return fail("accept queue links", i);
            if (t.app_visible) return fail("queued conn already visible to the app", i);
        }
        if (queued != listeners_[l].accept_len)
            return "accept queue length of listener " + std::to_string(l);
        if (half_open[l] != listeners_[l].half_open)
            return "half-open count of listener " + std::to_string(l);
    }
    uint32_t tw = 0;
    std::unique_ptr<bool[]> is_free(new bool[cfg_.max_tw_buckets]());
    for (uint32_t k = 0; k < tw_free_n_; ++k) is_free[tw_free_[k]] = true;
    for (uint32_t i = 0; i < cfg_.max_tw_buckets; ++i) {
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
    if (flows_.size() != live + tw) return "flow table size != TCBs + TIME_WAIT records";
    if (armed != wheel_.size()) return "armed timers do not match the wheel";
    if (chunks + chunks_.deferred() != chunks_.in_use()) return "chunk pool accounting";
    return {};
}

}  // namespace tern::tcp
