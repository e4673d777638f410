// tcp::Listeners: the listening ports of one Stack, each with its app, its
// half-open count (SYN_RCVD entries, bounded by tcp.max_syn_backlog) and
// its accept queue (completed handshakes a manual_accept listener has not
// taken yet, bounded by the backlog). The queue links TCBs through their
// accept_prev/accept_next fields, so it allocates nothing.
#pragma once

#include <cstdint>
#include <memory>

#include "tcp/app.h"
#include "tcp/conn_table.h"

namespace tern::tcp {

struct ListenOptions {
    uint32_t backlog = 0;    // accept-queue limit; 0 = net.somaxconn (capped by it)
    bool keepalive = false;  // SO_KEEPALIVE on accepted connections
    // false: every completed handshake goes straight to App::on_open.
    // true: completed handshakes wait in the accept queue until the app
    // calls Stack::accept() (a proxy that takes clients only as fast as its
    // backends allow); data arriving meanwhile is held, not acknowledged.
    bool manual_accept = false;
};

struct Listener {
    App* app = nullptr;
    uint16_t port = 0;
    uint16_t index = 0;  // in the table: what a TCB records as its listener
    uint32_t backlog = 0;
    uint32_t half_open = 0;
    bool keepalive = false;
    bool manual_accept = false;
    // Accept queue: TCBs linked through accept_prev/accept_next.
    uint32_t accept_head = kNoIndex;
    uint32_t accept_tail = kNoIndex;
    uint32_t accept_len = 0;
    // When this listener last answered with a SYN cookie: with
    // tcp.syncookies = 1, ACKs are checked as cookies only for a while
    // after that (as Linux), so there is no cookie oracle otherwise.
    uint64_t last_cookie_ms = 0;
    bool sent_cookies = false;

    bool accept_queue_full() const { return manual_accept && accept_len >= backlog; }
};

class Listeners {
  public:
    Listeners(uint32_t max_listeners, ConnTable& conns);

    // False if the port already listens or the table is full. The backlog
    // is capped by `somaxconn` (0: somaxconn).
    bool add(uint16_t port, App& app, const ListenOptions& opts, uint32_t somaxconn,
             bool keepalive_default);
    // Every port stops taking SYNs (they get a RST as any closed port
    // does); entries, half-open counts and queues stay for their conns.
    void close_all();

    Listener* find(uint16_t port) const {
        const uint16_t i = port_to_listener_[port];
        return i == kNoListener ? nullptr : &table_[i];
    }
    Listener& at(uint16_t index) { return table_[index]; }
    const Listener& at(uint16_t index) const { return table_[index]; }
    uint32_t count() const { return n_; }
    uint32_t half_open_total() const;

    // A TCB of `l` enters SYN_RCVD / leaves it (established, reset, timed out).
    static void enter_syn_rcvd(Listener& l, Tcb& t) {
        t.listener = l.index;
        ++l.half_open;
    }
    void leave_syn_rcvd(const Tcb& t) {
        // The listener index stays: an accept queue may still need it.
        if (t.listener != kNoListener) --table_[t.listener].half_open;
    }

    // The accept queue, oldest first.
    void enqueue(Listener& l, Tcb& t);
    void unlink(Tcb& t);  // no-op unless t is queued
    Tcb* oldest(const Listener& l) {
        return l.accept_head == kNoIndex ? nullptr : &conns_.tcb(l.accept_head);
    }

    // The queues' links and lengths, and each listener's half-open count
    // against `half_open[i]` counted from the TCBs. Empty or the violation.
    std::string check(const uint32_t* half_open) const;

  private:
    ConnTable& conns_;
    uint32_t max_;
    std::unique_ptr<Listener[]> table_;
    uint32_t n_ = 0;
    std::unique_ptr<uint16_t[]> port_to_listener_;  // 65536 entries, kNoListener if none
};

}  // namespace tern::tcp
