#include "tcp/segment.h"

#include <cstring>

#include "util/bytes.h"
#include "util/summing_writer.h"

namespace tern::tcp {

using util::load_be16;
using util::load_be32;
using util::SeqNum;
using util::store_be16;
using util::store_be32;

const char* parse_result_name(ParseResult r) {
    switch (r) {
        case ParseResult::Ok:
            return "ok";
        case ParseResult::Truncated:
            return "truncated";
        case ParseResult::DataOffsetTooSmall:
            return "data_offset_too_small";
        case ParseResult::DataOffsetBeyondSegment:
            return "data_offset_beyond_segment";
        case ParseResult::OptionOverrun:
            return "option_overrun";
        case ParseResult::OptionZeroLength:
            return "option_zero_length";
        case ParseResult::OptionOneLength:
            return "option_one_length";
    }
    return "?";
}

ParseResult parse_segment(const uint8_t* tcp, size_t len, Segment& out) {
    if (len < kTcpHeaderMin) return ParseResult::Truncated;
    const size_t hlen = size_t(tcp[12] >> 4) * 4;
    if (hlen < kTcpHeaderMin) return ParseResult::DataOffsetTooSmall;
    if (hlen > len) return ParseResult::DataOffsetBeyondSegment;

    out.seq = SeqNum(load_be32(tcp + 4));
    out.ack = SeqNum(load_be32(tcp + 8));
    out.flags = tcp[13];
    out.window = load_be16(tcp + 14);
    out.urgent = load_be16(tcp + 18);
    out.payload = tcp + hlen;
    out.payload_len = uint32_t(len - hlen);
    switch (parse_options(tcp + kTcpHeaderMin, hlen - kTcpHeaderMin, out.opt)) {
        case OptionError::None:
            break;
        case OptionError::Overrun:
            return ParseResult::OptionOverrun;
        case OptionError::ZeroLength:
            return ParseResult::OptionZeroLength;
        case OptionError::OneLength:
            return ParseResult::OptionOneLength;
    }
    return ParseResult::Ok;
}

size_t write_tcp_header(uint8_t* buf, size_t cap, const OutSegment& s, uint32_t* sum) {
    const size_t hlen = s.header_length();
    if (cap < hlen) return 0;
    uint32_t header_sum;
    write_tcp_header_sized(buf, hlen, s, &header_sum);
    if (sum) *sum = header_sum;
    return hlen;
}

void write_tcp_header_sized(uint8_t* buf, size_t hlen, const OutSegment& s, uint32_t* sum) {
    util::SummingWriter w(buf);
    w.put16(s.tuple.local_port);
    w.put16(s.tuple.remote_port);
    w.put32(s.seq.raw());
    w.put32(s.ack.raw());
    w.put8x2(uint8_t((hlen / 4) << 4), s.flags);
    w.put16(s.window);
    w.put16(0);  // checksum: the engine's (pseudo-header, offload)
    w.put16(0);  // urgent pointer: tern never sends urgent data
    const uint32_t options_sum = write_options(w.pos(), s.opt);
    *sum = w.sum() + options_sum;
}

size_t write_tcp_segment(uint8_t* buf, size_t cap, const OutSegment& s) {
    const size_t hlen = s.header_length();
    const size_t total = hlen + s.total_payload();
    if (cap < total) return 0;
    write_tcp_header(buf, cap, s);
    if (s.payload_len) std::memcpy(buf + hlen, s.payload, s.payload_len);
    if (s.payload2_len) std::memcpy(buf + hlen + s.payload_len, s.payload2, s.payload2_len);
    return total;
}

}  // namespace tern::tcp
