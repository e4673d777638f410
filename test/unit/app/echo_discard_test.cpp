// echo and discard end to end through a real tcp::Stack.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>

#include "app/stream.h"
#include "peer.h"

using namespace apptest;
using tern::app::DiscardApp;
using tern::app::EchoApp;

namespace {

std::string pattern(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (char& c : s) c = char(rng());
    return s;
}

}  // namespace

TEST_CASE("echo: each segment comes straight back", "[app][echo]") {
    EchoApp app;
    Peer p(app);
    p.handshake();
    p.send("hello");
    REQUIRE(p.out.size() == 1);
    expect(
        p.out[0],
        {.flags = ACK | PSH, .seq = p.iss + 1, .ack = kCisn + 6, .window = 65531, .data = "hello"});
    // The window is the send space: tcp.wmem less the 5 bytes in flight.
    CHECK(app.counters().bytes_echoed.get() == 5);
}

TEST_CASE("echo: 1 MB through the Stack, byte-exact, then FIN after the echo", "[app][echo]") {
    EchoApp app;
    Peer p(app);
    p.handshake();
    const std::string data = pattern(1 << 20, 1);
    // Segments of random size within the server's window; the peer ACKs our
    // echo only every few segments, so up to ~30 KB of echo is in flight.
    std::mt19937 rng(2);
    size_t i = 0;
    int n = 0;
    for (int guard = 0; i < data.size(); ++guard) {
        REQUIRE(guard < 100000);
        const size_t len =
            std::min({data.size() - i, size_t(1 + rng() % 1460), size_t(p.window_left())});
        if (len == 0) {
            p.drain();
            continue;
        }
        i += p.offer(std::string_view(data).substr(i, len), /*ack=*/++n % 20 == 0);
    }
    p.send_ack();
    require_same(p.received, data);
    CHECK(app.counters().bytes_echoed.get() == data.size());
    CHECK(app.counters().send_overruns.get() == 0);
    CHECK(p.stack.counters().bytes_delivered.get() == data.size());

    p.send_fin();
    CHECK(p.got_fin);
    CHECK(p.state() == State::LastAck);
    p.send_ack();
    CHECK(p.state() == State::Closed);
    CHECK(app.counters().conns_closed.get() == 1);
    CHECK(app.counters().peer_closes.get() == 1);
}

TEST_CASE("echo: the peer's FIN in the same segment as the last data", "[app][echo]") {
    EchoApp app;
    Peer p(app);
    p.handshake();
    p.send_raw({.flags = FIN | ACK | PSH, .seq = p.snd, .ack = p.rcv, .data = "bye"});
    REQUIRE(p.out.size() == 1);
    expect(p.out[0], {.flags = FIN | ACK | PSH,
                      .seq = p.iss + 1,
                      .ack = kCisn + 1 + 3 + 1,
                      .window = 65535,
                      .data = "bye"});
    CHECK(p.state() == State::LastAck);
}

TEST_CASE("echo: a peer that stops reading sees the window close, then all is echoed",
          "[app][echo]") {
    EchoApp app;
    Peer p(app);
    p.handshake();
    p.window = 0;  // not reading: every echo stays in our send buffer
    const std::string data = pattern(200 * 1000, 3);
    size_t sent = 0;
    for (int guard = 0; p.window_left() > 0; ++guard) {
        REQUIRE(guard < 1000);
        const size_t len = std::min<size_t>(1000, p.window_left());
        sent += p.offer(std::string_view(data).substr(sent, len), /*ack=*/false);
    }
    // The window closed exactly when the echo filled tcp.wmem: no reset,
    // nothing refused, nothing sent yet.
    CHECK(sent == p.cfg.wmem);
    CHECK_FALSE(p.got_rst);
    CHECK(p.state() == State::Established);
    CHECK(app.counters().bytes_echoed.get() == sent);
    CHECK(app.counters().send_overruns.get() == 0);
    CHECK(p.received.empty());
    // More data is not taken (a zero-window segment is trimmed and ACKed).
    CHECK(p.offer(std::string_view(data).substr(sent, 1000), false) == 0);

    // The peer reads again: the echo drains and the window reopens.
    p.window = 65535;
    p.drain();
    CHECK(p.received.size() == sent);
    CHECK(p.window_left() > 0);
    for (int guard = 0; sent < data.size(); ++guard) {
        REQUIRE(guard < 100000);
        const size_t len = std::min<size_t>({1460, data.size() - sent, p.window_left()});
        if (len == 0) {
            p.drain();
            continue;
        }
        sent += p.offer(std::string_view(data).substr(sent, len));
    }
    p.drain();
    require_same(p.received, data);
    CHECK(app.counters().send_overruns.get() == 0);
    CHECK_FALSE(p.got_rst);
}

