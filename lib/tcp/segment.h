// TCP segments as the protocol core sees them (RFC 9293 3.1).
//
// Segment: a received header parsed once, with a bounds check per field
// group, into plain values; payload points into the caller's packet buffer.
// OutSegment: what the core wants sent; the engine turns it into a packet
// with write_tcp_header() plus the payload bytes, and fills in the
// checksum over the IPv4 pseudo-header.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcp/options.h"
#include "tcp/tuple.h"
#include "util/seq.h"

namespace tern::tcp {

namespace flag {
inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;
}  // namespace flag

inline constexpr size_t kTcpHeaderMin = 20;
inline constexpr size_t kTcpHeaderMax = 60;

struct Segment {
    util::SeqNum seq;
    util::SeqNum ack;
    uint8_t flags = 0;
    uint16_t window = 0;  // as on the wire, not yet scaled
    uint16_t urgent = 0;
    TcpOptions opt;
    const uint8_t* payload = nullptr;
    uint32_t payload_len = 0;

    bool has(uint8_t f) const { return (flags & f) != 0; }
    // SEG.LEN: sequence space occupied, SYN and FIN count one each.
    util::SeqLen seg_len() const {
        return payload_len + ((flags & flag::kSyn) ? 1 : 0) + ((flags & flag::kFin) ? 1 : 0);
    }
};

// What was wrong with a received TCP header; each is counted separately.
// The header errors drop the segment. The option errors do not: parsing
// stops at the malformed option, the options before it are kept and the
// segment is processed (Linux tcp_parse_options returns there likewise).
enum class ParseResult : uint8_t {
    Ok,
    Truncated,                // fewer than 20 bytes
    DataOffsetTooSmall,       // data offset < 5 words
    DataOffsetBeyondSegment,  // data offset * 4 > segment length
    OptionOverrun,            // an option's length runs past the header
    OptionZeroLength,         // an option with length byte 0
    OptionOneLength,          // an option with length byte 1
};

const char* parse_result_name(ParseResult r);
// The segment was parsed (Ok, or options cut short at a malformed one).
inline bool parsed(ParseResult r) {
    return r == ParseResult::Ok || r >= ParseResult::OptionOverrun;
}

// Parses the TCP header and options at `tcp` (header + payload, `len`
// bytes, checksum already verified by the caller).
ParseResult parse_segment(const uint8_t* tcp, size_t len, Segment& out);

// A segment the core wants sent. The payload may lie in two pieces (it is
// cut from a chain of fixed-size send-buffer chunks); both pointers stay
// valid until the next call into the Stack.
struct OutSegment {
    Tuple tuple;  // local = source, remote = destination
    util::SeqNum seq;
    util::SeqNum ack;
    uint8_t flags = 0;
    uint16_t window = 0;  // already scaled down by our receive shift
    TcpOptions opt;       // only the options marked present are emitted
    const uint8_t* payload = nullptr;
    uint32_t payload_len = 0;
    const uint8_t* payload2 = nullptr;
    uint32_t payload2_len = 0;

    uint32_t total_payload() const { return payload_len + payload2_len; }
    size_t header_length() const { return kTcpHeaderMin + options_length(opt); }
};

// Writes the TCP header and options of `s` into buf; the checksum field is
// left 0 for the engine (it knows the IP pseudo-header and may offload).
// Returns the header length, or 0 if cap is too small. `sum`, if given,
// gets the unfolded one's-complement sum of the header as written.
size_t write_tcp_header(uint8_t* buf, size_t cap, const OutSegment& s, uint32_t* sum = nullptr);
// The same for a caller that sized the frame with hlen = s.header_length()
// and has room for it: the options are not measured a second time.
void write_tcp_header_sized(uint8_t* buf, size_t hlen, const OutSegment& s, uint32_t* sum);

// Header, options and payload; returns the total length or 0 if cap is too
// small. For tests, tools and engines that copy rather than chain buffers.
size_t write_tcp_segment(uint8_t* buf, size_t cap, const OutSegment& s);

}  // namespace tern::tcp
