// HttpRequestScanner: a streaming recognizer of HTTP/1.x requests (RFC 9112)
// for the built-in responder. It does not build a request: it answers, for
// each request in the byte stream, "GET or HEAD, keep the connection open
// or not", or why the request must be refused.
//
// Workload: one scanner per connection, fed whatever each segment carries
// (a whole request, several pipelined ones, or one byte at a time). Its
// whole state packs into 64 bits (see "State layout" below), so the HTTP app
// keeps it in tcp::Conn::user and allocates nothing per connection.
//
// What it accepts (RFC 9112 section in brackets):
//  - empty lines before a request-line are skipped [2.2];
//  - request-line = method SP request-target SP HTTP-version, where runs of
//    SP/HTAB separate the three words and may end the line [3: "parse on
//    whitespace-delimited word boundaries"]; method is a token, matched
//    case-sensitively [RFC 9110 9.1]; the target is any run of visible
//    characters (path, absolute form, "*": every target gets the same
//    answer); the version is "HTTP/1." DIGIT (1.0, or 1.1 for any minor >= 1,
//    RFC 9110 2.5);
//  - lines end in CRLF or a bare LF [2.2]; a CR not followed by LF is an error;
//  - field-name ":" OWS field-value OWS; names case-insensitive [5.1];
//    Connection is a comma-separated list whose "close" and "keep-alive"
//    members are matched case-insensitively [RFC 9110 7.6.1].
// What it refuses (Error::*; the app answers 400 and closes, or 501):
//  - a method that is not a token, a missing target or version (HTTP/0.9),
//    an HTTP major version other than 1, control characters in the target or
//    a field value, whitespace between a field name and its colon [5.1],
//    obs-fold [5.2], a bad Content-Length;
//  - a request body: Content-Length > 0 or any Transfer-Encoding (400, not
//    skipped). The responder has no use for a body, and framing one
//    correctly (chunked coding, trailers, conflicting lengths [6.3]) is
//    where request smuggling lives [11.2]; refusing keeps the scanner free
//    of framing state and the connection unambiguous;
//  - request-line plus header section longer than kMaxHeaderBytes;
//  - a method other than GET or HEAD on a well-formed request-line:
//    Error::NotImplemented, at the end of that line (headers are not read).
// After an error, or after a request that does not keep the connection
// open, the scanner is finished: it consumes and ignores every further byte
// (RFC 9112 9.6: no request after one carrying "close" is processed).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::app {

class HttpRequestScanner {
  public:
    // Request-line plus header section, CRLFs and leading empty lines
    // included. Like the common 8 KiB server default (nginx's
    // large_client_header_buffers, Apache's LimitRequestLine).
    static constexpr uint32_t kMaxHeaderBytes = 8192;
    // The shortest complete request: "GET * HTTP/1.1\n\n" (a 3-letter method,
    // SP, a 1-byte target, SP, 8-byte version, two bare LFs). n bytes can
    // therefore complete at most 1 + (n - 1) / kMinRequestBytes requests
    // (the first may have started before them).
    static constexpr uint32_t kMinRequestBytes = 16;

    enum class Event : uint8_t {
        None,            // every byte consumed, no request completed yet
        Get,             // a complete GET request
        Head,            // a complete HEAD request
        BadRequest,      // answer 400 and close; Result::error says why
        NotImplemented,  // a method other than GET/HEAD: answer 501 and close
    };

    enum class Error : uint8_t {
        None,
        BadMethod,         // method is not a token, or the line starts with junk
        BadRequestLine,    // request-line ends before the target
        BadTarget,         // control character in the request-target
        BadVersion,        // missing, malformed or not HTTP/1.x
        BadLineEnding,     // CR not followed by LF
        BadHeader,         // bad name, space before ':', obs-fold, CTL in value
        BadContentLength,  // Content-Length not a decimal number
        BodyNotSupported,  // Content-Length > 0 or Transfer-Encoding
        TooLarge,          // header section over kMaxHeaderBytes
        NotImplemented,    // method other than GET/HEAD (Event::NotImplemented)
    };
    static constexpr int kErrorCount = 11;
    static const char* error_name(Error e);

    struct Result {
        Event event = Event::None;
        bool keep_alive = false;  // Get/Head: the connection stays open
        Error error = Error::None;
        size_t used = 0;  // bytes consumed, up to and including the event's last byte
    };

    // A fresh scanner is all zeros: Conn::user == nullptr is a valid state.
    HttpRequestScanner() = default;
    // Inline: the caller unpacks straight into its own copy.
    static HttpRequestScanner from_bits(uint64_t bits);
    uint64_t bits() const;

    // Consumes bytes up to the end of the first complete request (or error)
    // and reports it; call again with the rest. Once finished(), consumes
    // everything and reports None.
    Result feed(const uint8_t* data, size_t len);

    // True after an error or a request that closes the connection.
    bool finished() const { return phase_ == kDone; }
    // finished() of a packed state, without unpacking the rest (the app's
    // receive-window callback asks on every segment sent).
    static bool finished_bits(uint64_t bits) { return (bits & 0xF) == kDone; }
    // True while part of a request has been seen (for "peer closed
    // mid-request" accounting); leading empty lines do not count.
    bool mid_request() const { return phase_ > kStartCR && phase_ != kDone; }

