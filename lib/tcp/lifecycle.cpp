#include "tcp/lifecycle.h"

#include "tcp/output.h"
#include "tcp/reassembly.h"
#include "tcp/send_buffer.h"
#include "tcp/timers.h"
#include "tcp/window.h"

namespace tern::tcp {

namespace {

// The end of a conn for its app, and its timer and place on the output
// list released. The app may not touch a conn after on_closed, and a
// send/close/abort from inside on_closed finds it Closed and does nothing,
// so neither comes back.
[[gnu::always_inline]] inline void tell_closed(Core& c, Tcb& t, CloseReason why) {
    const bool tell = t.app_visible;
    if (tell) c.ctr.conn_closed.inc();
    t.state = State::Closed;
    cancel_timer(c, t);
    c.dirty.unlink(t);
    if (tell && t.app) t.app->on_closed(t, why);
}

// What a closed TCB still holds besides its slot: its place in an accept
// queue and its chunks.
void release_holdings(Core& c, Tcb& t) {
    c.listeners.unlink(t);
    sendbuf::clear(t, c.chunks);
    ooo::clear(t, c.chunks);
}

}  // namespace

Tcb* new_tcb(Core& c, const Tuple& tu, FlowHash h) {
    Tcb* t = c.conns.alloc(tu, h.slot());
    if (!t) return nullptr;
    t->core = &c;
    t->rto_ms = c.cfg.rto_initial_ms;
    t->last_rx_ms = c.now_ms32();
    return t;
}

bool establish(Core& c, Tcb& t) {
    if (t.state == State::SynRcvd) c.listeners.leave_syn_rcvd(t);
    // A close() in SYN_RCVD queued the FIN: it goes out now (RFC 9293 3.10.4).
    t.state = t.fin_queued ? State::FinWait1 : State::Established;
    c.ctr.established.inc();
    // A cookie's ACK both creates the connection and establishes it: the
    // engine learns the first (it may have state to set up).
    if (c.verdict.effect != Effect::opened) c.effect(Effect::established);
    c.dirty.mark(t);  // timers: keepalive; output: anything queued
    if (t.passive) {
        c.guard.on_established();
        Listener& l = c.listeners.at(t.listener);
        if (l.manual_accept) {
            c.listeners.enqueue(l, t);  // the app takes it with Stack::accept()
            return true;
        }
    }
    t.app_visible = true;
    t.app->on_open(t);
    return app_still_open(c, t);
}

void close_conn(Core& c, Tcb& t, CloseReason why) {
    if (t.state == State::SynRcvd) c.listeners.leave_syn_rcvd(t);
    tell_closed(c, t, why);
    release_holdings(c, t);
    c.conns.free(t);
    c.effect(Effect::closed);
}

void enter_time_wait(Core& c, Tcb& t) {
    // The connection is done for the app; what is left (re-ACK a FIN, judge
    // a new SYN) fits in a 64-byte record, and the TCB goes back to the pool.
    TimeWait* tw = c.conns.to_time_wait(t);
    if (!tw) {
        close_conn(c, t, CloseReason::Normal);
        return;
    }
    tw->snd_nxt = t.snd_nxt;
    tw->rcv_nxt = t.rcv_nxt;
    tw->ts_ok = t.ts_ok;
    tw->ts_recent = t.ts_recent;
    tw->ts_offset = t.ts_offset;
    tw->rcv_wscale = t.rcv_wscale;
    tw->window = advertised_window(c, t);
    c.wheel.arm(tw->timer, c.now_ms + 2ull * c.cfg.msl_ms);
    c.ctr.tw_created.inc();
    tell_closed(c, t, CloseReason::Normal);
    // The flow slot now belongs to the record: the TCB goes back without
    // an erase.
    release_holdings(c, t);
    c.conns.release(t);
    c.effect(Effect::closed);
}

void abort_conn(Core& c, Tcb& t) {
    // RFC 9293 3.10.5 ABORT: RST in SYN_RCVD, ESTABLISHED, FIN_WAIT_1/2 and
    // CLOSE_WAIT; in SYN_SENT, CLOSING and LAST_ACK just delete the TCB.
    switch (t.state) {
        case State::SynRcvd:
        case State::Established:
        case State::FinWait1:
        case State::FinWait2:
        case State::CloseWait:
            send_rst(c, t);
            break;
        default:
            break;
    }
    c.ctr.conn_aborted.inc();
    close_conn(c, t, CloseReason::Aborted);
}

bool app_still_open(Core& c, Tcb& t) {
    if (t.state == State::Closed) return false;
    if (!t.abort_requested) return true;
    c.dirty.unlink(t);
    abort_conn(c, t);
    return false;
}

}  // namespace tern::tcp
