// HttpRequestScanner on its own: every request is fed whole, byte by byte
// (packing the state to 64 bits and back between bytes, as Conn::user
// does), split in two at every position, and in random pieces; all four
// must give the same events.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "app/http_scanner.h"

using tern::app::HttpRequestScanner;
using Event = HttpRequestScanner::Event;
using Error = HttpRequestScanner::Error;

namespace {

std::string describe(const HttpRequestScanner::Result& r) {
    switch (r.event) {
        case Event::None:
            return "none";
        case Event::Get:
            return r.keep_alive ? "GET keep" : "GET close";
        case Event::Head:
            return r.keep_alive ? "HEAD keep" : "HEAD close";
        case Event::BadRequest:
            return std::string("400 ") + HttpRequestScanner::error_name(r.error);
        case Event::NotImplemented:
            return "501";
    }
    return "?";
}

// Feeds `pieces` (consecutive parts of one stream) to a scanner that lives
// in a uint64_t between calls; returns the events in order.
std::vector<std::string> scan_pieces(const std::vector<std::string_view>& pieces) {
    std::vector<std::string> ev;
    uint64_t state = 0;
    for (std::string_view p : pieces) {
        const auto* d = reinterpret_cast<const uint8_t*>(p.data());
        size_t n = p.size();
        do {
            HttpRequestScanner s = HttpRequestScanner::from_bits(state);
            const HttpRequestScanner::Result r = s.feed(d, n);
            REQUIRE(r.used <= n);
            // Progress: a call consumes something unless there is nothing.
            REQUIRE((r.used > 0 || n == 0));
            REQUIRE((r.event != Event::None || r.used == n));
            d += r.used;
            n -= r.used;
            state = s.bits();
            REQUIRE(state >> 38 == 0);  // the layout's spare bits stay zero
            REQUIRE(HttpRequestScanner::from_bits(state).bits() == state);
            if (r.event != Event::None) ev.push_back(describe(r));
        } while (n > 0);
    }
    return ev;
}

std::vector<std::string> scan_whole(std::string_view s) { return scan_pieces({s}); }

std::vector<std::string> scan_bytes(std::string_view s) {
    std::vector<std::string_view> p;
    for (size_t i = 0; i < s.size(); ++i) p.push_back(s.substr(i, 1));
    return scan_pieces(p);
}

// Every feeding gives `want`.
void check(std::string_view req, const std::vector<std::string>& want) {
    INFO("request: " << std::string(req));
    CHECK(scan_whole(req) == want);
    CHECK(scan_bytes(req) == want);
    for (size_t cut = 0; cut <= req.size(); ++cut) {
        INFO("split at " << cut);
        REQUIRE(scan_pieces({req.substr(0, cut), req.substr(cut)}) == want);
    }
    std::mt19937 rng(uint32_t(req.size()));
    for (int round = 0; round < 20; ++round) {
        std::vector<std::string_view> p;
        for (size_t i = 0; i < req.size();) {
            const size_t n = std::min(req.size() - i, size_t(rng() % 23));
            p.push_back(req.substr(i, n));  // empty pieces included
            i += n;
        }
        REQUIRE(scan_pieces(p) == want);
    }
}

const std::string kGet = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";

}  // namespace

TEST_CASE("scanner: GET and HEAD, HTTP/1.1 keeps the connection", "[app][http][scanner]") {
    check(kGet, {"GET keep"});
    check("HEAD /index.html HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n", {"HEAD keep"});
    check("GET / HTTP/1.1\r\n\r\n", {"GET keep"});  // no fields at all
    check("GET /a/b?x=1&y=%20#f HTTP/1.1\r\n\r\n", {"GET keep"});
    check("GET http://example.com/x HTTP/1.1\r\n\r\n", {"GET keep"});  // absolute form
    check("GET * HTTP/1.1\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.9\r\n\r\n", {"GET keep"});  // a later minor is served as 1.1
}

