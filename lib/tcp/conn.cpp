// What an app's calls on a Conn do (RFC 9293 3.10.2-3.10.5: SEND, CLOSE,
// ABORT). They only queue: the data, FIN or RST goes out when the Stack
// call in progress returns (or at the next flush()).
#include <algorithm>

#include "tcp/core.h"
#include "tcp/send_buffer.h"

namespace tern::tcp {

size_t Conn::send(const uint8_t* data, size_t len) {
    Tcb& t = static_cast<Tcb&>(*this);
    Core& c = *t.core;
    // SEND: only before our FIN (ESTABLISHED, CLOSE_WAIT).
    if (t.fin_queued || t.abort_requested) return 0;
    if (t.state != State::Established && t.state != State::CloseWait) return 0;
    const size_t n = sendbuf::append(t, c.chunks, data, len, c.cfg.wmem);
    if (n < len && t.sb_bytes < c.cfg.wmem) c.ctr.send_chunks_exhausted.inc();
    if (n) c.dirty.mark(t);
    return n;
}

size_t Conn::send_space() const {
    const Tcb& t = static_cast<const Tcb&>(*this);
    const Core& c = *t.core;
    if (t.fin_queued || (t.state != State::Established && t.state != State::CloseWait)) return 0;
    const uint32_t buffered = t.sb_bytes;
    if (buffered >= c.cfg.wmem) return 0;
    return std::min<size_t>(c.cfg.wmem - buffered, size_t(c.chunks.available()) * ChunkPool::kSize);
}

void Conn::close() {
    Tcb& t = static_cast<Tcb&>(*this);
    // CLOSE: the state changes now, the FIN goes out after the queued data.
    switch (t.state) {
        case State::Established:
            t.state = State::FinWait1;
            break;
        case State::CloseWait:
            t.state = State::LastAck;
            break;
        case State::SynRcvd:
            // RFC 9293 3.10.4: "queue for processing after entering
            // ESTABLISHED state": establish() goes to FIN_WAIT_1 instead.
            // (A connect()ed conn after a simultaneous open: passive ones
            // are not the app's before ESTABLISHED.)
            t.fin_queued = true;
            return;
        case State::SynSent:
            // Nothing to say to the peer yet: delete the TCB (at the next
            // safe point, as for abort, but without a RST: see abort_conn).
            t.abort_requested = true;
            t.core->dirty.mark(t);
            return;
        default:
            return;  // already closing, or closed
    }
    t.fin_queued = true;
    t.core->dirty.mark(t);
}

void Conn::abort() {
    Tcb& t = static_cast<Tcb&>(*this);
    if (t.state == State::Closed) return;
    t.abort_requested = true;
    t.core->dirty.mark(t);
}

State Conn::state() const { return static_cast<const Tcb&>(*this).state; }

const Tuple& Conn::tuple() const { return static_cast<const Tcb&>(*this).tuple; }

}  // namespace tern::tcp
