#include "app/stream.h"

#include <cstdint>

namespace tern::app {

void EchoApp::on_open(tcp::Conn& c) {
    ctr_.conns_opened.inc();
    c.user = nullptr;
}

void EchoApp::on_data(tcp::Conn& c, const uint8_t* data, size_t len) {
    ctr_.bytes_in.inc(len);
    // All or nothing: if the send buffer takes only part, abort() discards
    // that part with the rest of the queue (RFC 9293 3.10.5), so the peer
    // never sees half an echo. send() is asked directly rather than
    // send_space(), which does not count the free room in the last chunk.
    const size_t n = c.send(data, len);
    if (n < len) {
        ctr_.send_overruns.inc();
        c.abort();
        return;
    }
    ctr_.bytes_echoed.inc(n);
    ctr_.bytes_out.inc(n);
}

size_t EchoApp::receive_space(const tcp::Conn& c) const {
    return c.state() == tcp::State::Established ? c.send_space() : SIZE_MAX;
}

void EchoApp::on_peer_closed(tcp::Conn& c) {
    ctr_.peer_closes.inc();
    c.close();
}

void EchoApp::on_closed(tcp::Conn&, tcp::CloseReason) { ctr_.conns_closed.inc(); }

void DiscardApp::on_open(tcp::Conn& c) {
    ctr_.conns_opened.inc();
    c.user = nullptr;
}

void DiscardApp::on_data(tcp::Conn&, const uint8_t*, size_t len) {
    ctr_.bytes_in.inc(len);
    ctr_.bytes_discarded.inc(len);
}

void DiscardApp::on_peer_closed(tcp::Conn& c) {
    ctr_.peer_closes.inc();
    c.close();
}

void DiscardApp::on_closed(tcp::Conn&, tcp::CloseReason) { ctr_.conns_closed.inc(); }

}  // namespace tern::app
