// Control requests, executed on the worker's own core between bursts.
#include "engine/worker.h"
#include "tcp/tcb.h"

namespace tern::engine {

void Worker::on_control(const ControlRequest& r, Snapshot& snap) {
    switch (r.op) {
        case ControlOp::snapshot: fill_snapshot(snap); break;
        case ControlOp::drain: drain(); break;
        case ControlOp::set_cookie_secrets:
            stack_->set_cookie_secrets(r.secrets, r.secrets_shared);
            break;
        case ControlOp::set_tunables: stack_->update_tunables(r.tunables); break;
    }
}

// SIGTERM: new SYNs get a RST from now on; established conns get a FIN after
// whatever they already queued (an in-flight response is sent first).
void Worker::drain() {
    stack_->stop_listening();
    stack_->for_each_conn_mut([](tcp::Conn& c) {
        if (c.state() == tcp::State::Established || c.state() == tcp::State::CloseWait) c.close();
    });
    out_.clear();
    stack_->flush(now_us_, out_);
    emit_all(nullptr);
}

void Worker::fill_snapshot(Snapshot& snap) const {
    snap.per_state.fill(0);
    snap.listed = 0;
    uint64_t now_ms = now_us_ / 1000;
    stack_->for_each_conn([&](const tcp::Conn& c) {
        const auto& t = static_cast<const tcp::Tcb&>(c);
        snap.per_state[size_t(t.state)]++;
        if (snap.listed == Snapshot::kMaxConns) return;
        ConnInfo& ci = snap.conns[snap.listed++];
        ci.tuple = t.tuple;
        ci.state = t.state;
        ci.timer = t.timer.armed() ? uint8_t(t.timer_kind) : 0;
        ci.timer_ms = t.timer.armed() && t.timer.expires_ms > now_ms
                          ? uint32_t(t.timer.expires_ms - now_ms)
                          : 0;
    });
    snap.time_wait = stack_->time_wait_records();
    snap.per_state[size_t(tcp::State::TimeWait)] += snap.time_wait;
    snap.live_tcbs = stack_->live_tcbs();
}

}  // namespace tern::engine
