// The request scanner: feed() hands each byte to the function of the part
// of the request its phase is in (before the request, method and target,
// version, field name, field value). Known words (methods, field names,
// Connection members) are matched on the fly with a candidate bitmask and a
// position, so nothing is buffered.
#include "app/http_scanner.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <string_view>

namespace tern::app {

namespace {

using Error = HttpRequestScanner::Error;

constexpr uint8_t kCR = '\r';
constexpr uint8_t kLF = '\n';

// Character classes (RFC 9110 5.6.2 tchar, 5.5 field-vchar / obs-text).
enum : uint8_t { kTchar = 1, kVisible = 2, kWs = 4 };

constexpr std::array<uint8_t, 256> make_classes() {
    std::array<uint8_t, 256> t{};
    for (int c = 0x21; c <= 0x7E; ++c) t[c] |= kVisible;
    for (int c = 0x80; c <= 0xFF; ++c) t[c] |= kVisible;  // obs-text
    for (int c = '0'; c <= '9'; ++c) t[c] |= kTchar;
    for (int c = 'a'; c <= 'z'; ++c) t[c] |= kTchar;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kTchar;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) t[uint8_t(c)] |= kTchar;
    t[' '] |= kWs;
    t['\t'] |= kWs;
    return t;
}
constexpr std::array<uint8_t, 256> kClass = make_classes();

bool is_tchar(uint8_t c) { return kClass[c] & kTchar; }
bool is_visible(uint8_t c) { return kClass[c] & kVisible; }
bool is_ws(uint8_t c) { return kClass[c] & kWs; }
uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? uint8_t(c | 0x20) : c; }

// Up to three words matched at once: bit i of the mask stands for words[i].
// Keeps the bits whose word has `c` at `pos`.
template <size_t N>
uint8_t match(uint8_t cand, const std::array<std::string_view, N>& words, uint8_t pos, uint8_t c) {
    uint8_t keep = 0;
    for (size_t i = 0; i < N; ++i) {
        if ((cand >> i & 1) && pos < words[i].size() && uint8_t(words[i][pos]) == c) {
            keep |= uint8_t(1u << i);
        }
    }
    return keep;
}

// The word of the mask matched in full (pos == its length), or N.
template <size_t N>
size_t matched(uint8_t cand, const std::array<std::string_view, N>& words, uint8_t pos) {
    for (size_t i = 0; i < N; ++i) {
        if ((cand >> i & 1) && pos == words[i].size()) return i;
    }
    return N;
}

constexpr std::array<std::string_view, 2> kMethods{"GET", "HEAD"};  // case-sensitive
constexpr std::array<std::string_view, 3> kNames{"connection", "content-length",
                                                 "transfer-encoding"};  // lowercased
constexpr std::array<std::string_view, 2> kMembers{"close", "keep-alive"};
constexpr uint8_t kAll2 = 0b11;
constexpr uint8_t kAll3 = 0b111;
constexpr std::string_view kVersionPrefix = "HTTP/1.";

constexpr uint8_t kPosMax = 31;
uint8_t next_pos(uint8_t pos) { return pos < kPosMax ? uint8_t(pos + 1) : pos; }

}  // namespace

const char* HttpRequestScanner::error_name(Error e) {
    switch (e) {
        case Error::None:
            return "none";
        case Error::BadMethod:
            return "bad_method";
        case Error::BadRequestLine:
            return "bad_request_line";
        case Error::BadTarget:
            return "bad_target";
        case Error::BadVersion:
            return "bad_version";
        case Error::BadLineEnding:
            return "bad_line_ending";
        case Error::BadHeader:
            return "bad_header";
        case Error::BadContentLength:
            return "bad_content_length";
        case Error::BodyNotSupported:
            return "body_not_supported";
        case Error::TooLarge:
            return "too_large";
        case Error::NotImplemented:
            return "not_implemented";
    }
    return "?";
}

// ---------------------------------------------------------------- events

// The private helpers are `inline`: the library is built -fPIC, where GCC
// does not inline a function with external linkage (it could be interposed),
// and feed() calls them for nearly every byte.

