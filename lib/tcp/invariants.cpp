// Stack::check_invariants(): what must hold between any two Stack calls,
// whatever segments arrived. The fuzz driver checks it after every step.
#include <memory>
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

std::string fail(const std::string& what, uint32_t i) {
    return what + " (tcb " + std::to_string(i) + ")";
}

// TCBs may stay on the output list between calls (the Outbox filled up);
// the list must then be well formed and hold exactly the dirty TCBs.
std::string check_output_list(const Core& c, uint32_t& listed) {
    const uint32_t max = c.conns.max_tcbs();
    for (uint32_t i = c.dirty.head(), prev = kNoIndex; i != kNoIndex;
         prev = i, i = c.conns.tcb(i).dirty_next) {
        if (i >= max || ++listed > max) return "output list broken";
        const Tcb& t = c.conns.tcb(i);
        if (!t.dirty || t.dirty_prev != prev) return fail("output list links", i);
        if (t.state == State::Closed) return fail("free TCB on the output list", i);
    }
    return {};
}

// One live TCB: its place in the table, its sequence space, its timer and
// chunks. Adds what it holds to the totals.
std::string check_tcb(const Core& c, const Tcb& t, uint32_t& armed, uint32_t& chunks) {
    const uint32_t i = t.index;
    if (t.state == State::Listen || t.state == State::TimeWait)
        return fail("impossible TCB state", i);
    if (t.flow_hash != c.hasher(t.tuple).slot()) return fail("stale flow hash", i);
    if (c.conns.find(t.tuple, t.flow_hash) != FlowTable::tcb_ref(i))
        return fail("TCB not in the flow table", i);
    // Sequence space: SND.UNA =< SND.NXT =< snd_max, and the send buffer
    // and FIN fit between SND.UNA and what has been sent or queued.
    if (t.snd_nxt < t.snd_una || t.snd_max < t.snd_nxt)
        return fail("SND.UNA =< SND.NXT =< SND.MAX broken", i);
    const util::SeqNum data_end = t.snd_una + t.sb_bytes;
    const uint32_t fin = (t.fin_queued && !t.fin_acked) ? 1 : 0;
    const uint32_t syn = (t.state == State::SynSent || t.state == State::SynRcvd) ? 1 : 0;
    if (data_end + (fin + syn) < t.snd_max) return fail("sent beyond the buffer", i);
    if (t.fin_acked && t.sb_bytes != 0) return fail("FIN acked with data outstanding", i);
    if (t.timer.armed()) {
        ++armed;
        if (t.timer_kind == TimerKind::None) return fail("armed timer without a kind", i);
    }
    if (t.ooo_count != chain_length(c.chunks, t.ooo_head)) return fail("reassembly count", i);
    const uint32_t sb_chunks = chain_length(c.chunks, t.sb_head);
    const uint32_t need = (t.sb_head_off + t.sb_bytes + ChunkPool::kSize - 1) / ChunkPool::kSize;
    if (t.sb_bytes != 0 && sb_chunks != need) return fail("send buffer chunk count", i);
    if (t.sb_bytes == 0 && sb_chunks != 0) return fail("empty send buffer holds chunks", i);
    chunks += sb_chunks + t.ooo_count;
    return {};
}

}  // namespace

std::string Stack::check_invariants() const {
    const Core& c = core_;
    if (c.out != nullptr) return "called inside a Stack call";
    uint32_t listed = 0;
    if (std::string e = check_output_list(c, listed); !e.empty()) return e;
    uint32_t live = 0, dirty = 0, armed = 0, chunks = 0;
    std::unique_ptr<uint32_t[]> half_open(new uint32_t[c.cfg.max_listeners]());
    for (uint32_t i = 0; i < c.conns.max_tcbs(); ++i) {
        const Tcb& t = c.conns.tcb(i);
        if (t.state == State::Closed) {
            if (t.timer.armed()) return fail("timer armed on a free TCB", i);
            if (t.sb_head != kNoIndex || t.ooo_head != kNoIndex)
                return fail("free TCB holds chunks", i);
            continue;
        }
        ++live;
        if (t.index != i) return fail("index mismatch", i);
        if (std::string e = check_tcb(c, t, armed, chunks); !e.empty()) return e;
        if (t.dirty) ++dirty;
        if (t.state == State::SynRcvd && t.listener != kNoListener) ++half_open[t.listener];
    }
    if (dirty != listed) return "dirty TCBs missing from the output list";
    if (std::string e = c.listeners.check(half_open.get()); !e.empty()) return e;
    if (std::string e = c.conns.check(live, armed); !e.empty()) return e;
    if (armed != c.wheel.size()) return "armed timers do not match the wheel";
    if (chunks + c.chunks.deferred() != c.chunks.in_use()) return "chunk pool accounting";
    return {};
}

}  // namespace tern::tcp
