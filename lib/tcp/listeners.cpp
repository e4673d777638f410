#include "tcp/listeners.h"

#include <algorithm>
#include <string>

namespace tern::tcp {

Listeners::Listeners(uint32_t max_listeners, ConnTable& conns)
    : conns_(conns),
      max_(max_listeners),
      table_(new Listener[max_listeners]),
      port_to_listener_(new uint16_t[65536]) {
    std::fill_n(port_to_listener_.get(), 65536, kNoListener);
}

bool Listeners::add(uint16_t port, App& app, const ListenOptions& opts, uint32_t somaxconn,
                    bool keepalive_default) {
    if (port_to_listener_[port] != kNoListener || n_ >= max_) return false;
    Listener& l = table_[n_];
    l = Listener{};
    l.app = &app;
    l.port = port;
    l.index = uint16_t(n_);
    const uint32_t want = opts.backlog ? opts.backlog : somaxconn;
    l.backlog = std::min(want, somaxconn);
    l.keepalive = opts.keepalive || keepalive_default;
    l.manual_accept = opts.manual_accept;
    port_to_listener_[port] = uint16_t(n_++);
    return true;
}

void Listeners::close_all() {
    for (uint32_t i = 0; i < n_; ++i) port_to_listener_[table_[i].port] = kNoListener;
}

uint32_t Listeners::half_open_total() const {
    uint32_t n = 0;
    for (uint32_t i = 0; i < n_; ++i) n += table_[i].half_open;
    return n;
}

void Listeners::enqueue(Listener& l, Tcb& t) {
    t.queued = true;
    t.accept_next = kNoIndex;
    t.accept_prev = l.accept_tail;
    if (l.accept_tail == kNoIndex) {
        l.accept_head = t.index;
    } else {
        conns_.tcb(l.accept_tail).accept_next = t.index;
    }
    l.accept_tail = t.index;
    ++l.accept_len;
}

void Listeners::unlink(Tcb& t) {
    if (!t.queued) return;
    Listener& l = table_[t.listener];
    if (t.accept_prev == kNoIndex) {
        l.accept_head = t.accept_next;
    } else {
        conns_.tcb(t.accept_prev).accept_next = t.accept_next;
    }
    if (t.accept_next == kNoIndex) {
        l.accept_tail = t.accept_prev;
    } else {
        conns_.tcb(t.accept_next).accept_prev = t.accept_prev;
    }
    --l.accept_len;
    t.queued = false;
    t.accept_prev = t.accept_next = kNoIndex;
}

std::string Listeners::check(const uint32_t* half_open) const {
    for (uint32_t l = 0; l < n_; ++l) {
        uint32_t queued = 0;
        for (uint32_t i = table_[l].accept_head, prev = kNoIndex; i != kNoIndex;
             prev = i, i = conns_.tcb(i).accept_next) {
            if (++queued > conns_.max_tcbs()) return "accept queue broken";
            const Tcb& t = conns_.tcb(i);
            if (!t.queued || t.accept_prev != prev || t.listener != l)
                return "accept queue links (tcb " + std::to_string(i) + ")";
            if (t.app_visible)
                return "queued conn already visible to the app (tcb " + std::to_string(i) + ")";
        }
        if (queued != table_[l].accept_len)
            return "accept queue length of listener " + std::to_string(l);
        if (half_open[l] != table_[l].half_open)
            return "half-open count of listener " + std::to_string(l);
    }
    return {};
}

}  // namespace tern::tcp
