// The application interface: what an app (lib/app's echo, discard and HTTP
// responder) sees of a connection.
//
// Callbacks run inline on the worker, inside a Stack call. From a callback
// an app may call send(), close() and abort() on this or any other
// connection: sends are queued and go out in the same Outbox when the Stack
// call returns; abort() takes effect as soon as the callback returns. A
// virtual call per event is fine here (one per delivery, not per packet
// field), and keeps apps apart from the Stack: they include this header,
// not tcp/stack.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcp/state.h"
#include "tcp/tuple.h"

namespace tern::tcp {

class Conn {
  public:
    // Queues up to len bytes for sending; returns how many were accepted
    // (limited by tcp.wmem and the per-core chunk pool). 0 once closed.
    size_t send(const uint8_t* data, size_t len);
    // Bytes send() would accept now.
    size_t send_space() const;
    // Orderly close: FIN after everything queued (RFC 9293 3.10.4).
    void close();
    // Abortive close: RST, queued data discarded (RFC 9293 3.10.5).
    void abort();

    State state() const;
    const Tuple& tuple() const;

    // The app's slot: set it in on_open (or at connect()).
    void* user = nullptr;

  protected:
    Conn() = default;
};

class App {
  public:
    virtual ~App() = default;
    // The handshake completed (passive or active open): the conn is usable.
    virtual void on_open(Conn& c) = 0;
    // In-order bytes, each delivered exactly once. The pointer is valid only
    // during the call.
    virtual void on_data(Conn& c, const uint8_t* data, size_t len) = 0;
    // The peer's FIN arrived: no more data will come (CLOSE_WAIT, or the
    // closing states if we closed first). The app still owns the conn.
    virtual void on_peer_closed(Conn&) {}
    // The conn is gone; the reference is invalid after this returns. Called
    // exactly once for every conn the app has seen (via on_open or
    // connect()).
    virtual void on_closed(Conn&, CloseReason) {}
    // How many more bytes the app can take on this conn. The Stack hands
    // data over as it arrives (it keeps no receive buffer), so this is what
    // the receive window offers: an app that turns bytes into replies (echo)
    // returns its send space, and a peer that stops reading then sees the
    // window close instead of the conn being reset.
    virtual size_t receive_space(const Conn&) const { return SIZE_MAX; }
};

}  // namespace tern::tcp
