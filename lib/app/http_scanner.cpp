// The request scanner: one switch over the phase per byte. Known words
// (methods, field names, Connection members) are matched on the fly with a
// candidate bitmask and a position, so nothing is buffered.
#include "app/http_scanner.h"

#include <algorithm>
#include <array>
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

// ---------------------------------------------------------------- packing

HttpRequestScanner HttpRequestScanner::from_bits(uint64_t b) {
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

uint64_t HttpRequestScanner::bits() const {
    static_assert(kDone <= 0xF && kErrorCount <= 16 && kMaxHeaderBytes + 1 < (1u << 14));
    return uint64_t(phase_) | uint64_t(pos_) << 4 | uint64_t(cand_) << 9 | uint64_t(kind_) << 12 |
           uint64_t(method_) << 14 | uint64_t(http11_) << 16 | uint64_t(close_) << 17 |
           uint64_t(keep_) << 18 | uint64_t(tok_end_) << 19 | uint64_t(bytes_) << 20 |
           uint64_t(error_) << 34;
}

// ---------------------------------------------------------------- events

void HttpRequestScanner::reset_request() { *this = HttpRequestScanner(); }

HttpRequestScanner::Result HttpRequestScanner::fail(Error e, size_t used) {
    reset_request();
    phase_ = kDone;
    error_ = e;
    const Event ev = e == Error::NotImplemented ? Event::NotImplemented : Event::BadRequest;
    return Result{.event = ev, .keep_alive = false, .error = e, .used = used};
}

HttpRequestScanner::Result HttpRequestScanner::complete(size_t used) {
    // RFC 9112 9.3: "close" ends the connection in any version; otherwise
    // HTTP/1.1 persists, and HTTP/1.0 only with "keep-alive" (RFC 9112
    // Appendix C.2.2).
    const bool keep_alive = !close_ && (http11_ || keep_);
    const Event ev = method_ == kHead ? Event::Head : Event::Get;
    reset_request();
    if (!keep_alive) phase_ = kDone;
    return Result{.event = ev, .keep_alive = keep_alive, .error = Error::None, .used = used};
}

bool HttpRequestScanner::request_line_done() {
    // RFC 9110 9.1: a method the server does not implement -> 501. Only a
    // request-line can carry kOtherMethod: the scanner fails at its end.
    phase_ = kLineStart;
    return method_ != kOtherMethod;
}

// ---------------------------------------------------------------- field values

void HttpRequestScanner::end_member() {
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

HttpRequestScanner::Error HttpRequestScanner::value_byte(uint8_t c) {
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

HttpRequestScanner::Error HttpRequestScanner::end_of_value() {
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

// `w` is lowercase; p's letters are compared lowercased.
bool equal_nocase(const uint8_t* p, std::string_view w) {
    for (size_t k = 0; k < w.size(); ++k) {
        if (lower(p[k]) != uint8_t(w[k])) return false;
    }
    return true;
}

bool equal(const uint8_t* p, std::string_view w) { return std::memcmp(p, w.data(), w.size()) == 0; }

}  // namespace

size_t HttpRequestScanner::take_word(const uint8_t* p, size_t n) {
    // Far enough from the size limit that no byte taken here could cross it.
    if (uint32_t(bytes_) + 32 > kMaxHeaderBytes) return 0;
    size_t w = 0;
    switch (phase_) {
        case kStart:
            if (n >= 4 && equal(p, "GET ")) {
                method_ = kGet;
                w = 4;
            } else if (n >= 5 && equal(p, "HEAD ")) {
                method_ = kHead;
                w = 5;
            } else {
                return 0;
            }
            cand_ = 0;
            pos_ = 0;
            phase_ = kSpTarget;
            break;
        case kSpVersion:
            if (n < 8 || !equal(p, kVersionPrefix) || p[7] < '0' || p[7] > '9') return 0;
            http11_ = p[7] != '0';
            pos_ = uint8_t(kVersionPrefix.size() + 1);
            phase_ = kVersion;
            w = 8;
            break;
        case kLineStart:
            if (n >= 11 && equal_nocase(p, "connection:")) {
                kind_ = kConnection;
                cand_ = kAll2;
                w = 11;
            } else if (n >= 15 && equal_nocase(p, "content-length:")) {
                kind_ = kContentLength;
                cand_ = 0;
                w = 15;
            } else {
                return 0;
            }
            pos_ = 0;
            tok_end_ = false;
            phase_ = kValue;
            break;
        case kValue: {
            // A Connection value of one known member, then CRLF: the state
            // the byte-wise path reaches at the start of the next line.
            if (kind_ != kConnection || pos_ != 0 || tok_end_ || cand_ != kAll2) return 0;
            size_t k = 0;
            while (k < n && k < 8 && is_ws(p[k])) ++k;
            bool* flag = nullptr;
            size_t len = 0;
            if (n - k >= 7 && equal_nocase(p + k, "close\r\n")) {
                flag = &close_;
                len = 7;
            } else if (n - k >= 12 && equal_nocase(p + k, "keep-alive\r\n")) {
                flag = &keep_;
                len = 12;
            } else {
                return 0;
            }
            *flag = true;
            kind_ = kOther;
            cand_ = 0;
            phase_ = kLineStart;
            w = k + len;
            break;
        }
        default:
            return 0;
    }
    bytes_ = uint16_t(bytes_ + w);
    return w;
}

// ---------------------------------------------------------------- the scanner

HttpRequestScanner::Result HttpRequestScanner::feed(const uint8_t* data, size_t len) {
    if (phase_ == kDone) return Result{.used = len};
    for (size_t i = 0; i < len; ++i) {
        const bool word_start = phase_ == kStart || phase_ == kSpVersion || phase_ == kLineStart ||
                                (phase_ == kValue && kind_ == kConnection);
        if (word_start) {
            if (const size_t w = take_word(data + i, len - i)) {
                i += w - 1;
                continue;
            }
        }
        // Fast path through the runs nobody looks at: the target, names of
        // fields we do not know, and their values (User-Agent, Cookie, ...).
        // Stops short of the size limit, so the byte that crosses it takes
        // the slow path.
        uint8_t plain = 0;
        if (phase_ == kTarget) {
            plain = kVisible;
        } else if (phase_ == kValue && kind_ == kOther) {
            plain = kVisible | kWs;
        } else if (phase_ == kName && cand_ == 0) {  // pos_ no longer matters
            plain = kTchar;
        }
        if (plain) {
            const size_t end = std::min(len, i + (kMaxHeaderBytes - bytes_));
            size_t j = i;
            while (j < end && (kClass[data[j]] & plain)) ++j;
            bytes_ = uint16_t(bytes_ + (j - i));
            i = j;
            if (i == len) break;
        }
        const uint8_t c = data[i];
        const size_t used = i + 1;
        if (++bytes_ > kMaxHeaderBytes) return fail(Error::TooLarge, used);
        switch (phase_) {
            // ---- RFC 9112 2.2: empty lines before the request-line
            case kStart:
                if (c == kCR) {
                    phase_ = kStartCR;
                } else if (c == kLF) {
                    // stays in kStart
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

            // ---- RFC 9112 3: request-line
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
                break;
            case kTarget:
                if (is_visible(c)) break;
                if (is_ws(c)) {
                    phase_ = kSpVersion;
                    break;
                }
                // "GET /\r\n": HTTP/0.9 has no version and is not served.
                if (c == kCR || c == kLF) return fail(Error::BadVersion, used);
                return fail(Error::BadTarget, used);
            case kSpVersion:
                if (is_ws(c)) break;
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
                } else if (pos_ == kVersionPrefix.size()) {
                    if (c < '0' || c > '9') return fail(Error::BadVersion, used);
                    http11_ = c != '0';
                    ++pos_;
                } else if (is_ws(c)) {
                    phase_ = kAfterVersion;
                } else if (c == kCR) {
                    phase_ = kLineCR;
                } else if (c == kLF) {
                    if (!request_line_done()) return fail(Error::NotImplemented, used);
                } else {
                    return fail(Error::BadVersion, used);
                }
                break;
            case kAfterVersion:
                if (is_ws(c)) break;
                if (c == kCR) {
                    phase_ = kLineCR;
                } else if (c == kLF) {
                    if (!request_line_done()) return fail(Error::NotImplemented, used);
                } else {
                    return fail(Error::BadVersion, used);
                }
                break;
            case kLineCR:
                // The request-line's CR or a field line's (its value is done).
                if (c != kLF) return fail(Error::BadLineEnding, used);
                if (!request_line_done()) return fail(Error::NotImplemented, used);
                break;

            // ---- RFC 9112 5: field lines, then the empty line
            case kLineStart:
                if (c == kCR) {
                    phase_ = kEndCR;
                } else if (c == kLF) {
                    return complete(used);
                } else if (is_tchar(c)) {
                    phase_ = kName;
                    cand_ = match(kAll3, kNames, 0, lower(c));
                    pos_ = 1;
                } else {
                    // Includes SP/HTAB: obs-fold (RFC 9112 5.2), rejected.
                    return fail(Error::BadHeader, used);
                }
                break;
            case kName:
                if (is_tchar(c)) {
                    cand_ = match(cand_, kNames, pos_, lower(c));
                    pos_ = next_pos(pos_);
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
            case kValue:
                if (c == kCR || c == kLF) {
                    if (const Error e = end_of_value(); e != Error::None) return fail(e, used);
                    phase_ = c == kCR ? kLineCR : kLineStart;
                } else if (const Error e = value_byte(c); e != Error::None) {
                    return fail(e, used);
                }
                break;
            case kEndCR:
                if (c != kLF) return fail(Error::BadLineEnding, used);
                return complete(used);
            default:
                break;
        }
    }
    return Result{.used = len};
}

}  // namespace tern::app