inline void HttpRequestScanner::reset_request() { *this = HttpRequestScanner(); }

inline HttpRequestScanner::Result HttpRequestScanner::fail(Error e, size_t used) {
    reset_request();
    phase_ = kDone;
    error_ = e;
    const Event ev = e == Error::NotImplemented ? Event::NotImplemented : Event::BadRequest;
    return Result{.event = ev, .keep_alive = false, .error = e, .used = used};
}

inline HttpRequestScanner::Result HttpRequestScanner::complete(size_t used) {
    // RFC 9112 9.3: "close" ends the connection in any version; otherwise
    // HTTP/1.1 persists, and HTTP/1.0 only with "keep-alive" (RFC 9112
    // Appendix C.2.2).
    const bool keep_alive = !close_ && (http11_ || keep_);
    const Event ev = method_ == kHead ? Event::Head : Event::Get;
    reset_request();
    if (!keep_alive) phase_ = kDone;
    return Result{.event = ev, .keep_alive = keep_alive, .error = Error::None, .used = used};
}

inline bool HttpRequestScanner::request_line_done() {
    // RFC 9110 9.1: a method the server does not implement -> 501. Only a
    // request-line can carry kOtherMethod: the scanner fails at its end.
    phase_ = kLineStart;
    return method_ != kOtherMethod;
}

// ---------------------------------------------------------------- field values

inline void HttpRequestScanner::end_member() {
    switch (matched(cand_, kMembers, pos_)) {
        case 0:
            close_ = true;
            break;
        case 1:
            keep_ = true;
            break;
        default:
            break;
    }
    cand_ = kAll2;
    pos_ = 0;
    tok_end_ = false;
}

inline HttpRequestScanner::Error HttpRequestScanner::value_byte(uint8_t c) {
    // RFC 9110 5.5: field-value = *( field-vchar / SP / HTAB ).
    if (!is_visible(c) && !is_ws(c)) return Error::BadHeader;
    switch (kind_) {
        case kConnection:
            // RFC 9110 5.6.1: #token, members separated by OWS "," OWS.
            if (c == ',') {
                end_member();
            } else if (is_ws(c)) {
                if (pos_ > 0) tok_end_ = true;
            } else {
                // A character after "close " makes the member something else.
                cand_ = tok_end_ ? 0 : match(cand_, kMembers, pos_, lower(c));
                pos_ = next_pos(pos_);
            }
            return Error::None;
        case kContentLength:
            // RFC 9112 6.3 step 5: a single 1*DIGIT value (OWS trimmed).
            if (c >= '0' && c <= '9') {
                if (pos_ == 2) return Error::BadContentLength;
                if (c != '0') return Error::BodyNotSupported;
                pos_ = 1;
            } else if (is_ws(c)) {
                if (pos_ == 1) pos_ = 2;
            } else {
                return Error::BadContentLength;
            }
            return Error::None;
        default:
            return Error::None;
    }
}

inline HttpRequestScanner::Error HttpRequestScanner::end_of_value() {
    if (kind_ == kConnection) end_member();
    if (kind_ == kContentLength && pos_ == 0) return Error::BadContentLength;
    kind_ = kOther;
    cand_ = 0;
    pos_ = 0;
    tok_end_ = false;
    return Error::None;
}

// ---------------------------------------------------------------- whole words

