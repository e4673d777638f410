// The HTTP/1.1 responder: GET and HEAD of any path get "200 OK" with a fixed
// body; the connection persists per RFC 9112 9.3 (HTTP/1.1 unless
// "Connection: close"; HTTP/1.0 only with "Connection: keep-alive");
// pipelined requests are answered in order, as they complete.
//
// Refusals, each followed by close() (RFC 9112 9.6: nothing after it is
// processed):
//  - 400 Bad Request for anything HttpRequestScanner rejects: malformed
//    request-line or fields, header section over 8 KiB, a request body
//    (Content-Length > 0 or Transfer-Encoding: not supported, see
//    http_scanner.h);
//  - 501 Not Implemented for any other method (POST, PUT, OPTIONS, ...).
//    Not 405: RFC 9110 9.1 says a server that does not implement a method
//    SHOULD answer 501, and 405 (RFC 9110 15.5.6) means the method is
//    known but not allowed on this target, and obliges an Allow field. The
//    responder implements no other method on any target, so 501 is the
//    accurate answer.
//
// Per connection: the scanner's 64-bit state in Conn::user, nothing else.
// The answers are built once, at construction, in one buffer; HEAD answers
// are the header part of the GET ones. No Date field: apps have no clock
// (RFC 9110 6.6.1: a server without a clock MUST NOT send one).
#pragma once

#include <string>
#include <string_view>

#include "app/apps.h"
#include "app/http_scanner.h"

namespace tern::app {

class HttpApp final : public BuiltinApp {
  public:
    enum class Answer : uint8_t {
        OkKeepAlive,    // GET, connection persists
        OkClose,        // GET, then close
        HeadKeepAlive,  // HEAD: the headers of OkKeepAlive
        HeadClose,      // HEAD: the headers of OkClose
        BadRequest,     // 400, then close
        NotImplemented  // 501, then close
    };
    static constexpr int kAnswerCount = 6;

    explicit HttpApp(std::string_view body);

    const char* name() const override { return "http"; }
    void on_open(tcp::Conn& c) override;
    void on_data(tcp::Conn& c, const uint8_t* data, size_t len) override;
    void on_peer_closed(tcp::Conn& c) override;
    void on_closed(tcp::Conn& c, tcp::CloseReason why) override;
    // What cannot complete more requests than answers fit in the send
    // buffer: each request is at least kMinRequestBytes, so a peer that
    // pipelines without reading sees the window close (0 once one more
    // answer would not fit) instead of being reset. The price: with a large
    // http.body few answers fit, and the window is small (a 32 KiB body in a
    // 64 KiB tcp.wmem allows 17 bytes): raise tcp.wmem with large bodies.
    // Once the scanner is finished, bytes are ignored: no limit.
    size_t receive_space(const tcp::Conn& c) const override;

    // The exact bytes of an answer (for tests and docs).
    std::string_view answer(Answer a) const;

  private:
    // False if the answer did not fit and the conn was aborted.
    bool send_answer(tcp::Conn& c, Answer a);
    bool handle(tcp::Conn& c, const HttpRequestScanner::Result& r);

    struct Span {
        uint32_t offset = 0;
        uint32_t len = 0;
    };
    std::string buf_;  // every answer, back to back
    Span spans_[kAnswerCount];
    size_t max_answer_ = 0;  // the longest answer
};

}  // namespace tern::app