  private:
    // ---- State layout (bits of the packed uint64_t) ----
    //   0..3   phase_     where in the request (kStart .. kDone)
    //   4..8   pos_       characters matched in the current word (saturates at
    //                     31); in Content-Length: 0 before, 1 in, 2 after digits
    //   9..11  cand_      candidate mask: which known word still matches
    //   12..13 kind_      field being read: other, Connection, Content-Length
    //   14..15 method_    GET, HEAD or another token (known at the first SP)
    //   16     http11_    HTTP/1.1 or a later minor version
    //   17     close_     "close" seen in Connection
    //   18     keep_      "keep-alive" seen in Connection
    //   19     tok_end_   Connection: whitespace ended the current list member
    //   20..33 bytes_     header bytes of the current request (0..kMaxHeaderBytes)
    //   34..37 error_     the Error that finished the scanner, if any
    //   38..63 zero
    enum : uint8_t {
        kStart,         // before a request-line; empty lines skipped
        kStartCR,       // CR of an empty line before the request-line
        kMethod,        // in the method token
        kSpTarget,      // whitespace before the target
        kTarget,        // in the request-target
        kSpVersion,     // whitespace before the version
        kVersion,       // in "HTTP/1.x" (pos_ = index)
        kAfterVersion,  // whitespace after the version
        kLineCR,        // CR ending the request-line or a field line (value done)
        kLineStart,     // start of a field line or the final empty line
        kName,          // in a field name
        kValue,         // in a field value
        kEndCR,         // CR of the empty line ending the header section
        kDone,          // finished: ignore everything
    };
    enum : uint8_t { kOther, kConnection, kContentLength };  // kind_
    enum : uint8_t { kGet, kHead, kOtherMethod };            // method_

    // Whole known words at once when the data holds them all (a request
    // usually arrives in one segment): "GET " / "HEAD " opening a request,
    // "HTTP/1.x", the field names "Connection:" / "Content-Length:", and a
    // Connection value that is just "close" or "keep-alive" up to its CRLF.
    // Each leaves the state exactly as the byte-wise path would after the
    // same bytes and returns how many it took (0: none, go byte by byte);
    // none near the size limit (room_for_word()).
    bool room_for_word() const;
    size_t take_method(const uint8_t* p, size_t n);
    size_t take_version(const uint8_t* p, size_t n);
    size_t take_name(const uint8_t* p, size_t n);
    size_t take_member(const uint8_t* p, size_t n);
    // Runs and line ends taken at once (http_scanner.cpp).
    struct Cursor;
    bool took(Cursor& in, size_t w);
    void skip_run(Cursor& in, uint8_t cls);
    bool lf_after(Cursor& in);
    // One per part of the request, each for the byte at the cursor in one
    // of the part's phases (phase_ on entry).
    Result scan_start(uint8_t phase, uint8_t c, Cursor& in);
    Result scan_target(uint8_t phase, uint8_t c, Cursor& in);
    Result scan_version(uint8_t phase, uint8_t c, Cursor& in);
    Result scan_name(uint8_t phase, uint8_t c, Cursor& in);
    Result scan_value(uint8_t c, Cursor& in);
    Result fail(Error e, size_t used);
    Result complete(size_t used);
    // The request-line ended well: only now is an unknown method a 501
    // rather than a 400 (so "hello world\r\n" is garbage, not a method).
    bool request_line_done();
    Error value_byte(uint8_t c);
    Error end_of_value();
    void end_member();
    void reset_request();

    uint8_t phase_ = kStart;
    uint8_t pos_ = 0;
    uint8_t cand_ = 0;
    uint8_t kind_ = kOther;
    uint8_t method_ = kGet;
    bool http11_ = false;
    bool close_ = false;
    bool keep_ = false;
    bool tok_end_ = false;
    uint16_t bytes_ = 0;
    Error error_ = Error::None;
};

inline HttpRequestScanner HttpRequestScanner::from_bits(uint64_t b) {
    HttpRequestScanner s;
    s.phase_ = uint8_t(b & 0xF);
    s.pos_ = uint8_t(b >> 4 & 0x1F);
    s.cand_ = uint8_t(b >> 9 & 0x7);
    s.kind_ = uint8_t(b >> 12 & 0x3);
    s.method_ = uint8_t(b >> 14 & 0x3);
    s.http11_ = b >> 16 & 1;
    s.close_ = b >> 17 & 1;
    s.keep_ = b >> 18 & 1;
    s.tok_end_ = b >> 19 & 1;
    s.bytes_ = uint16_t(b >> 20 & 0x3FFF);
    s.error_ = Error(b >> 34 & 0xF);
    return s;
}

inline uint64_t HttpRequestScanner::bits() const {
    static_assert(kDone <= 0xF && kErrorCount <= 16 && kMaxHeaderBytes + 1 < (1u << 14));
    return uint64_t(phase_) | uint64_t(pos_) << 4 | uint64_t(cand_) << 9 | uint64_t(kind_) << 12 |
           uint64_t(method_) << 14 | uint64_t(http11_) << 16 | uint64_t(close_) << 17 |
           uint64_t(keep_) << 18 | uint64_t(tok_end_) << 19 | uint64_t(bytes_) << 20 |
           uint64_t(error_) << 34;
}

}  // namespace tern::app