TEST_CASE("scanner: where the event ends (used)", "[app][http][scanner]") {
    const std::string two = kGet + "HEAD / HTTP/1.1\r\n\r\nGET";
    HttpRequestScanner s;
    const auto* d = reinterpret_cast<const uint8_t*>(two.data());
    auto r = s.feed(d, two.size());
    CHECK(r.event == Event::Get);
    CHECK(r.used == kGet.size());
    r = s.feed(d + kGet.size(), two.size() - kGet.size());
    CHECK(r.event == Event::Head);
    CHECK(r.used == 19);
    r = s.feed(d + kGet.size() + 19, 3);
    CHECK(r.event == Event::None);
    CHECK(r.used == 3);
    CHECK(s.mid_request());
    CHECK_FALSE(s.finished());
}

TEST_CASE("scanner: Connection close and keep-alive, any case", "[app][http][scanner]") {
    check("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nCONNECTION: CLOSE\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nconnection: cLoSe\r\n\r\n", {"GET close"});
    check("HEAD / HTTP/1.1\r\nconnection:close\r\n\r\n", {"HEAD close"});
    check("GET / HTTP/1.1\r\nConnection:   close   \r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nConnection: \tclose\t\r\n\r\n", {"GET close"});
    // A list: any member "close" closes (RFC 9112 9.6).
    check("GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nConnection: keep-alive , close\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nConnection: ,,close,\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", {"GET close"});
    // Not "close": words that merely contain or start with it.
    check("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nConnection: clos\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nConnection: close x\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nConnection: Upgrade\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nConnection:\r\n\r\n", {"GET keep"});
    // Other fields whose name or value looks alike do not count.
    check("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nConnectionX: close\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nConnectio: close\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nX: close\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nUser-Agent: Connection: close\r\n\r\n", {"GET keep"});
}

TEST_CASE("scanner: HTTP/1.0 closes unless keep-alive", "[app][http][scanner]") {
    check("GET / HTTP/1.0\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.0\r\nHost: a\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", {"GET keep"});
    check("HEAD / HTTP/1.0\r\nconnection: KEEP-ALIVE\r\n\r\n", {"HEAD keep"});
    check("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.0\r\nConnection: keep-alives\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.0\r\nKeep-Alive: timeout=5\r\n\r\n", {"GET close"});
}

TEST_CASE("scanner: pipelined requests, in order; nothing after a close", "[app][http][scanner]") {
    check(kGet + kGet + kGet, {"GET keep", "GET keep", "GET keep"});
    check(kGet + "HEAD / HTTP/1.1\r\n\r\n" + kGet, {"GET keep", "HEAD keep", "GET keep"});
    // RFC 9112 9.6: requests after one that closes are not processed.
    check(kGet + "GET / HTTP/1.1\r\nConnection: close\r\n\r\n" + kGet, {"GET keep", "GET close"});
    check("GET / HTTP/1.0\r\n\r\n" + kGet, {"GET close"});
    // ... nor after an error (not even a second error).
    check(kGet + "BAD\x01 / HTTP/1.1\r\n\r\n" + kGet, {"GET keep", "400 bad_method"});
    check(kGet + "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", {"GET keep", "GET keep"});
    // A request that has not ended yet is not reported.
    check(kGet + "GET / HTTP/1.1\r\n", {"GET keep"});
}

TEST_CASE("scanner: whitespace, line endings, empty lines", "[app][http][scanner]") {
    check("GET   /   HTTP/1.1\r\n\r\n", {"GET keep"});
    check("GET\t/\tHTTP/1.1\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1   \r\n\r\n", {"GET keep"});  // trailing whitespace
    check("GET / HTTP/1.1\n\n", {"GET keep"});         // bare LF (RFC 9112 2.2)
    check("GET / HTTP/1.1\nHost: a\nConnection: close\n\n", {"GET close"});
    check("GET / HTTP/1.1\r\nHost: a\n\r\n", {"GET keep"});
    check("\r\n\r\nGET / HTTP/1.1\r\n\r\n", {"GET keep"});  // empty lines first (2.2)
    check("\n" + kGet + "\r\n" + kGet, {"GET keep", "GET keep"});
    check("GET / HTTP/1.1\r\nHost:a\r\nX:\r\nY:  \r\n\r\n", {"GET keep"});  // empty values
    check("GET / HTTP/1.1\r\nX-Utf8: caf\xc3\xa9\r\n\r\n", {"GET keep"});   // obs-text
}

