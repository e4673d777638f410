// The HTTP responder end to end: a virtual client against a real tcp::Stack.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "app/http.h"
#include "peer.h"

using namespace apptest;
using tern::app::AppOptions;
using tern::app::HttpApp;
using tern::app::make_app;

namespace {

const std::string kReq = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
const std::string kReqClose = "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n";

const std::string kOkKeep =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
    "Connection: keep-alive\r\n\r\nhello from tern\n";
const std::string kOkClose =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
    "Connection: close\r\n\r\nhello from tern\n";
const std::string kBad =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
    "Connection: close\r\n\r\nbad request\n";
const std::string kNotImpl =
    "HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
    "Connection: close\r\n\r\nnot implemented\n";

struct HttpPeer {
    HttpApp app{"hello from tern\n"};
    Peer p{app};
    HttpPeer() { p.handshake(); }
    const tern::app::AppCounters& ctr() const { return app.counters(); }
};

}  // namespace

TEST_CASE("http: GET keep-alive is answered in one segment, conn stays open", "[app][http]") {
    HttpPeer h;
    h.p.send(kReq);
    REQUIRE(h.p.out.size() == 1);
    // The answer carries the ACK of the request (piggybacked).
    // The window: what cannot complete more requests than answers fit in
    // the send buffer (65536 - 105 bytes left, 113-byte longest answer):
    // 579 answers, (579 - 1) * 16 + 1 bytes.
    expect(h.p.out[0], {.flags = ACK | PSH,
                        .seq = h.p.iss + 1,
                        .ack = kCisn + 1 + uint32_t(kReq.size()),
                        .window = 9249,
                        .data = kOkKeep});
    CHECK(h.p.state() == State::Established);
    CHECK(h.ctr().requests.get() == 1);
    CHECK(h.ctr().responses_200.get() == 1);
    CHECK(h.ctr().bytes_in.get() == kReq.size());
    CHECK(h.ctr().bytes_out.get() == kOkKeep.size());
}

TEST_CASE("http: Connection: close gets the answer then FIN", "[app][http]") {
    HttpPeer h;
    h.p.send(kReqClose);
    REQUIRE(h.p.out.size() == 1);
    // The FIN rides on the answer's segment: nothing was queued after it.
    expect(h.p.out[0], {.flags = FIN | ACK | PSH,
                        .seq = h.p.iss + 1,
                        .ack = kCisn + 1 + uint32_t(kReqClose.size()),
                        .window = 65535,
                        .data = kOkClose});
    CHECK(h.p.state() == State::FinWait1);
    CHECK(h.ctr().keepalive_closes.get() == 1);
    h.p.send_ack();
    CHECK(h.p.state() == State::FinWait2);
    h.p.send_fin();
    CHECK(h.p.state() == State::TimeWait);
    CHECK(h.ctr().conns_closed.get() == 1);
    CHECK(h.ctr().incomplete_at_peer_close.get() == 0);
}

TEST_CASE("http: Connection: Close in any case, HTTP/1.0, HEAD", "[app][http]") {
    SECTION("Close") {
        HttpPeer h;
        h.p.send("GET / HTTP/1.1\r\nCONNECTION: Close\r\n\r\n");
        CHECK(h.p.received == kOkClose);
        CHECK(h.p.got_fin);
    }
    SECTION("HTTP/1.0 closes") {
        HttpPeer h;
        h.p.send("GET / HTTP/1.0\r\n\r\n");
        CHECK(h.p.received == kOkClose);
        CHECK(h.p.got_fin);
    }
    SECTION("HTTP/1.0 with keep-alive stays") {
        HttpPeer h;
        h.p.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        CHECK(h.p.received == kOkKeep);
        CHECK_FALSE(h.p.got_fin);
        CHECK(h.p.state() == State::Established);
    }
    SECTION("HEAD: the headers only, Content-Length of the body") {
        HttpPeer h;
        h.p.send("HEAD / HTTP/1.1\r\n\r\n");
        CHECK(h.p.received == kOkKeep.substr(0, kOkKeep.size() - 16));
        CHECK(h.ctr().requests_head.get() == 1);
        h.p.send("HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n");
        CHECK(h.p.received ==
              kOkKeep.substr(0, kOkKeep.size() - 16) + kOkClose.substr(0, kOkClose.size() - 16));
        CHECK(h.p.got_fin);
    }
}