TEST_CASE("echo: when the shared chunk pool runs dry inside an offered window, reset and count",
          "[app][echo]") {
    // Two conns share a pool of 8 chunks (16 KiB). A is offered a window
    // while chunks are free; B then takes them all; A's peer sends within
    // what it was offered (the Stack never shrinks a window), and its echo
    // has nowhere to go.
    Tunables c = small_config();
    c.send_chunks = 8;
    EchoApp app;
    Peer a(app, c);
    Peer b(a.stack, client_tuple(1));
    a.handshake();
    b.handshake();
    a.window = b.window = 0;  // neither reads
    const std::string data = pattern(8192, 5);
    for (size_t i = 0; i < data.size(); i += 1024)
        a.send(std::string_view(data).substr(i, 1024), false);
    CHECK(a.window_left() == 8192);  // the 4 chunks still free
    for (size_t i = 0; i < data.size(); i += 1024)
        b.send(std::string_view(data).substr(i, 1024), false);
    CHECK(a.stack.chunks_in_use() == 8);
    CHECK(b.window_left() == 0);
    CHECK(a.window_left() == 8192);  // offered, cannot be taken back
    a.offer(std::string_view(data).substr(0, 1000), false);
    CHECK(a.got_rst);
    CHECK(a.state() == State::Closed);
    CHECK(app.counters().send_overruns.get() == 1);
    CHECK(app.counters().bytes_echoed.get() == 2 * 8192);  // nothing half-echoed
    CHECK(b.state() == State::Established);
}

TEST_CASE("discard: reads everything, sends nothing, closes with the peer", "[app][discard]") {
    DiscardApp app;
    Peer p(app);
    p.handshake();
    const std::string data = pattern(200 * 1000, 4);
    p.send_all(data);
    CHECK(p.received.empty());
    CHECK(app.counters().bytes_discarded.get() == data.size());
    CHECK(p.stack.counters().bytes_delivered.get() == data.size());
    CHECK(p.state() == State::Established);
    p.send_fin();
    CHECK(p.got_fin);
    CHECK(p.received.empty());
    CHECK(p.state() == State::LastAck);
    p.send_ack();
    CHECK(p.state() == State::Closed);
    CHECK(app.counters().conns_closed.get() == 1);
}

// Regression: Tcb::rcv_adv must start at RCV.NXT. Left at 0, for a client
// ISN in the upper half of the sequence space it compared as "after"
// RCV.NXT, rcv_window() returned ~2^31, the Stack took every byte sent
// regardless of receive_space(), and echo had to reset.
TEST_CASE("echo: a client ISN in the upper half of sequence space is held back too",
          "[app][rcv_adv]") {
    for (const uint32_t isn : {1000u, 0x90000000u}) {
        INFO("client ISN " << isn);
        EchoApp app;
        Peer p(app);
        p.snd = isn;
        p.handshake();
        p.window = 0;  // not reading
        const std::string data(1460, 'x');
        for (int i = 0; i < 100 && !p.got_rst; ++i) {
            // Ignores the window on purpose: the Stack must trim.
            p.send_raw({.flags = ACK, .seq = p.snd, .ack = p.acked, .window = 0, .data = data});
            if (SeqNum(p.server_ack) > SeqNum(p.snd)) p.snd = p.server_ack;
        }
        CHECK_FALSE(p.got_rst);
        CHECK(app.counters().send_overruns.get() == 0);
        CHECK(app.counters().bytes_echoed.get() == p.cfg.wmem);
    }
}
