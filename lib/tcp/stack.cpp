// The Stack facade: construction, the receive path's entry points, the
// per-call context and the API calls that are not a protocol step.
#include "tcp/stack.h"

#include "tcp/input.h"
#include "tcp/lifecycle.h"
#include "tcp/output.h"
#include "tcp/timers.h"
#include "util/bytes.h"

namespace tern::tcp {

Stack::Stack(const Tunables& cfg, const util::SipKey& secret, uint64_t now_us)
    : core_(cfg, secret, now_us) {}

bool Stack::listen(uint16_t port, App& app, ListenOptions opts) {
    return core_.listeners.add(port, app, opts, core_.cfg.somaxconn, core_.cfg.keepalive);
}

bool Stack::parse(uint32_t local_addr, uint32_t remote_addr, const uint8_t* tcp, size_t len,
                  Inbound& in) {
    const ParseResult r = parse_segment(tcp, len, in.seg);
    if (r != ParseResult::Ok) {
        core_.ctr.count_parse_error(r);
        if (!parsed(r)) return false;  // a malformed option only cuts the options short
    }
    // The ports from the header bytes parse_segment() has just read (in
    // cache), the addresses as the caller loaded them from the IP header.
    in.tuple = Tuple{.local_addr = local_addr,
                     .remote_addr = remote_addr,
                     .local_port = util::load_be16(tcp + 2),
                     .remote_port = util::load_be16(tcp)};
    return true;
}

void Stack::hash_x4(uint64_t now_us, Inbound* const in[4]) const {
    const Tuple* t[4];
    FlowHash h[4];
    for (int k = 0; k < 4; ++k) t[k] = &in[k]->tuple;
    core_.hasher.x4(t, h);
    for (int k = 0; k < 4; ++k) {
        in[k]->hash = h[k];
        in[k]->looked_up = false;
        core_.conns.prefetch(h[k].slot());
    }
    core_.guard.prepare_x4(now_us / 1000, in);
}

Verdict Stack::on_segment(uint64_t now_us, const Inbound& in, Outbox& out) {
    begin_call(now_us, out);
    // What look_up() found still holds unless segments ahead of this one
    // changed the flow table.
    const uint32_t ref = in.looked_up && in.ref_gen == core_.conns.generation()
                             ? in.ref
                             : core_.conns.find(in.tuple, in.hash.slot());
    core_.mac_hint = &in.mac;
    dispatch(ref, in.tuple, in.hash, in.seg);
    core_.mac_hint = nullptr;
    end_call();
    return core_.verdict;
}

Verdict Stack::on_segment(uint64_t now_us, const Tuple& t, const Segment& seg, Outbox& out) {
    begin_call(now_us, out);
    const FlowHash h = core_.hasher(t);
    dispatch(core_.conns.find(t, h.slot()), t, h, seg);
    end_call();
    return core_.verdict;
}

void Stack::dispatch(uint32_t ref, const Tuple& tu, FlowHash h, const Segment& seg) {
    Core& c = core_;
    c.ctr.segments_in.inc();
    c.verdict = Verdict{};
    if (ref == 0) {
        input_no_conn(c, tu, h, seg);
    } else if (FlowTable::is_tw(ref)) {
        input_time_wait(c, c.conns.time_wait(FlowTable::index_of(ref)), h, seg);
    } else {
        Tcb& t = c.conns.tcb(FlowTable::index_of(ref));
        if (t.state == State::SynSent) {
            input_syn_sent(c, t, seg);
        } else {
            input_synchronized(c, t, seg);
        }
    }
}

size_t Stack::advance(uint64_t now_us, Outbox& out) {
    begin_call(now_us, out);
    // Stop once the Outbox cannot take what a timer may send (a
    // retransmission and a RST); the rest stay due for the next advance()
    // (no re-arming: a backlog of due timers costs nothing per call beyond
    // those that fire).
    const size_t fired = core_.wheel.advance(
        core_.now_ms, [this](util::TimerNode& n) { on_timer(core_, n); },
        [this] {
            if (core_.out->size() + 2 <= Outbox::kCapacity) return false;
            core_.ctr.timers_deferred.inc();
            return true;
        });
    core_.guard.tick(core_.now_ms, core_.ctr);
    end_call();
    return fired;
}

void Stack::flush(uint64_t now_us, Outbox& out) {
    if (core_.out != nullptr) return;  // from a callback: the current call flushes on return
    begin_call(now_us, out);
    end_call();
}

Conn* Stack::connect(uint64_t now_us, const Tuple& tu, App& app, Outbox& out, void* user) {
    // From inside an app callback (a proxy opening its backend connection)
    // the current call's context and Outbox are used.
    const bool nested = core_.out != nullptr;
    if (!nested) begin_call(now_us, out);
    Core& c = core_;
    const FlowHash h = c.hasher(tu);
    Tcb* t = c.conns.find(tu, h.slot()) ? nullptr : new_tcb(c, tu, h);
    if (t) {
        c.ctr.active_opens.inc();
        t->app = &app;
        t->user = user;
        t->app_visible = true;
        t->iss = c.isn.make(tu, c.now_us);
        t->ts_offset = h.ts_offset();
        t->snd_una = t->iss;
        t->snd_nxt = t->snd_max = t->iss + 1;
        t->state = State::SynSent;
        t->timer_base_ms = c.now_ms32();
        send_syn(c, *t);
        arm_timer(c, *t, TimerKind::Syn, c.now_ms + c.cfg.rto_initial_ms);
    }
    if (!nested) end_call();
    return t;
}

Conn* Stack::accept(uint64_t now_us, uint16_t port, Outbox& out) {
    Listener* l = core_.listeners.find(port);
    Tcb* t = l ? core_.listeners.oldest(*l) : nullptr;
    if (!t) return nullptr;
    const bool nested = core_.out != nullptr;
    if (!nested) begin_call(now_us, out);
    core_.listeners.unlink(*t);
    core_.ctr.accepted.inc();
    t->app_visible = true;
    core_.dirty.mark(*t);
    t->app->on_open(*t);
    // Bytes (and a FIN) that arrived while the conn waited were held
    // unacknowledged in the reassembly queue: deliver them now.
    const bool alive = app_still_open(core_, *t) && drain_reassembly(core_, *t);
    if (!nested) end_call();
    return alive ? t : nullptr;
}

void Stack::update_tunables(const Tunables& t) {
    Tunables n = t;
    keep_sizing(n, core_.cfg);
    core_.cfg = n;
}

State Stack::state_of(const Tuple& tu) const {
    const uint32_t ref = core_.conns.find(tu, core_.hasher(tu).slot());
    if (ref == 0) return State::Closed;
    if (FlowTable::is_tw(ref)) return State::TimeWait;
    return core_.conns.tcb(FlowTable::index_of(ref)).state;
}

Conn* Stack::find(const Tuple& tu) {
    const uint32_t ref = core_.conns.find(tu, core_.hasher(tu).slot());
    if (ref == 0 || FlowTable::is_tw(ref)) return nullptr;
    return &core_.conns.tcb(FlowTable::index_of(ref));
}

uint32_t Stack::half_open(uint16_t port) const {
    const Listener* l = core_.listeners.find(port);
    return l ? l->half_open : 0;
}

uint32_t Stack::accept_queue_length(uint16_t port) const {
    const Listener* l = core_.listeners.find(port);
    return l ? l->accept_len : 0;
}

void Stack::begin_call(uint64_t now_us, Outbox& out) {
    // Chunks freed during the previous call were still referenced by that
    // call's Outbox; the caller has transmitted it by now.
    core_.chunks.release_deferred();
    core_.now_us = now_us;
    core_.now_ms = now_us / 1000;
    core_.out = &out;
}

void Stack::send_dirty_conns() { send_dirty(core_); }

}  // namespace tern::tcp