TEST_CASE("http: keep-alive serves 3 requests on one conn", "[app][http]") {
    HttpPeer h;
    for (int i = 1; i <= 3; ++i) {
        h.p.send(kReq);
        CHECK(h.p.received.size() == i * kOkKeep.size());
        CHECK(h.p.state() == State::Established);
    }
    CHECK(h.p.received == kOkKeep + kOkKeep + kOkKeep);
    CHECK(h.ctr().conns_opened.get() == 1);
    CHECK(h.ctr().requests.get() == 3);
    CHECK(h.ctr().responses_200.get() == 3);
    // The client closes: we close too, nothing pending.
    h.p.send_fin();
    CHECK(h.p.got_fin);
    CHECK(h.p.state() == State::LastAck);
    h.p.send_ack();
    CHECK(h.p.state() == State::Closed);
    CHECK(h.ctr().conns_closed.get() == 1);
}

TEST_CASE("http: pipelined requests in one segment, answered in order", "[app][http]") {
    HttpPeer h;
    h.p.send(kReq + "HEAD / HTTP/1.1\r\n\r\n" + kReqClose + kReq);
    // The last GET follows a close: not answered (RFC 9112 9.6).
    CHECK(h.p.received == kOkKeep + kOkKeep.substr(0, kOkKeep.size() - 16) + kOkClose);
    CHECK(h.p.got_fin);
    CHECK(h.ctr().requests.get() == 3);
}

TEST_CASE("http: a request split across segments at every byte", "[app][http]") {
    for (size_t cut = 1; cut < kReq.size(); ++cut) {
        HttpPeer h;
        h.p.send(kReq.substr(0, cut));
        CHECK(h.p.received.empty());
        h.p.send(kReq.substr(cut));
        CHECK(h.p.received == kOkKeep);
    }
    HttpPeer h;  // and one byte per segment, twice
    for (int i = 0; i < 2; ++i) {
        for (char c : kReq) h.p.send(std::string(1, c));
    }
    CHECK(h.p.received == kOkKeep + kOkKeep);
}