TEST_CASE("scanner: lowercase and odd field names", "[app][http][scanner]") {
    check("GET / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n", {"GET close"});
    check("GET / HTTP/1.1\r\nx-!#$%&'*+-.^_`|~: 1\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\ncontent-length: 0\r\n\r\n", {"GET keep"});
    check("GET / HTTP/1.1\r\nContent-Length:   00  \r\n\r\n", {"GET keep"});
}

TEST_CASE("scanner: other methods get 501 once the request-line is whole", "[app][http][scanner]") {
    check("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", {"501"});
    check("PUT / HTTP/1.1\r\n\r\n", {"501"});
    check("OPTIONS * HTTP/1.1\r\n\r\n", {"501"});
    check("DELETE /x HTTP/1.0\r\n\r\n", {"501"});
    check("get / HTTP/1.1\r\n\r\n", {"501"});  // methods are case-sensitive
    check("GETS / HTTP/1.1\r\n\r\n", {"501"});
    check("GE / HTTP/1.1\r\n\r\n", {"501"});
    check("HEADER / HTTP/1.1\r\n\r\n", {"501"});
    check("PATCH / HTTP/1.1\n", {"501"});
    check(kGet + "POST / HTTP/1.1\r\n\r\n" + kGet, {"GET keep", "501"});
}

TEST_CASE("scanner: malformed request-lines get 400", "[app][http][scanner]") {
    // Non-HTTP garbage: a TLS ClientHello, binary, a text line.
    check(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), {"400 bad_method"});
    check(std::string("\0\0\0\0", 4), {"400 bad_method"});
    check("hello world\r\n\r\n", {"400 bad_version"});
    check("SSH-2.0-OpenSSH_9.2\r\n", {"400 bad_request_line"});
    check(" GET / HTTP/1.1\r\n\r\n", {"400 bad_method"});
    check("G(T / HTTP/1.1\r\n\r\n", {"400 bad_method"});
    check("GET\r\n\r\n", {"400 bad_request_line"});
    check("GET \r\n\r\n", {"400 bad_request_line"});
    check("GET /\r\n\r\n", {"400 bad_version"});  // HTTP/0.9
    check("GET / \r\n\r\n", {"400 bad_version"});
    check("GET / HTTP/2.0\r\n\r\n", {"400 bad_version"});
    check("GET / HTTP/0.9\r\n\r\n", {"400 bad_version"});
    check("GET / http/1.1\r\n\r\n", {"400 bad_version"});
    check("GET / HTTP/1.\r\n\r\n", {"400 bad_version"});
    check("GET / HTTP/1.1x\r\n\r\n", {"400 bad_version"});
    check("GET / HTTP/1.11\r\n\r\n", {"400 bad_version"});
    check("GET / HTTP/1.1 extra\r\n\r\n", {"400 bad_version"});
    check("GET / / HTTP/1.1\r\n\r\n", {"400 bad_version"});
    check("GET /\x01 HTTP/1.1\r\n\r\n", {"400 bad_target"});
    check("GET /\x7f HTTP/1.1\r\n\r\n", {"400 bad_target"});
    check("GET / HTTP/1.1\rX\r\n\r\n", {"400 bad_line_ending"});
    check("\rGET / HTTP/1.1\r\n\r\n", {"400 bad_line_ending"});
    // POST with a broken line is garbage first, an unknown method second.
    check("POST /\r\n\r\n", {"400 bad_version"});
}

