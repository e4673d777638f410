// Built-in applications, chosen per listener by name (listen.app):
//   echo     sends back every byte received; closes after the peer does.
//   discard  reads and drops; closes after the peer does.
//   http     a minimal HTTP/1.1 responder: GET/HEAD of any path -> 200 with
//            a fixed body (http.body), keep-alive, pipelining (http.h).
//
// One instance per (worker, listener): an app keeps no state across
// connections except its counters, which, like every util::Counter, are
// written by one worker only. Per-connection state lives in Conn::user (a
// packed 64-bit value), so serving a connection allocates nothing.
//
// Flow control: the Stack keeps no receive buffer; it hands each byte to
// on_data exactly once and sizes the receive window it advertises by the
// app's receive_space(). echo and http answer from their send buffer, so
// they offer only what they can answer: a peer that stops reading sees the
// window close instead of being reset. The Stack never shrinks a window it
// has offered, and the send buffer's chunks come from a per-core pool shared
// by all connections, so a reply can still fail to fit: then the app aborts
// the connection (RST) and counts it in send_overruns. A reply is never
// dropped or truncated silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "tcp/app.h"
#include "util/counter.h"

namespace tern::app {

struct AppOptions {
    // http: the body of every 200 answer (http.body). At most kMaxHttpBody
    // bytes: a response must fit in one connection's send buffer.
    std::string http_body = "hello from tern\n";
};

// Half the default tcp.wmem (64 KiB): an answer must fit in the send buffer
// whole. The larger the answer, the fewer fit, and the smaller the receive
// window the responder offers (http.h): with large bodies raise tcp.wmem.
inline constexpr size_t kMaxHttpBody = 32 * 1024;

// X(name, "what it counts")
#define TERN_APP_COUNTERS(X)                                                            \
    X(conns_opened, "connections handed to the app (on_open)")                          \
    X(conns_closed, "connections ended (on_closed)")                                    \
    X(peer_closes, "FINs from peers (on_peer_closed)")                                  \
    X(bytes_in, "bytes received (on_data)")                                             \
    X(bytes_out, "bytes queued for sending")                                            \
    X(send_overruns, "replies that did not fit in the send buffer: conn aborted (RST)") \
    /* echo and discard */                                                              \
    X(bytes_echoed, "echo: bytes sent back")                                            \
    X(bytes_discarded, "discard: bytes dropped")                                        \
    /* http */                                                                          \
    X(requests, "http: complete GET and HEAD requests")                                 \
    X(requests_head, "http: of which HEAD")                                             \
    X(responses_200, "http: 200 OK sent")                                               \
    X(responses_400, "http: 400 Bad Request sent (then closed)")                        \
    X(responses_501, "http: 501 Not Implemented sent (then closed)")                    \
    X(keepalive_closes, "http: closed after a response (Connection: close, HTTP/1.0)")  \
    X(incomplete_at_peer_close, "http: peer closed in the middle of a request")

// Refused requests by reason (HttpRequestScanner::Error), for diagnosis.
inline constexpr int kHttpErrorCount = 11;

struct AppCounters {
#define TERN_APP_COUNTER_FIELD(name, help) util::Counter name;
    TERN_APP_COUNTERS(TERN_APP_COUNTER_FIELD)
#undef TERN_APP_COUNTER_FIELD
    util::Counter http_errors[kHttpErrorCount];

    // f(const char* name, const char* help, uint64_t value) for every
    // counter, then f("http_error_<reason>", ...) for each 400/501 reason.
    template <class F>
    void for_each(F&& f) const;
};

// What every built-in app is: a tcp::App with a name and counters.
class BuiltinApp : public tcp::App {
  public:
    virtual const char* name() const = 0;
    const AppCounters& counters() const { return ctr_; }

  protected:
    AppCounters ctr_;
};

// The app called `name` (one of app_names()), or nullptr for an unknown name
// or options it cannot serve (check_app_options()). Converts to
// std::unique_ptr<tcp::App>.
std::unique_ptr<BuiltinApp> make_app(std::string_view name, const AppOptions& opts = {});

// The names of the built-in apps, the one list of them: listen.app is
// checked against it (config::validate and the key's parser) and make_app()
// builds from it. nullptr-terminated: {"echo", "discard", "http", nullptr}.
const char* const* app_names();
bool is_app_name(std::string_view name);
// "echo, discard, http", for error messages.
const std::string& app_name_list();

// nullptr if `opts` suit the app `name`, else a one-line reason (config
// validation reports it before EAL starts).
const char* check_app_options(std::string_view name, const AppOptions& opts);

// "http_error_<reason>" for a 400 reason index (HttpRequestScanner::Error).
const char* http_error_name(int i);

template <class F>
void AppCounters::for_each(F&& f) const {
#define TERN_APP_COUNTER_VISIT(name, help) f(#name, help, name.get());
    TERN_APP_COUNTERS(TERN_APP_COUNTER_VISIT)
#undef TERN_APP_COUNTER_VISIT
    for (int i = 1; i < kHttpErrorCount; ++i) {  // 0 is Error::None
        f(http_error_name(i), "http: requests refused for this reason", http_errors[i].get());
    }
}

}  // namespace tern::app
