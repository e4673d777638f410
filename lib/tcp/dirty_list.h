// tcp::DirtyList: the connections with output (or an abort) pending in the
// current Stack call, in the order they became so. Any event may mark a
// connection -- its own segment, a timer, an app writing to it from another
// connection's callback -- and the call sends for all of them once, when it
// returns. Linked through the TCBs' dirty_prev/dirty_next fields: marking is
// O(1) and allocates nothing. A list left non-empty (the Outbox filled up)
// is resumed by the next call.
#pragma once

#include "tcp/conn_table.h"

namespace tern::tcp {

class DirtyList {
  public:
    explicit DirtyList(ConnTable& conns) : tcbs_(conns.tcb_base()) {}

    bool empty() const { return head_ == kNoIndex; }
    Tcb& front() { return tcbs_[head_]; }
    uint32_t head() const { return head_; }

    void mark(Tcb& t) {
        if (t.dirty) return;
        t.dirty = true;
        t.dirty_next = kNoIndex;
        t.dirty_prev = tail_;
        if (tail_ == kNoIndex) {
            head_ = t.index;
        } else {
            tcbs_[tail_].dirty_next = t.index;
        }
        tail_ = t.index;
    }

    void unlink(Tcb& t) {
        if (!t.dirty) return;
        if (t.dirty_prev == kNoIndex) {
            head_ = t.dirty_next;
        } else {
            tcbs_[t.dirty_prev].dirty_next = t.dirty_next;
        }
        if (t.dirty_next == kNoIndex) {
            tail_ = t.dirty_prev;
        } else {
            tcbs_[t.dirty_next].dirty_prev = t.dirty_prev;
        }
        t.dirty = false;
        t.dirty_prev = t.dirty_next = kNoIndex;
    }

  private:
    Tcb* tcbs_;  // the TCB pool (fixed at construction): one load less per link
    uint32_t head_ = kNoIndex;
    uint32_t tail_ = kNoIndex;
};

}  // namespace tern::tcp