namespace {

static_assert(std::endian::native == std::endian::little, "words are loaded little-endian");

// A known word, compared 8 bytes at a time: the input's first 8 bytes (all
// of it if shorter) and its last 8, overlapping the first when the word is
// shorter than 16, each ORed with a fold mask and compared with the word.
// The fold mask has 0x20 at the letters of a case-insensitive word: for a
// lowercase letter l, b | 0x20 == l holds for b == l and for its uppercase
// form only, so this is exactly lower(b) == l; every other byte is compared
// as it is.
struct Word {
    uint64_t want[2] = {};
    uint64_t fold[2] = {};
    size_t size = 0;
};

enum class Case : bool { Exact, Insensitive };

constexpr Word make_word(std::string_view w, Case cs) {
    Word r;
    r.size = w.size();
    for (size_t k = 0; k < (w.size() > 8 ? 16 : w.size()); ++k) {
        // The head chunk holds w's first bytes, the tail its last 8.
        const size_t at = k < 8 ? k : w.size() - 16 + k;
        const uint8_t c = uint8_t(w[at]);
        const bool letter = cs == Case::Insensitive && c >= 'a' && c <= 'z';
        r.want[k / 8] |= uint64_t(c) << (k % 8 * 8);
        r.fold[k / 8] |= uint64_t(letter ? 0x20 : 0) << (k % 8 * 8);
    }
    return r;
}

// Whether p[0, n) starts with w.
bool starts_with(const uint8_t* p, size_t n, const Word& w) {
    if (n < w.size) return false;
    uint64_t head = 0;
    std::memcpy(&head, p, std::min<size_t>(w.size, 8));
    if ((head | w.fold[0]) != w.want[0]) return false;
    if (w.size <= 8) return true;
    uint64_t tail;
    std::memcpy(&tail, p + w.size - 8, 8);
    return (tail | w.fold[1]) == w.want[1];
}

constexpr Word kGetWord = make_word("GET ", Case::Exact);
constexpr Word kHeadWord = make_word("HEAD ", Case::Exact);
constexpr Word kVersionWord = make_word(kVersionPrefix, Case::Exact);
constexpr Word kConnectionWord = make_word("connection:", Case::Insensitive);
constexpr Word kContentLengthWord = make_word("content-length:", Case::Insensitive);
constexpr Word kCloseWord = make_word("close\r\n", Case::Insensitive);
constexpr Word kKeepAliveWord = make_word("keep-alive\r\n", Case::Insensitive);

}  // namespace

inline bool HttpRequestScanner::room_for_word() const {
    // Far enough from the size limit that no byte taken whole could cross it.
    return uint32_t(bytes_) + 32 <= kMaxHeaderBytes;
}

inline size_t HttpRequestScanner::take_method(const uint8_t* p, size_t n) {
    if (!room_for_word()) return 0;
    if (starts_with(p, n, kGetWord)) {
        method_ = kGet;
    } else if (starts_with(p, n, kHeadWord)) {
        method_ = kHead;
    } else {
        return 0;
    }
    cand_ = 0;
    pos_ = 0;
    phase_ = kSpTarget;
    return method_ == kGet ? kGetWord.size : kHeadWord.size;
}

inline size_t HttpRequestScanner::take_version(const uint8_t* p, size_t n) {
    if (!room_for_word()) return 0;
    if (n < 8 || !starts_with(p, n, kVersionWord) || p[7] < '0' || p[7] > '9') return 0;
    http11_ = p[7] != '0';
    pos_ = uint8_t(kVersionPrefix.size() + 1);
    phase_ = kVersion;
    return 8;
}

inline size_t HttpRequestScanner::take_name(const uint8_t* p, size_t n) {
    if (!room_for_word()) return 0;
    size_t w = 0;
    if (starts_with(p, n, kConnectionWord)) {
        kind_ = kConnection;
        cand_ = kAll2;
        w = kConnectionWord.size;
    } else if (starts_with(p, n, kContentLengthWord)) {
        kind_ = kContentLength;
        cand_ = 0;
        w = kContentLengthWord.size;
    } else {
        return 0;
    }
    pos_ = 0;
    tok_end_ = false;
    phase_ = kValue;
    return w;
}

inline size_t HttpRequestScanner::take_member(const uint8_t* p, size_t n) {
    if (!room_for_word()) return 0;
    // A Connection value of one known member, then CRLF: the state the
    // byte-wise path reaches at the start of the next line.
    if (pos_ != 0 || tok_end_ || cand_ != kAll2) return 0;
    size_t k = 0;
    while (k < n && k < 8 && is_ws(p[k])) ++k;
    size_t w = 0;
    if (starts_with(p + k, n - k, kCloseWord)) {
        close_ = true;
        w = kCloseWord.size;
    } else if (starts_with(p + k, n - k, kKeepAliveWord)) {
        keep_ = true;
        w = kKeepAliveWord.size;
    } else {
        return 0;
    }
    kind_ = kOther;
    cand_ = 0;
    phase_ = kLineStart;
    return k + w;
}

