#include "util/timer_wheel.h"

#include <bit>
#include <cassert>
#include <cstring>

namespace tern::util {

namespace {

// Bit position of the lowest bit that selects a slot at `level`.
constexpr int level_shift(int level) { return level == 0 ? 0 : 8 + 6 * (level - 1); }

}  // namespace

TimerWheel::TimerWheel(uint64_t now_ms) : now_(now_ms) {
    static_assert(level_shift(kLevels - 1) + kLnBits == kTopBits);
    for (TimerNode& h : slots_) init_head(h);
    init_head(overflow_);
    init_head(overdue_);
    init_head(due_);
}

void TimerWheel::splice_tail(TimerNode& to, TimerNode& from) {
    if (empty(from)) return;
    from.next->prev = to.prev;
    to.prev->next = from.next;
    from.prev->next = &to;
    to.prev = from.prev;
    init_head(from);
}

void TimerWheel::cascade(TimerNode& head) {
    // Detach first: re-placing an overflow timer may put it back in overflow_.
    TimerNode batch;
    init_head(batch);
    splice_tail(batch, head);
    while (!empty(batch)) {
        TimerNode& n = *batch.next;
        unlink(n);
        if (n.expires_ms <= now_) {
            link_tail(due_, n);
        } else {
            place(n);
        }
    }
}

bool TimerWheel::step(uint64_t until) {
    if (size_ == 0) {
        // Nothing armed: forget stale bits left by cancel() and jump.
        std::memset(occupied_, 0, sizeof occupied_);
        if (until > now_) now_ = until;
        return false;
    }
    const NextSlot next = next_slot();
    if (next.start > until) {
        if (until > now_) now_ = until;
        return false;
    }
    assert(next.start > now_);
    now_ = next.start;
    if (next.word < 0) {
        cascade(overflow_);
        return true;
    }
    occupied_[next.word] &= ~(uint64_t(1) << next.bit);
    if (next.word < kL0Words) {
        splice_tail(due_, slots_[next.word * 64 + next.bit]);
    } else {
        cascade(slots_[kL0Slots + (next.word - kL0Words) * kLnSlots + next.bit]);
    }
    return true;
}

// The lowest set bit of the lowest non-empty level is the next slot: slots
// of level k all start before the end of now's level-k block, slots of level
// k+1 all start after it. Overflow starts with the next 2^32 ms block.
TimerWheel::NextSlot TimerWheel::next_slot() const {
    for (int w = 0; w < kWords; ++w) {
        if (occupied_[w] == 0) continue;
        const int bit = std::countr_zero(occupied_[w]);
        const int level = w < kL0Words ? 0 : w - kL0Words + 1;
        const uint64_t s = w < kL0Words ? uint64_t(w * 64 + bit) : uint64_t(bit);
        const int shift = level_shift(level);
        const int block_shift = level == 0 ? kL0Bits : shift + kLnBits;
        const uint64_t block = now_ & ~((uint64_t(1) << block_shift) - 1);
        return {block | (s << shift), w, bit};
    }
    if (empty(overflow_)) return {UINT64_MAX, -1, 0};
    return {((now_ >> kTopBits) + 1) << kTopBits, -1, 0};
}

uint64_t TimerWheel::next_expiry_hint() const {
    if (size_ == 0) return UINT64_MAX;
    if (!empty(overdue_) || !empty(due_)) return now_;
    return next_slot().start;
}

}  // namespace tern::util