TEST_CASE("scanner: malformed fields get 400", "[app][http][scanner]") {
    check("GET / HTTP/1.1\r\nHost a\r\n\r\n", {"400 bad_header"});
    check("GET / HTTP/1.1\r\nHost : a\r\n\r\n", {"400 bad_header"});  // RFC 9112 5.1
    check("GET / HTTP/1.1\r\n: a\r\n\r\n", {"400 bad_header"});
    check("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", {"400 bad_header"});  // obs-fold
    check("GET / HTTP/1.1\r\n Host: a\r\n\r\n", {"400 bad_header"});
    check("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", {"400 bad_header"});
    check("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", {"400 bad_header"});
    check("GET / HTTP/1.1\r\nConnection: close\x7f\r\n\r\n", {"400 bad_header"});
    check("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", {"400 bad_line_ending"});
    check("GET / HTTP/1.1\r\nHost: a\r\n\rX", {"400 bad_line_ending"});
}

TEST_CASE("scanner: request bodies are refused", "[app][http][scanner]") {
    check("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", {"400 body_not_supported"});
    check("GET / HTTP/1.1\r\ncontent-length: 0010\r\n\r\n", {"400 body_not_supported"});
    check("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", {"400 body_not_supported"});
    check("GET / HTTP/1.1\r\ntransfer-encoding: identity\r\n\r\n", {"400 body_not_supported"});
    check("GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", {"400 bad_content_length"});
    check("GET / HTTP/1.1\r\nContent-Length:\r\n\r\n", {"400 bad_content_length"});
    check("GET / HTTP/1.1\r\nContent-Length: 0 0\r\n\r\n", {"400 bad_content_length"});
    check("GET / HTTP/1.1\r\nContent-Length: 0, 0\r\n\r\n", {"400 bad_content_length"});
    check("GET / HTTP/1.1\r\nContent-Length: -0\r\n\r\n", {"400 bad_content_length"});
}

TEST_CASE("scanner: the 8 KiB header limit", "[app][http][scanner]") {
    constexpr size_t kMax = HttpRequestScanner::kMaxHeaderBytes;
    const std::string head = "GET / HTTP/1.1\r\nX: ";
    const std::string tail = "\r\n\r\n";
    const std::string fits = head + std::string(kMax - head.size() - tail.size(), 'a') + tail;
    REQUIRE(fits.size() == kMax);
    CHECK(scan_whole(fits) == std::vector<std::string>{"GET keep"});
    CHECK(scan_bytes(fits) == std::vector<std::string>{"GET keep"});
    const std::string over = head + std::string(kMax - head.size() - tail.size() + 1, 'a') + tail;
    CHECK(scan_whole(over) == std::vector<std::string>{"400 too_large"});
    CHECK(scan_bytes(over) == std::vector<std::string>{"400 too_large"});
    // The limit is per request: many requests of 8 KiB each on one stream.
    CHECK(scan_whole(fits + fits + fits) ==
          std::vector<std::string>{"GET keep", "GET keep", "GET keep"});

    // A huge target, and an endless stream of empty lines, stop at the limit.
    const std::string big = "GET /" + std::string(20000, 'x') + " HTTP/1.1\r\n\r\n";
    HttpRequestScanner s;
    auto r = s.feed(reinterpret_cast<const uint8_t*>(big.data()), big.size());
    CHECK(r.event == Event::BadRequest);
    CHECK(r.error == Error::TooLarge);
    CHECK(r.used == kMax + 1);
    std::string crlfs;
    for (int i = 0; i < 5000; ++i) crlfs += "\r\n";
    CHECK(scan_whole(crlfs) == std::vector<std::string>{"400 too_large"});
    // An unknown method as long as the limit.
    CHECK(scan_whole(std::string(kMax + 10, 'A')) == std::vector<std::string>{"400 too_large"});
}

TEST_CASE("scanner: a finished scanner ignores everything", "[app][http][scanner]") {
    HttpRequestScanner s;
    const std::string req = "GET / HTTP/1.1\r\nConnection: close\r\n\r\n";
    auto r = s.feed(reinterpret_cast<const uint8_t*>(req.data()), req.size());
    CHECK(r.event == Event::Get);
    CHECK_FALSE(r.keep_alive);
    CHECK(s.finished());
    CHECK_FALSE(s.mid_request());
    r = s.feed(reinterpret_cast<const uint8_t*>(kGet.data()), kGet.size());
    CHECK(r.event == Event::None);
    CHECK(r.used == kGet.size());
    CHECK(HttpRequestScanner::from_bits(s.bits()).finished());
}

