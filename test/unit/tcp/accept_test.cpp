// The accept queue (issue 4 item 4): manual_accept listeners, the backlog
// limit min(backlog, net.somaxconn), tcp.abort_on_overflow 0 and 1.
#include "harness.h"

using namespace tcptest;

namespace {

constexpr uint16_t kPort = 8443;

Tuple tu(uint16_t client_port) { return Tuple{0xC6120001, 0xC6120002, kPort, client_port}; }

struct Q {
    H h;
    RecApp qapp;
    uint32_t iss[8] = {};

    explicit Q(Tunables c = small_config(), uint32_t backlog = 2) : h(c) {
        REQUIRE(
            h.stack.listen(kPort, qapp, ListenOptions{.backlog = backlog, .manual_accept = true}));
    }
    // Client i: SYN, learn ISS; returns the SYN-ACK count.
    void syn(int i) {
        h.send({.flags = SYN, .seq = kCisn, .opt = mss_opt()}, tu(uint16_t(5000 + i)));
        REQUIRE(h.out.size() == 1);
        iss[i] = h.out[0].seq.raw();
    }
    const Outbox& ack(int i, std::string data = {}) {
        return h.send({.flags = ACK, .seq = kCisn + 1, .ack = iss[i] + 1, .data = std::move(data)},
                      tu(uint16_t(5000 + i)));
    }
    State state(int i) { return h.stack.state_of(tu(uint16_t(5000 + i))); }
};

}  // namespace

TEST_CASE("manual accept: established conns wait in the queue until accept()", "[tcp][accept]") {
    Q q;
    q.syn(0);
    q.ack(0);
    CHECK(q.state(0) == State::Established);
    CHECK(q.qapp.events.empty());
    CHECK(q.h.stack.accept_queue_length(kPort) == 1);
    CHECK(q.h.stack.half_open(kPort) == 0);
    Outbox out;
    Conn* c = q.h.stack.accept(q.h.now_us(), kPort, out);
    REQUIRE(c != nullptr);
    CHECK(c->tuple() == tu(5000));
    CHECK(q.qapp.events == std::vector<std::string>{"open"});
    CHECK(q.h.stack.accept_queue_length(kPort) == 0);
    CHECK(q.h.stack.accept(q.h.now_us(), kPort, out) == nullptr);
    CHECK(q.h.stack.counters().accepted.get() == 1);
}

TEST_CASE("data sent before accept() is held unacknowledged, then delivered", "[tcp][accept]") {
    Q q;
    q.syn(0);
    q.ack(0, "GET /");
    REQUIRE(q.h.out.size() == 1);  // a duplicate ACK: the bytes are not acknowledged yet
    expect(q.h.out[0], {.flags = ACK, .seq = q.iss[0] + 1, .ack = kCisn + 1, .window = 65535},
           tu(5000));
    CHECK(q.qapp.received.empty());
    Outbox out;
    REQUIRE(q.h.stack.accept(q.h.now_us(), kPort, out) != nullptr);
    CHECK(q.qapp.events == std::vector<std::string>{"open", "data:GET /"});
    REQUIRE(out.size() == 1);
    expect(out[0], {.flags = ACK, .seq = q.iss[0] + 1, .ack = kCisn + 6, .window = 65535},
           tu(5000));
}

TEST_CASE("accept queue full, tcp.abort_on_overflow = 0: the final ACK is dropped",
          "[tcp][accept]") {
    Q q;  // backlog 2
    for (int i = 0; i < 3; ++i) q.syn(i);
    q.ack(0);
    q.ack(1);
    const uint64_t t0 = q.h.now_ms;
    CHECK(q.ack(2).empty());
    CHECK(q.state(2) == State::SynRcvd);  // the half-open entry stays
    CHECK(q.h.stack.counters().accept_queue_overflow.get() == 1);
    CHECK(q.h.stack.accept_queue_length(kPort) == 2);
    // Its SYN-ACK backoff goes on, measured from the first SYN-ACK.
    q.h.advance_to(t0 + 1000);
    REQUIRE(q.h.out.size() == 1);
    expect(
        q.h.out[0],
        {.flags = SYN | ACK, .seq = q.iss[2], .ack = kCisn + 1, .window = 65535, .opt = mss_opt()},
        tu(5002));
    // The app takes one; the client's next ACK gets in.
    Outbox out;
    REQUIRE(q.h.stack.accept(q.h.now_us(), kPort, out) != nullptr);
    q.ack(2);
    CHECK(q.state(2) == State::Established);
    CHECK(q.h.stack.accept_queue_length(kPort) == 2);
}

TEST_CASE("accept queue full, tcp.abort_on_overflow = 1: the client is reset", "[tcp][accept]") {
    Tunables c = small_config();
    c.abort_on_overflow = true;
    Q q(c, 1);
    q.syn(0);
    q.syn(1);
    q.ack(0);
    const Outbox& o = q.ack(1);
    REQUIRE(o.size() == 1);
    expect(o[0], {.flags = RST, .seq = q.iss[1] + 1}, tu(5001));
    CHECK(q.state(1) == State::Closed);
    CHECK(q.h.stack.half_open(kPort) == 0);
}

TEST_CASE("the backlog is capped by net.somaxconn", "[tcp][accept]") {
    Tunables c = small_config();
    c.somaxconn = 1;
    Q q(c, 100);
    q.syn(0);
    q.syn(1);
    q.ack(0);
    CHECK(q.ack(1).empty());
    CHECK(q.h.stack.accept_queue_length(kPort) == 1);
}

TEST_CASE("a queued conn reset by the peer leaves the queue", "[tcp][accept]") {
    Q q;
    q.syn(0);
    q.syn(1);
    q.ack(0);
    q.ack(1);
    q.h.send({.flags = RST, .seq = kCisn + 1}, tu(5000));
    CHECK(q.state(0) == State::Closed);
    CHECK(q.h.stack.accept_queue_length(kPort) == 1);
    CHECK(q.qapp.events.empty());  // never seen, never told
    Outbox out;
    Conn* c = q.h.stack.accept(q.h.now_us(), kPort, out);
    REQUIRE(c != nullptr);
    CHECK(c->tuple() == tu(5001));
    CHECK(q.h.stack.check_invariants().empty());
}
