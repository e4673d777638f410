// Hierarchical timing wheel: one per worker core, millisecond tick.
//
// Workload. A worker holds up to ~1M timers: one or two per connection (RTO,
// delayed ACK, persist, SYN-ACK backoff 1-16 s, FIN_WAIT_2, 2MSL 60 s,
// keepalive 2 h). Almost all of them are cancelled or re-armed before they
// expire (an ACK cancels the RTO, traffic pushes keepalive back), so arm and
// cancel dominate and must be O(1) with no allocation. A binary heap costs
// O(log n) per arm/cancel (20 levels at 1M, each a cache miss) to maintain an
// order that is almost never used; a wheel only orders what is about to fire.
//
// Layout. Level 0 has 256 slots of 1 ms; levels 1-4 have 64 slots each, of
// 256 ms, 16.4 s, 17.5 min and 18.6 h: the levels cover one 2^32 ms block
// (49.7 days). A timer lives at the lowest level whose slot size separates
// its expiry from now (the highest bit in which `expires ^ now` differs), so
// a level-k slot holds timers that all fall within one level-(k-1) block.
// When time enters that slot it is cascaded: each timer is re-placed, lower
// down, and level 0 slots hold a single millisecond each, so timers fire on
// their exact ms. Timers beyond the current 2^32 ms block wait in an
// overflow list that is re-placed when time crosses into the next block.
//
// Idle and stalls. Each level keeps an occupancy bitmap. Because every
// occupied slot of level k starts before any occupied slot of level k+1, the
// next thing to do is always the lowest set bit of the lowest non-empty
// level: advance() jumps there directly, so an empty wheel advances hours in
// O(1) and a sparse one costs O(occupied slots), never O(elapsed ms).
// cancel() does not clear bits (it does not know its slot); a stale bit
// costs one empty visit, then is cleared.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace tern::util {

// Intrusive: lives inside a TCB or TIME_WAIT record. The owner must cancel
// it (or let it fire) before destroying or moving the record.
struct TimerNode {
    TimerNode* next = nullptr;
    TimerNode* prev = nullptr;
    uint64_t expires_ms = 0;  // absolute ms, on whatever clock the wheel's owner uses

    bool armed() const { return prev != nullptr; }
};
static_assert(sizeof(TimerNode) <= 24);

class TimerWheel {
  public:
    explicit TimerWheel(uint64_t now_ms = 0);
    TimerWheel(const TimerWheel&) = delete;  // list heads point at themselves
    TimerWheel& operator=(const TimerWheel&) = delete;

    // O(1). Re-arms if already armed. An expiry at or before now() is due:
    // it fires at the start of the next advance(), before anything else.
    void arm(TimerNode& n, uint64_t expires_ms);
    // O(1); no-op if not armed.
    void cancel(TimerNode& n);

    // Calls on_expire(TimerNode&) for every timer with expires_ms <= now_ms,
    // in non-decreasing expiry order (same-ms timers in any order; timers
    // that were already due when armed come first, in arm order). The node
    // is unlinked before the callback, which may re-arm it or arm/cancel any
    // other node. A timer armed from a callback for a time in the future
    // fires within this call if it is <= now_ms (periodic timers catch up);
    // one armed at or before the ms being processed waits for the next
    // advance(), so a callback that re-arms "now" cannot spin forever.
    // A now_ms earlier than now() only fires the due timers.
    // Returns the number of callbacks made.
    template <class F>
    size_t advance(uint64_t now_ms, F&& on_expire);
    // The same, but stop() is asked before each expiry: when it says true,
    // the timers still due stay due (in order) and fire first on the next
    // advance(). For a caller whose output space can run out.
    template <class F, class Stop>
    size_t advance(uint64_t now_ms, F&& on_expire, Stop&& stop);

    uint64_t now() const { return now_; }
    size_t size() const { return size_; }  // armed timers
    // Lower bound of the earliest expiry (exact when the next timer is
    // within 256 ms); UINT64_MAX when no timer is armed. For idle skipping.
    uint64_t next_expiry_hint() const;

  private:
    static constexpr int kLevels = 5;
    static constexpr int kL0Bits = 8;
    static constexpr int kLnBits = 6;
    static constexpr int kL0Slots = 1 << kL0Bits;
    static constexpr int kLnSlots = 1 << kLnBits;
    static constexpr int kSlots = kL0Slots + (kLevels - 1) * kLnSlots;
    static constexpr int kL0Words = kL0Slots / 64;
    static constexpr int kWords = kL0Words + kLevels - 1;  // bitmap words, lowest level first
    static constexpr int kTopBits = kL0Bits + (kLevels - 1) * kLnBits;  // 32: one block

