#include "app/http.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tern::app {

namespace {

using Event = HttpRequestScanner::Event;

// Conn::user holds the scanner's packed state as an integer, not a pointer.
static_assert(sizeof(void*) == sizeof(uint64_t), "Conn::user must hold 64 bits");

HttpRequestScanner load(const tcp::Conn& c) {
    return HttpRequestScanner::from_bits(uint64_t(reinterpret_cast<uintptr_t>(c.user)));
}

void store(tcp::Conn& c, const HttpRequestScanner& s) {
    c.user = reinterpret_cast<void*>(uintptr_t(s.bits()));
}

std::string head(std::string_view status, size_t body_len, bool keep_alive) {
    std::string h = "HTTP/1.1 ";
    h += status;
    h += "\r\nContent-Type: text/plain\r\nContent-Length: ";
    h += std::to_string(body_len);
    h += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
    return h;
}

}  // namespace

HttpApp::HttpApp(std::string_view body) {
    const auto add = [this](Answer a, const std::string& header, std::string_view b) {
        spans_[int(a)] = Span{uint32_t(buf_.size()), uint32_t(header.size() + b.size())};
        buf_ += header;
        buf_ += b;
    };
    const std::string ok_keep = head("200 OK", body.size(), true);
    const std::string ok_close = head("200 OK", body.size(), false);
    add(Answer::OkKeepAlive, ok_keep, body);
    add(Answer::OkClose, ok_close, body);
    // HEAD (RFC 9110 9.3.2): the same fields, Content-Length included, no body.
    spans_[int(Answer::HeadKeepAlive)] = {spans_[int(Answer::OkKeepAlive)].offset,
                                          uint32_t(ok_keep.size())};
    spans_[int(Answer::HeadClose)] = {spans_[int(Answer::OkClose)].offset,
                                      uint32_t(ok_close.size())};
    constexpr std::string_view kBad = "bad request\n";
    constexpr std::string_view kNotImpl = "not implemented\n";
    add(Answer::BadRequest, head("400 Bad Request", kBad.size(), false), kBad);
    add(Answer::NotImplemented, head("501 Not Implemented", kNotImpl.size(), false), kNotImpl);
    for (const Span& sp : spans_) max_answer_ = std::max<size_t>(max_answer_, sp.len);
}

std::string_view HttpApp::answer(Answer a) const {
    const Span s = spans_[int(a)];
    return std::string_view(buf_).substr(s.offset, s.len);
}

size_t HttpApp::receive_space(const tcp::Conn& c) const {
    if (HttpRequestScanner::finished_bits(uint64_t(reinterpret_cast<uintptr_t>(c.user))))
        return SIZE_MAX;
    const size_t answers = c.send_space() / max_answer_;
    if (answers == 0) return 0;
    // n bytes complete at most 1 + (n - 1) / kMinRequestBytes requests (the
    // first may have begun earlier). With n = (answers - 1) * kMin + 1 that
    // is `answers`, a 400 on the last byte included.
    return (answers - 1) * HttpRequestScanner::kMinRequestBytes + 1;
}

void HttpApp::on_open(tcp::Conn& c) {
    ctr_.conns_opened.inc();
    store(c, HttpRequestScanner());
}

bool HttpApp::send_answer(tcp::Conn& c, Answer a) {
    const std::string_view s = answer(a);
    // All or nothing: if the send buffer takes only part, abort() discards
    // that part with the rest of the queue (RFC 9293 3.10.5); an answer cut
    // short would corrupt the response stream. The Stack says nothing when
    // space frees up, so the rest could not be sent later anyway.
    const size_t n = c.send(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    if (n < s.size()) {
        ctr_.send_overruns.inc();
        c.abort();
        return false;
    }
    ctr_.bytes_out.inc(n);
    return true;
}

bool HttpApp::handle(tcp::Conn& c, const HttpRequestScanner::Result& r) {
    switch (r.event) {
        case Event::None:
            return true;
        case Event::Get:
        case Event::Head: {
            const bool is_head = r.event == Event::Head;
            ctr_.requests.inc();
            if (is_head) ctr_.requests_head.inc();
            const Answer a = is_head ? (r.keep_alive ? Answer::HeadKeepAlive : Answer::HeadClose)
                                     : (r.keep_alive ? Answer::OkKeepAlive : Answer::OkClose);
            if (!send_answer(c, a)) return false;
            ctr_.responses_200.inc();
            if (!r.keep_alive) {
                ctr_.keepalive_closes.inc();
                c.close();
            }
            return true;
        }
        case Event::BadRequest:
            ctr_.http_errors[int(r.error)].inc();
            if (!send_answer(c, Answer::BadRequest)) return false;
            ctr_.responses_400.inc();
            c.close();
            return true;
        case Event::NotImplemented:
            ctr_.http_errors[int(r.error)].inc();
            if (!send_answer(c, Answer::NotImplemented)) return false;
            ctr_.responses_501.inc();
            c.close();
            return true;
    }
    return true;
}

void HttpApp::on_data(tcp::Conn& c, const uint8_t* data, size_t len) {
    ctr_.bytes_in.inc(len);
    HttpRequestScanner sc = load(c);
    // One answer per completed request, in order; a finished scanner (error,
    // or a request that closes) ignores the rest.
    while (len > 0 && !sc.finished()) {
        const HttpRequestScanner::Result r = sc.feed(data, len);
        data += r.used;
        len -= r.used;
        if (!handle(c, r)) return;  // aborted: the conn is going away
    }
    store(c, sc);
}

void HttpApp::on_peer_closed(tcp::Conn& c) {
    ctr_.peer_closes.inc();
    if (load(c).mid_request()) ctr_.incomplete_at_peer_close.inc();
    // Every complete request has been answered already (synchronously in
    // on_data): the FIN follows the last answer.
    c.close();
}

void HttpApp::on_closed(tcp::Conn&, tcp::CloseReason) { ctr_.conns_closed.inc(); }

}  // namespace tern::app