TEST_CASE("http: garbage gets 400 and FIN; the rest is ignored", "[app][http]") {
    HttpPeer h;
    h.p.send(std::string("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11));
    CHECK(h.p.received == kBad);
    CHECK(h.p.got_fin);
    CHECK(h.ctr().responses_400.get() == 1);
    CHECK(h.ctr().http_errors[int(tern::app::HttpRequestScanner::Error::BadMethod)].get() == 1);
    // The peer keeps talking in FIN_WAIT: nothing more is answered.
    h.p.send(kReq);
    CHECK(h.p.received == kBad);
    CHECK(h.ctr().responses_200.get() == 0);
}

TEST_CASE("http: oversized header section gets 400", "[app][http]") {
    HttpPeer h;
    std::string req = "GET / HTTP/1.1\r\nX-Big: " + std::string(9000, 'x') + "\r\n\r\n";
    h.p.send_all(req);
    CHECK(h.p.received == kBad);
    CHECK(h.p.got_fin);
    CHECK(h.ctr().http_errors[int(tern::app::HttpRequestScanner::Error::TooLarge)].get() == 1);
}

TEST_CASE("http: POST gets 501 and FIN", "[app][http]") {
    HttpPeer h;
    h.p.send("POST /form HTTP/1.1\r\nContent-Length: 3\r\n\r\na=1");
    CHECK(h.p.received == kNotImpl);
    CHECK(h.p.got_fin);
    CHECK(h.ctr().responses_501.get() == 1);
}

TEST_CASE("http: a request body gets 400", "[app][http]") {
    HttpPeer h;
    h.p.send("GET / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody");
    CHECK(h.p.received == kBad);
    CHECK(h.p.got_fin);
}

TEST_CASE("http: peer closes mid-request: we close, counted", "[app][http]") {
    HttpPeer h;
    h.p.send("GET / HT");
    h.p.send_fin();
    CHECK(h.p.received.empty());
    CHECK(h.p.got_fin);
    CHECK(h.p.state() == State::LastAck);
    CHECK(h.ctr().incomplete_at_peer_close.get() == 1);
}

TEST_CASE("http: a configured body", "[app][http]") {
    AppOptions o;
    o.http_body = "{\"ok\":true}";
    const auto app = make_app("http", o);
    Peer p(*app);
    p.handshake();
    p.send(kReqClose);
    CHECK(p.received ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
          "Connection: close\r\n\r\n{\"ok\":true}");
}

TEST_CASE("http: a peer that pipelines without reading sees the window close", "[app][http]") {
    for (const uint32_t wmem : {1024u, 65536u}) {
        INFO("tcp.wmem " << wmem);
        Tunables c = small_config();
        c.wmem = wmem;
        HttpApp app("hello from tern\n");
        Peer p(app, c);
        p.handshake();
        constexpr size_t kN = 2000;
        std::string stream;
        for (size_t i = 0; i < kN; ++i) stream += kReq;

        // Not reading: the answers pile up until one more would not fit.
        p.window = 0;
        size_t sent = 0;
        for (int guard = 0; p.window_left() > 0 && sent < stream.size(); ++guard) {
            REQUIRE(guard < 100000);
            const size_t len = std::min<size_t>({1460, p.window_left(), stream.size() - sent});
            sent += p.offer(std::string_view(stream).substr(sent, len), /*ack=*/false);
        }
        const uint64_t queued = app.counters().responses_200.get();
        CHECK(sent < stream.size());
        CHECK_FALSE(p.got_rst);
        CHECK(app.counters().send_overruns.get() == 0);
        CHECK(queued == sent / kReq.size());
        CHECK(queued * kOkKeep.size() <= wmem);
        CHECK(queued * kOkKeep.size() + kNotImpl.size() > wmem);  // the window closed only then
        CHECK(p.received.empty());

        // Reading again: everything is answered, in order, nothing reset.
        p.window = 65535;
        for (int guard = 0; sent < stream.size(); ++guard) {
            REQUIRE(guard < 100000);
            const size_t len = std::min<size_t>({1460, p.window_left(), stream.size() - sent});
            if (len == 0) {
                p.drain();
                continue;
            }
            sent += p.offer(std::string_view(stream).substr(sent, len));
        }
        p.drain();
        CHECK(app.counters().responses_200.get() == kN);
        std::string want;
        for (size_t i = 0; i < kN; ++i) want += kOkKeep;
        require_same(p.received, want);
        CHECK_FALSE(p.got_rst);
        CHECK(app.counters().send_overruns.get() == 0);
    }
}

TEST_CASE("http: the window never admits more minimal requests than answers fit", "[app][http]") {
    // "GET * HTTP/1.1\n\n" is the shortest request (kMinRequestBytes): a
    // non-reading peer sending only those still cannot overrun.
    const std::string tiny = "GET * HTTP/1.1\n\n";
    REQUIRE(tiny.size() == tern::app::HttpRequestScanner::kMinRequestBytes);
    Tunables c = small_config();
    c.wmem = 4096;
    HttpApp app("hello from tern\n");
    Peer p(app, c);
    p.handshake();
    p.window = 0;
    std::string stream;
    for (int i = 0; i < 1000; ++i) stream += tiny;
    size_t sent = 0;
    for (int guard = 0; p.window_left() > 0 && sent < stream.size(); ++guard) {
        REQUIRE(guard < 100000);
        const size_t len = std::min<size_t>({1460, p.window_left(), stream.size() - sent});
        sent += p.offer(std::string_view(stream).substr(sent, len), /*ack=*/false);
    }
    CHECK_FALSE(p.got_rst);
    CHECK(app.counters().send_overruns.get() == 0);
    CHECK(app.counters().responses_200.get() == sent / tiny.size());
    // Closed once one more answer of the longest kind (113 bytes) would not fit.
    const uint64_t n = app.counters().responses_200.get();
    CHECK(n * kOkKeep.size() <= 4096);
    CHECK(n * kOkKeep.size() + kNotImpl.size() > 4096);
}

TEST_CASE("http: many connections share one app, state in Conn::user only", "[app][http]") {
    HttpApp app("x");
    Tunables c = small_config();
    Stack stack(c, kKey, 1'000'000'000);
    REQUIRE(stack.listen(80, app));
    Outbox out;
    constexpr uint32_t kConns = 40;
    std::vector<uint32_t> iss(kConns);
    const auto seg = [&](uint32_t i, uint8_t flags, uint32_t seq, uint32_t ack,
                         const std::string& data) {
        out.clear();
        const Seg s{.flags = flags, .seq = seq, .ack = ack, .data = data};
        stack.on_segment(1'000'000'000, client_tuple(i), to_segment(s), out);
    };
    for (uint32_t i = 0; i < kConns; ++i) {
        seg(i, SYN, kCisn, 0, "");
        REQUIRE(out.size() == 1);
        iss[i] = out[0].seq.raw();
        seg(i, ACK, kCisn + 1, iss[i] + 1, "");
    }
    // Every conn gets a request in two halves, interleaved across conns.
    const std::string a = "GET / HTTP/1.1\r\nHo", b = "st: h\r\n\r\n";
    for (uint32_t i = 0; i < kConns; ++i) seg(i, ACK, kCisn + 1, iss[i] + 1, a);
    for (uint32_t i = 0; i < kConns; ++i) {
        seg(i, ACK, kCisn + 1 + uint32_t(a.size()), iss[i] + 1, b);
        REQUIRE(out.size() == 1);
        CHECK(payload_of(out[0]) == app.answer(HttpApp::Answer::OkKeepAlive));
    }
    CHECK(app.counters().responses_200.get() == kConns);
}