// ---------------------------------------------------------------- fast paths

// These and the request parts below are feed()'s loop body, split for
// reading, and always inlined: with plain `inline` GCC kept skip_run() out
// of line, the Cursor then lived in memory, and a request cost 11 % (cps)
// to 24 % (browser-like) more instructions (bench/micro/http_scanner_bench.cpp,
// callgrind).

// The bytes of one feed() call and the index of the byte being read. The
// fast paths step `i` past what they take, to the last byte taken: feed()'s
// loop then moves on to the byte after it.
struct HttpRequestScanner::Cursor {
    const uint8_t* data;
    size_t len;
    size_t i;

    const uint8_t* here() const { return data + i; }
    size_t left() const { return len - i; }
};

// A known word taken whole from byte i (counted already): counts the rest
// and steps past it.
[[gnu::always_inline]] inline bool HttpRequestScanner::took(Cursor& in, size_t w) {
    if (w == 0) return false;
    bytes_ = uint16_t(bytes_ + w - 1);
    in.i += w - 1;
    return true;
}

// Takes the bytes of class `cls` after byte i at once: runs nobody looks at
// (the target, names of fields we do not know, and their values:
// User-Agent, Cookie, ...). Stops short of the size limit, so the byte that
// crosses it takes the byte-wise path.
[[gnu::always_inline]] inline void HttpRequestScanner::skip_run(Cursor& in, uint8_t cls) {
    const size_t end = std::min(in.len, in.i + 1 + (kMaxHeaderBytes - bytes_));
    size_t j = in.i + 1;
    while (j < end && (kClass[in.data[j]] & cls)) ++j;
    bytes_ = uint16_t(bytes_ + (j - in.i - 1));
    in.i = j - 1;
}

// A CR's LF, when the data holds it and it fits, ends the line in the same
// step (then i is the LF's).
[[gnu::always_inline]] inline bool HttpRequestScanner::lf_after(Cursor& in) {
    if (in.i + 1 == in.len || in.data[in.i + 1] != kLF || bytes_ == kMaxHeaderBytes) return false;
    ++bytes_;
    ++in.i;
    return true;
}

// ---------------------------------------------------------------- request parts

// One function per part of the request, each given the byte at in.i and
// the phase it is in (one of the part's). They answer Event::None to go on
// with the next byte, or the event that ends this feed() call. `used`
// counts the byte itself; in.i + 1 after a fast path counts what it took
// too.

// RFC 9112 2.2: empty lines before the request-line, then its first byte.
[[gnu::always_inline]] inline HttpRequestScanner::Result HttpRequestScanner::scan_start(
    uint8_t phase, uint8_t c, Cursor& in) {
    const size_t used = in.i + 1;
    switch (phase) {
        case kStart:
            if (took(in, take_method(in.here(), in.left()))) {
                // "GET " or "HEAD "
            } else if (c == kCR && !lf_after(in)) {
                phase_ = kStartCR;
            } else if (c == kCR || c == kLF) {
                // an empty line: stays in kStart
            } else if (is_tchar(c)) {
                phase_ = kMethod;
                cand_ = match(kAll2, kMethods, 0, c);
                pos_ = 1;
            } else {
                return fail(Error::BadMethod, used);
            }
            break;
        case kStartCR:
            if (c != kLF) return fail(Error::BadLineEnding, used);
            phase_ = kStart;
            break;
        default:
            break;
    }
    return {};
}

