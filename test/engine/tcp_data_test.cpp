// Data both ways through the echo app: every byte comes back once, in
// order, at exact sequence and ACK numbers, within the window the peer
// offers.
#include <catch2/catch.hpp>

#include "tcp_peer.h"

using namespace tern;
using namespace tern::test;
using tcp::State;

namespace {

std::string pattern(size_t n, char first) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = char(first + i % 23);
    return s;
}

}  // namespace

TEST_CASE("echo: bytes come back exactly, each segment acknowledged by the echo of it",
          "[engine][tcp]") {
    Rig r("tcp_echo", {"listen.port=7", "listen.app=echo"});
    Peer p(r, 40010, 7);
    p.connect();

    // The echo carries the ACK. Our window (tcp.rcv_wnd 65,535, unscaled)
    // is what the echo's send buffer (tcp.wmem 65,536) has left.
    p.echo(1, 1, "hello", 65531);
    // The peer acknowledges it: nothing to say (the window grew by 4 bytes,
    // less than an MSS: no window update).
    CHECK(p.exchange({p.segment(kAck, 6, 6)}).empty());

    // Three segments in one burst, none acknowledged yet: three echoes,
    // the ACK number and the window following each.
    const std::string a = pattern(1000, 'a'), b = pattern(1000, 'b'), c = pattern(1000, 'c');
    auto out = p.exchange({p.segment(kAck | kPsh, 6, 6, a), p.segment(kAck | kPsh, 1006, 6, b),
                           p.segment(kAck | kPsh, 2006, 6, c)});
    REQUIRE(out.size() == 3);
    CHECK(out[0] == p.expect(kAck | kPsh, 6, 1006, 64536, a));
    CHECK(out[1] == p.expect(kAck | kPsh, 1006, 2006, 63536, b));
    CHECK(out[2] == p.expect(kAck | kPsh, 2006, 3006, 62536, c));
    // All acknowledged at once: the send buffer is empty, the window is
    // 65,535 again, 3,000 more than offered: a window update.
    out = p.exchange({p.segment(kAck, 3006, 3006)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kAck, 3006, 3006, 65535));

    // A full-sized segment: the peer's MSS 1460 less TS.
    p.echo(3006, 3006, pattern(1448, 'A'), 64088);
    // 1,447 bytes more window: less than an MSS, no update.
    CHECK(p.exchange({p.segment(kAck, 4454, 4454)}).empty());

    const auto& t = r.tcp();
    CHECK(t.bytes_delivered.get() == 5 + 3000 + 1448);
    CHECK(t.retransmits.get() == 0);
    CHECK(t.out_of_window.get() == 0);
    CHECK(r.w().counters().chunks_in_use.get() == 0);  // every echoed byte acknowledged
    CHECK(r.stack().check_invariants() == "");
}

TEST_CASE("echo within the peer's window: what does not fit waits for its ACK", "[engine][tcp]") {
    Rig r("tcp_echo_wnd", {"listen.port=7", "listen.app=echo"});
    Peer p(r, 40011, 7);
    p.connect();
    // The peer reads slowly: 16 << 7 = 2,048 bytes of window.
    p.window = 16;
    const std::string a = pattern(1024, 'a'), b = pattern(1024, 'b'), c = pattern(1024, 'c');
    auto out = p.exchange({p.segment(kAck | kPsh, 1, 1, a), p.segment(kAck | kPsh, 1025, 1, b),
                           p.segment(kAck | kPsh, 2049, 1, c)});
    // Two echoes fill the window; the third is queued, and the ACK of `c`
    // goes alone.
    REQUIRE(out.size() == 3);
    CHECK(out[0] == p.expect(kAck | kPsh, 1, 1025, 64512, a));
    CHECK(out[1] == p.expect(kAck | kPsh, 1025, 2049, 63488, b));
    CHECK(out[2] == p.expect(kAck, 2049, 3073, 62464));
    CHECK(r.stack().check_invariants() == "");

    // The peer takes the first 2,048 bytes: the rest goes.
    out = p.exchange({p.segment(kAck, 3073, 2049)});
    REQUIRE(out.size() == 1);
    CHECK(out[0] == p.expect(kAck | kPsh, 2049, 3073, 64512, c));
    CHECK(p.exchange({p.segment(kAck, 3073, 3073)}).empty());
    CHECK(r.tcp().bytes_delivered.get() == 3072);
    CHECK(r.tcp().retransmits.get() == 0);
    CHECK(r.stack().state_of(p.tuple()) == State::Established);
    CHECK(r.stack().check_invariants() == "");
}