TEST_CASE("scanner: a fresh scanner is all zeros, a started one is mid-request",
          "[app][http][scanner]") {
    HttpRequestScanner s;
    CHECK(s.bits() == 0);
    CHECK_FALSE(s.mid_request());
    s.feed(reinterpret_cast<const uint8_t*>("\r\n"), 2);
    CHECK_FALSE(s.mid_request());  // empty lines do not start a request
    s.feed(reinterpret_cast<const uint8_t*>("G"), 1);
    CHECK(s.mid_request());
}

TEST_CASE("scanner: random requests in random pieces", "[app][http][scanner]") {
    // Requests built from randomly chosen variants; the expected event is
    // computed from the choices, then the whole pipeline is checked.
    std::mt19937 rng(12345);
    const auto pick = [&](std::initializer_list<const char*> v) {
        return std::string(*(v.begin() + rng() % v.size()));
    };
    for (int round = 0; round < 300; ++round) {
        std::string stream;
        std::vector<std::string> want;
        for (int i = 0; i < 4; ++i) {
            const bool head = rng() % 2;
            const bool v10 = rng() % 3 == 0;
            const int conn = int(rng() % 3);  // none, close, keep-alive
            std::string req = head ? "HEAD" : "GET";
            req += pick({" ", "  ", "\t"}) + pick({"/", "/x?y=1", "*", "http://h/p"});
            req += pick({" ", "  "}) + (v10 ? "HTTP/1.0" : "HTTP/1.1") + pick({"", " "});
            const std::string eol = pick({"\r\n", "\n"});
            req += eol;
            if (rng() % 2)
                req += pick({"Host", "host", "HOST"}) + ":" + pick({"", " "}) + "h" + eol;
            if (conn == 1)
                req += pick({"Connection", "connection"}) + ": " +
                       pick({"close", "Close", "CLOSE"}) + eol;
            if (conn == 2)
                req += pick({"Connection", "CONNECTION"}) + ":" +
                       pick({"keep-alive", "Keep-Alive"}) + eol;
            if (rng() % 2) req += "Accept: */*" + eol;
            req += eol;
            stream += req;
            const bool keep = conn != 1 && (!v10 || conn == 2);
            want.push_back(std::string(head ? "HEAD" : "GET") + (keep ? " keep" : " close"));
            if (!keep) break;
        }
        std::vector<std::string_view> pieces;
        for (size_t i = 0; i < stream.size();) {
            const size_t n = std::min(stream.size() - i, size_t(1 + rng() % 40));
            pieces.push_back(std::string_view(stream).substr(i, n));
            i += n;
        }
        INFO("stream: " << stream);
        REQUIRE(scan_pieces(pieces) == want);
    }
}

TEST_CASE("scanner: random bytes never stall or overrun", "[app][http][scanner]") {
    std::mt19937 rng(777);
    const std::string alphabet = "GETHADPOS /\r\n\t:,-.1chkepalivCLOSE\x01\x7f\x80";
    for (int round = 0; round < 2000; ++round) {
        std::string s(size_t(rng() % 200), '\0');
        for (char& c : s) c = rng() % 4 ? alphabet[rng() % alphabet.size()] : char(rng());
        const auto a = scan_whole(s);
        REQUIRE(scan_bytes(s) == a);
    }
}