// RFC 9112 3: the request-line's method and request-target.
[[gnu::always_inline]] inline HttpRequestScanner::Result HttpRequestScanner::scan_target(
    uint8_t phase, uint8_t c, Cursor& in) {
    const size_t used = in.i + 1;
    switch (phase) {
        case kMethod:
            if (is_tchar(c)) {
                cand_ = match(cand_, kMethods, pos_, c);
                pos_ = next_pos(pos_);
            } else if (is_ws(c)) {
                const size_t m = matched(cand_, kMethods, pos_);
                method_ = m == 0 ? kGet : m == 1 ? kHead : kOtherMethod;
                cand_ = 0;
                pos_ = 0;
                phase_ = kSpTarget;
            } else if (c == kCR || c == kLF) {
                return fail(Error::BadRequestLine, used);
            } else {
                return fail(Error::BadMethod, used);
            }
            break;
        case kSpTarget:
            if (is_ws(c)) break;
            if (c == kCR || c == kLF) return fail(Error::BadRequestLine, used);
            if (!is_visible(c)) return fail(Error::BadTarget, used);
            phase_ = kTarget;
            skip_run(in, kVisible);
            break;
        case kTarget:
            if (is_visible(c)) {
                skip_run(in, kVisible);
                break;
            }
            if (is_ws(c)) {
                phase_ = kSpVersion;
                break;
            }
            // "GET /\r\n": HTTP/0.9 has no version and is not served.
            if (c == kCR || c == kLF) return fail(Error::BadVersion, used);
            return fail(Error::BadTarget, used);
        default:
            break;
    }
    return {};
}

// RFC 9112 3: the request-line's HTTP-version and its line end. kLineCR
// ends a field line too (scan_value() moves there on a CR whose LF is not
// in the data yet).
[[gnu::always_inline]] inline HttpRequestScanner::Result HttpRequestScanner::scan_version(
    uint8_t phase, uint8_t c, Cursor& in) {
    const size_t used = in.i + 1;
    switch (phase) {
        case kSpVersion:
            if (took(in, take_version(in.here(), in.left())) || is_ws(c)) break;
            if (c != 'H') return fail(Error::BadVersion, used);
            phase_ = kVersion;
            pos_ = 1;  // 'H' of kVersionPrefix matched
            break;
        case kVersion:
            // RFC 9112 2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT,
            // case-sensitive. Major 1 only; any minor >= 1 is served as 1.1.
            if (pos_ < kVersionPrefix.size()) {
                if (c != uint8_t(kVersionPrefix[pos_])) return fail(Error::BadVersion, used);
                ++pos_;
                break;
            }
            if (pos_ == kVersionPrefix.size()) {
                if (c < '0' || c > '9') return fail(Error::BadVersion, used);
                http11_ = c != '0';
                ++pos_;
                break;
            }
            // After the version, as after the whitespace that follows it.
            if (is_ws(c)) phase_ = kAfterVersion;
            [[fallthrough]];
        case kAfterVersion:
            if (is_ws(c)) break;
            if (c == kCR && !lf_after(in)) {
                phase_ = kLineCR;
            } else if (c == kCR || c == kLF) {
                if (!request_line_done()) return fail(Error::NotImplemented, in.i + 1);
            } else {
                return fail(Error::BadVersion, used);
            }
            break;
        case kLineCR:
            // The request-line's CR or a field line's (its value is done).
            if (c != kLF) return fail(Error::BadLineEnding, used);
            if (!request_line_done()) return fail(Error::NotImplemented, used);
            break;
        default:
            break;
    }
    return {};
}

