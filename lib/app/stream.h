// The two byte-stream apps: echo (RFC 862 over TCP) and discard (RFC 863).
// Neither keeps per-connection state: Conn::user is unused.
#pragma once

#include "app/apps.h"

namespace tern::app {

// Sends back every byte as it arrives; after the peer's FIN, closes once
// the echo is queued (the FIN follows the last echoed byte). The receive
// window follows the send space (receive_space), so the peer is held back;
// a chunk that still does not fit (the per-core chunk pool ran dry, or the
// window was offered before the buffer filled) aborts the connection,
// counted in send_overruns; nothing is echoed in part.
class EchoApp final : public BuiltinApp {
  public:
    const char* name() const override { return "echo"; }
    void on_open(tcp::Conn& c) override;
    void on_data(tcp::Conn& c, const uint8_t* data, size_t len) override;
    void on_peer_closed(tcp::Conn& c) override;
    void on_closed(tcp::Conn& c, tcp::CloseReason why) override;
    // Every byte taken becomes a byte to send: the receive window is the
    // send space, so a peer that stops reading sees the window close. After
    // the peer's FIN no byte can come: no limit (no zero window beside our FIN).
    size_t receive_space(const tcp::Conn& c) const override;
};

// Reads and drops; closes when the peer closes.
class DiscardApp final : public BuiltinApp {
  public:
    const char* name() const override { return "discard"; }
    void on_open(tcp::Conn& c) override;
    void on_data(tcp::Conn& c, const uint8_t* data, size_t len) override;
    void on_peer_closed(tcp::Conn& c) override;
    void on_closed(tcp::Conn& c, tcp::CloseReason why) override;
};

}  // namespace tern::app
