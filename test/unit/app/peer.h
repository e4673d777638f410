// A virtual TCP peer for the app tests: plays a client (198.18.0.2:40000
// unless told otherwise) against a real tcp::Stack whose listener on port
// 80 runs a built-in app. It sends in order and within the server's window,
// takes the server's bytes in order (asserting no gap), ACKs them when told
// to, and never sleeps: the clock only moves on demand. Several peers may
// share one Stack (each ignores the others' segments).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "../tcp/harness.h"
#include "app/apps.h"

namespace apptest {

using namespace tcptest;
using tern::app::BuiltinApp;

struct Peer {
    uint64_t now_ms = 1'000'000;
    Tunables cfg;
    std::unique_ptr<Stack> own;
    Stack& stack;
    Tuple tu = kTuple;
    Outbox out;
    uint32_t iss = 0;         // the server's ISN
    uint32_t snd = kCisn;     // our next sequence number
    uint32_t rcv = 0;         // next server byte we expect
    uint32_t acked = 0;       // the highest ACK we have sent
    uint16_t window = 65535;  // what we advertise
    uint32_t edge = 0;        // right edge of the server's receive window
    int shrinks = 0;          // times that edge moved left
    uint32_t server_ack = 0;  // the server's latest ACK field
    std::string received;     // the server's bytes, in order
    bool got_fin = false;
    bool got_rst = false;
    size_t segments = 0;  // server segments seen

    // A Stack of our own, listening on port 80 with `app`.
    explicit Peer(tern::tcp::App& app, Tunables c = small_config())
        : cfg(c), own(std::make_unique<Stack>(cfg, kKey, now_ms * 1000)), stack(*own) {
        REQUIRE(stack.listen(80, app));
    }
    // Another client of `shared`, from tuple `t`.
    Peer(Stack& shared, const Tuple& t) : cfg(shared.tunables()), stack(shared), tu(t) {}

    uint64_t now_us() const { return now_ms * 1000; }

    // SYN, SYN-ACK, ACK: ESTABLISHED, on_open done.
    void handshake() {
        send_raw({.flags = SYN, .seq = snd, .opt = mss_opt()});
        REQUIRE(out.size() == 1);
        REQUIRE(out[0].flags == (SYN | ACK));
        iss = out[0].seq.raw();
        rcv = iss + 1;
        acked = rcv;
        ++snd;
        edge = snd + out[0].window;
        server_ack = snd;
        send_raw({.flags = ACK, .seq = snd, .ack = rcv, .window = window});
        REQUIRE(out.empty());
        REQUIRE(state() == State::Established);
    }

    // One data segment at our SND.NXT; returns how many bytes the server
    // took (it trims what lies beyond its window and ACKs the rest), and
    // moves SND.NXT by that much: the rest is ours to send again. `ack`
    // false acknowledges nothing new (repeats our last ACK: an older one
    // could fall below the RFC 5961 5.2 acceptable range).
    size_t offer(std::string_view data, bool ack = true) {
        const uint32_t before = snd;
        send_raw({.flags = uint8_t(ACK | PSH),
                  .seq = snd,
                  .ack = ack ? rcv : acked,
                  .window = window,
                  .data = std::string(data)});
        if (SeqNum(server_ack) > SeqNum(before)) snd = server_ack;
        return snd - before;
    }
    // A segment the server must take whole.
    void send(std::string_view data, bool ack = true) { REQUIRE(offer(data, ack) == data.size()); }
    // data in segments of at most `mss` bytes, each taken whole, ACKing as we go.
    void send_all(std::string_view data, size_t mss = 1460) {
        for (size_t i = 0; i < data.size(); i += mss) send(data.substr(i, mss));
    }
    // ACKs everything received, repeatedly, until the server sends nothing
    // new (its send buffer has drained into our window).
    void drain() {
        for (int round = 0; round < 10000; ++round) {
            const size_t before = received.size();
            send_ack();
            if (received.size() == before) return;
        }
        FAIL("drain: the server kept sending");
    }
    void send_ack() { send_raw({.flags = ACK, .seq = snd, .ack = rcv, .window = window}); }
    void send_fin() {
        send_raw({.flags = FIN | ACK, .seq = snd, .ack = rcv, .window = window});
        ++snd;
    }

    State state() const { return stack.state_of(tu); }

    // Bytes the server's window still lets us send (no window scaling: our
    // SYN offers none).
    uint32_t window_left() const { return SeqNum(edge) > SeqNum(snd) ? edge - snd : 0; }

    // Sends a segment and takes in everything the server answers,
    // including output waiting for a fuller Outbox to drain.
    void send_raw(const Seg& s) {
        out.clear();
        if (s.flags & ACK) acked = s.ack;
        stack.on_segment(now_us(), tu, to_segment(s), out);
        absorb();
        for (int round = 0; stack.has_pending_output(); ++round) {
            REQUIRE(round < 1000);  // each flush must make progress
            out.clear();
            stack.flush(now_us(), out);
            absorb();
        }
    }

  private:
    void absorb() {
        for (const OutSegment& o : out) {
            if (!(o.tuple == tu)) continue;  // another peer's
            ++segments;
            if (o.flags & RST) {
                got_rst = true;
                continue;
            }
            if (o.flags & SYN) continue;  // the SYN-ACK: handshake() reads it
            // RFC 9293 3.8.6.2.2 says the right edge should never move
            // left; the Stack does not count the SYN-ACK's window as offered,
            // so the first window after it may be smaller. Counted, and the
            // peer then keeps to what the server accepts now.
            server_ack = o.ack.raw();
            const uint32_t e = o.ack.raw() + o.window;
            if (SeqNum(e) < SeqNum(edge)) ++shrinks;
            edge = e;
            const std::string p = payload_of(o);
            // In order, no gap, no retransmission: the clock never moves.
            REQUIRE(o.seq.raw() == rcv);
            received += p;
            rcv += uint32_t(p.size());
            if (o.flags & FIN) {
                REQUIRE_FALSE(got_fin);
                got_fin = true;
                ++rcv;
            }
        }
    }
};

// Byte-exact comparison that reports the first difference instead of
// printing megabytes.
inline void require_same(const std::string& got, const std::string& want) {
    size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
    INFO("got " << got.size() << " bytes, want " << want.size() << ", first difference at " << i);
    REQUIRE((i == got.size() && i == want.size()));
}

}  // namespace apptest