// RFC 9112 5: a field line's start and name, or the empty line that ends
// the header section (and so the request).
[[gnu::always_inline]] inline HttpRequestScanner::Result HttpRequestScanner::scan_name(
    uint8_t phase, uint8_t c, Cursor& in) {
    const size_t used = in.i + 1;
    switch (phase) {
        case kLineStart:
            if (took(in, take_name(in.here(), in.left()))) {
                // "Connection:" or "Content-Length:"
            } else if (c == kCR && !lf_after(in)) {
                phase_ = kEndCR;
            } else if (c == kCR || c == kLF) {
                return complete(in.i + 1);
            } else if (is_tchar(c)) {
                phase_ = kName;
                cand_ = match(kAll3, kNames, 0, lower(c));
                pos_ = 1;
                // Not a known name: pos_ no longer matters.
                if (cand_ == 0) skip_run(in, kTchar);
            } else {
                // Includes SP/HTAB: obs-fold (RFC 9112 5.2), rejected.
                return fail(Error::BadHeader, used);
            }
            break;
        case kName:
            if (is_tchar(c)) {
                cand_ = match(cand_, kNames, pos_, lower(c));
                pos_ = next_pos(pos_);
                if (cand_ == 0) skip_run(in, kTchar);
                break;
            }
            // RFC 9112 5.1: no whitespace between name and colon ("MUST
            // reject ... with a response status code of 400").
            if (c != ':') return fail(Error::BadHeader, used);
            switch (matched(cand_, kNames, pos_)) {
                case 0:
                    kind_ = kConnection;
                    cand_ = kAll2;
                    break;
                case 1:
                    kind_ = kContentLength;
                    cand_ = 0;
                    break;
                case 2:
                    return fail(Error::BodyNotSupported, used);
                default:
                    kind_ = kOther;
                    cand_ = 0;
                    break;
            }
            pos_ = 0;
            tok_end_ = false;
            phase_ = kValue;
            break;
        case kEndCR:
            if (c != kLF) return fail(Error::BadLineEnding, used);
            return complete(used);
        default:
            break;
    }
    return {};
}

// RFC 9112 5: a field value, up to its line end.
[[gnu::always_inline]] inline HttpRequestScanner::Result HttpRequestScanner::scan_value(
    uint8_t c, Cursor& in) {
    const size_t used = in.i + 1;
    if (kind_ == kConnection && took(in, take_member(in.here(), in.left()))) {
        // " close\r\n" or " keep-alive\r\n"
    } else if (c == kCR || c == kLF) {
        if (const Error e = end_of_value(); e != Error::None) return fail(e, used);
        // The request-line's method was good, or its fields would not be
        // read: no request_line_done() check after the LF.
        phase_ = c == kCR && !lf_after(in) ? kLineCR : kLineStart;
    } else if (const Error e = value_byte(c); e != Error::None) {
        return fail(e, used);
    } else if (kind_ == kOther) {
        skip_run(in, kVisible | kWs);
    }
    return {};
}

// ---------------------------------------------------------------- the scanner

HttpRequestScanner::Result HttpRequestScanner::feed(const uint8_t* data, size_t len) {
    if (phase_ == kDone) return Result{.used = len};
    for (Cursor in{data, len, 0}; in.i < len; ++in.i) {
        const uint8_t c = data[in.i];
        if (++bytes_ > kMaxHeaderBytes) return fail(Error::TooLarge, in.i + 1);
        // One case per phase, each handing its phase to its part as a
        // constant: the part's own switch then folds away once inlined, and
        // a byte costs one dispatch, as when this was one switch.
        Result r;
        switch (phase_) {
            case kStart:
                r = scan_start(kStart, c, in);
                break;
            case kStartCR:
                r = scan_start(kStartCR, c, in);
                break;
            case kMethod:
                r = scan_target(kMethod, c, in);
                break;
            case kSpTarget:
                r = scan_target(kSpTarget, c, in);
                break;
            case kTarget:
                r = scan_target(kTarget, c, in);
                break;
            case kSpVersion:
                r = scan_version(kSpVersion, c, in);
                break;
            case kVersion:
                r = scan_version(kVersion, c, in);
                break;
            case kAfterVersion:
                r = scan_version(kAfterVersion, c, in);
                break;
            case kLineCR:
                r = scan_version(kLineCR, c, in);
                break;
            case kLineStart:
                r = scan_name(kLineStart, c, in);
                break;
            case kName:
                r = scan_name(kName, c, in);
                break;
            case kEndCR:
                r = scan_name(kEndCR, c, in);
                break;
            case kValue:
                r = scan_value(c, in);
                break;
            default:
                break;
        }
        if (r.event != Event::None) return r;
    }
    return Result{.used = len};
}

}  // namespace tern::app