    static void init_head(TimerNode& h) { h.next = h.prev = &h; }
    static bool empty(const TimerNode& h) { return h.next == &h; }
    static void link_tail(TimerNode& h, TimerNode& n) {
        n.prev = h.prev;
        n.next = &h;
        h.prev->next = &n;
        h.prev = &n;
    }
    static void unlink(TimerNode& n) {
        n.prev->next = n.next;
        n.next->prev = n.prev;
        n.next = n.prev = nullptr;
    }
    // Moves every node of `from` to the tail of `to`, leaving `from` empty.
    static void splice_tail(TimerNode& to, TimerNode& from);

    // Links n (expires_ms > now_) into its level slot or the overflow list.
    void place(TimerNode& n);
    // Moves time forward to the next slot that needs work, if it starts at
    // or before `until`, and fills due_ with what expires there.
    // Returns false (with now_ = max(now_, until)) when nothing is left to
    // do up to `until`.
    bool step(uint64_t until);
    void cascade(TimerNode& head);
    struct NextSlot {
        uint64_t start;  // UINT64_MAX: nothing
        int word;        // bitmap word, -1 for the overflow list
        int bit;
    };
    NextSlot next_slot() const;

    template <class F, class Stop>
    size_t drain_due(F& on_expire, Stop& stop, bool& stopped) {
        size_t fired = 0;
        while (!empty(due_)) {
            if (stop()) {
                stopped = true;
                return fired;
            }
            TimerNode& n = *due_.next;
            unlink(n);
            --size_;
            on_expire(n);
            ++fired;
        }
        return fired;
    }

    uint64_t now_;  // every timer with expires_ms <= now_ has fired or is due
    size_t size_ = 0;
    uint64_t occupied_[kWords] = {};  // bit set: slot may be non-empty
    TimerNode slots_[kSlots];
    TimerNode overflow_;  // beyond the current 2^32 ms block
    TimerNode overdue_;   // armed at or before now_: fires first on the next advance
    TimerNode due_;       // expiring at now_, being fired
};

// arm/cancel are the hot operations (every send and ACK): inline.
inline void TimerWheel::arm(TimerNode& n, uint64_t expires_ms) {
    if (n.armed()) {
        unlink(n);
    } else {
        ++size_;
    }
    n.expires_ms = expires_ms;
    if (expires_ms <= now_) {
        link_tail(overdue_, n);
    } else {
        place(n);
    }
}

inline void TimerWheel::cancel(TimerNode& n) {
    if (!n.armed()) return;
    unlink(n);
    --size_;
}

inline void TimerWheel::place(TimerNode& n) {
    const uint64_t e = n.expires_ms;
    // The highest bit where expiry and now differ picks the level: every
    // higher bit is shared with now, so the slot lies in the current block
    // of the level above and strictly after now's own slot at this level.
    const uint64_t diff = e ^ now_;
    if (diff < kL0Slots) {
        const unsigned s = unsigned(e) & (kL0Slots - 1);
        link_tail(slots_[s], n);
        occupied_[s / 64] |= uint64_t(1) << (s % 64);
        return;
    }
    const int width = std::bit_width(diff);
    if (width > kTopBits) {
        link_tail(overflow_, n);
        return;
    }
    const int level = 1 + (width - kL0Bits - 1) / kLnBits;
    const int shift = kL0Bits + (level - 1) * kLnBits;
    const unsigned s = unsigned(e >> shift) & (kLnSlots - 1);
    link_tail(slots_[kL0Slots + (level - 1) * kLnSlots + s], n);
    occupied_[kL0Words + level - 1] |= uint64_t(1) << s;
}

template <class F>
size_t TimerWheel::advance(uint64_t now_ms, F&& on_expire) {
    return advance(now_ms, on_expire, [] { return false; });
}

template <class F, class Stop>
size_t TimerWheel::advance(uint64_t now_ms, F&& on_expire, Stop&& stop) {
    splice_tail(due_, overdue_);
    bool stopped = false;
    size_t fired = drain_due(on_expire, stop, stopped);
    while (!stopped && step(now_ms)) fired += drain_due(on_expire, stop, stopped);
    return fired;
}

}  // namespace tern::util