TEST_CASE("scanner: known words taken whole equal the byte-wise path", "[app][http][scanner]") {
    // The whole-word shortcuts (method, version, Connection/Content-Length
    // names) run only when the data holds the word; byte by byte they never
    // do. Near-misses of each word, mutated at random, must give the same
    // events both ways.
    const std::vector<std::string> seeds = {
        "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
        "HEAD /x HTTP/1.0\r\nCONTENT-LENGTH: 0\r\nconnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 00\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "GETX / HTTP/1.1\r\n\r\n",
        "HEADER / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.12\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.x\r\n\r\n",
        "GET / HTTP/1.\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection : close\r\n\r\n",
        "GET / HTTP/1.1\r\nConnectionX: close\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Lengthy: 5\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
        "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection:    close\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection:\tKeep-Alive\r\n\r\nGET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection: close, keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection: closed\r\n\r\n",
        "GET / HTTP/1.1\r\nConnection: close \r\n\r\n",
        "GET / HTTP/1.1\r\nConnection: close\n\r\n",
        "GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
    };
    std::mt19937 rng(4242);
    const std::string alphabet = "GETHADP/1.0 :-\r\nconCONtlgh5sekpaiv\t,";
    for (const std::string& seed : seeds) {
        INFO("seed: " << seed);
        CHECK(scan_whole(seed) == scan_bytes(seed));
        for (int round = 0; round < 300; ++round) {
            std::string s = seed;
            for (int k = 0, edits = 1 + int(rng() % 2); k < edits; ++k)
                s[rng() % s.size()] = alphabet[rng() % alphabet.size()];
            INFO("mutated: " << s);
            REQUIRE(scan_whole(s) == scan_bytes(s));
        }
    }
    // And what the words mean, taken whole.
    CHECK(scan_whole("GET / HTTP/1.1\r\nConnection: close\r\n\r\n") ==
          std::vector<std::string>{"GET close"});
    CHECK(scan_whole("HEAD / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n") ==
          std::vector<std::string>{"HEAD keep"});
    CHECK(scan_whole("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n") ==
          std::vector<std::string>{"400 body_not_supported"});
    CHECK(scan_whole("GET / HTTP/1.0\r\nConnection: KEEP-ALIVE\r\n\r\n") ==
          std::vector<std::string>{"GET keep"});
    CHECK(scan_whole("GET / HTTP/1.1\r\nConnection:  close\r\n\r\nGET / HTTP/1.1\r\n\r\n") ==
          std::vector<std::string>{"GET close"});
}

TEST_CASE("scanner: each byte of a known word, near-missed, as byte by byte",
          "[app][http][scanner]") {
    // The whole-word compares mask case into letters only: at every position
    // of every known word, the case-flipped byte (c ^ 0x20: a letter's other
    // case, for ':' 0x1A, for '-' 0x0D, for CR '-') and random bytes must
    // give what byte-by-byte feeding gives, which compares byte by byte.
    struct Known {
        std::string req;
        std::string_view word;
        bool nocase;  // a letter's other case still matches
    };
    const std::vector<Known> known = {
        {"GET / HTTP/1.1\r\n\r\n", "GET ", false},
        {"HEAD / HTTP/1.1\r\n\r\n", "HEAD ", false},
        {"GET / HTTP/1.1\r\n\r\n", "HTTP/1.", false},
        {"GET / HTTP/1.1\r\nconnection: close\r\n\r\n", "connection:", true},
        {"GET / HTTP/1.1\r\ncontent-length: 0\r\n\r\n", "content-length:", true},
        {"GET / HTTP/1.1\r\nconnection: close\r\n\r\n", "close\r\n", true},
        {"GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n", "keep-alive\r\n", true},
    };
    std::mt19937 rng(99);
    for (const Known& k : known) {
        const size_t at = k.req.find(k.word);
        REQUIRE(at != std::string::npos);
        const auto want = scan_whole(k.req);
        for (size_t pos = at; pos < at + k.word.size(); ++pos) {
            const uint8_t c = uint8_t(k.req[pos]);
            const bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
            std::string s = k.req;
            s[pos] = char(c ^ 0x20);
            INFO("word " << std::string(k.word) << ", byte " << pos - at << " flipped");
            const auto flipped = scan_whole(s);
            CHECK(flipped == scan_bytes(s));
            CHECK((flipped == want) == (k.nocase && letter));
            for (int round = 0; round < 16; ++round) {
                s[pos] = char(rng());
                INFO("byte " << pos - at << " = " << int(uint8_t(s[pos])));
                REQUIRE(scan_whole(s) == scan_bytes(s));
            }
        }
    }
}
