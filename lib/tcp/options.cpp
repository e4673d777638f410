#include "tcp/options.h"

#include "util/bytes.h"
#include "util/summing_writer.h"

namespace tern::tcp {

using util::load_be16;
using util::load_be32;
using util::SeqNum;
using util::store_be16;
using util::store_be32;

namespace {

// The two layouts nearly every segment carries, recognised by their fixed
// bytes: what Linux (and most stacks) put in a SYN, MSS, SACK-permitted,
// TS, NOP, WS (20 bytes), and the RFC 7323 Appendix A timestamp block of
// every later segment, NOP, NOP, TS (12 bytes). The result is the one the
// general loop gives for the same bytes.
bool parse_common_layout(const uint8_t* p, size_t len, TcpOptions& out) {
    if (len == 12 && load_be32(p) == 0x0101080a) {
        out.has_timestamp = true;
        out.ts_val = load_be32(p + 4);
        out.ts_ecr = load_be32(p + 8);
        return true;
    }
    if (len == 20 && p[0] == opt::kMss && p[1] == 4 && load_be32(p + 4) == 0x0402080a &&
        load_be32(p + 16) >> 8 == 0x010303) {
        out.has_mss = true;
        out.mss = load_be16(p + 2);
        out.sack_permitted = true;
        out.has_timestamp = true;
        out.ts_val = load_be32(p + 8);
        out.ts_ecr = load_be32(p + 12);
        out.has_wscale = true;
        out.wscale = p[19] > kMaxWindowShift ? kMaxWindowShift : p[19];
        return true;
    }
    return false;
}

}  // namespace

OptionError parse_options(const uint8_t* p, size_t len, TcpOptions& out) {
    out = TcpOptions{};
    if (parse_common_layout(p, len, out)) return OptionError::None;
    size_t i = 0;
    while (i < len) {
        const uint8_t kind = p[i];
        if (kind == opt::kEol) break;  // RFC 9293 3.1: the rest is padding
        if (kind == opt::kNop) {
            ++i;
            continue;
        }
        // Every other kind has a length byte that counts kind and length.
        if (i + 1 >= len) return OptionError::Overrun;
        const uint8_t olen = p[i + 1];
        if (olen == 0) return OptionError::ZeroLength;
        if (olen == 1) return OptionError::OneLength;
        if (olen > len - i) return OptionError::Overrun;
        const uint8_t* v = p + i + 2;
        switch (kind) {
            case opt::kMss:
                if (olen == 4) {
                    out.has_mss = true;
                    out.mss = load_be16(v);
                }
                break;
            case opt::kWscale:
                if (olen == 3) {
                    out.has_wscale = true;
                    // RFC 7323 2.3: log and use 14 for anything larger.
                    out.wscale = v[0] > kMaxWindowShift ? kMaxWindowShift : v[0];
                }
                break;
            case opt::kSackPermitted:
                if (olen == 2) out.sack_permitted = true;
                break;
            case opt::kSack:
                if (olen >= 10 && (olen - 2) % 8 == 0) {
                    const int n = (olen - 2) / 8;
                    out.sack_count = uint8_t(n > kMaxSackBlocks ? kMaxSackBlocks : n);
                    for (int b = 0; b < out.sack_count; ++b) {
                        out.sack[b].left = SeqNum(load_be32(v + 8 * b));
                        out.sack[b].right = SeqNum(load_be32(v + 8 * b + 4));
                    }
                }
                break;
            case opt::kTimestamp:
                if (olen == 10) {
                    out.has_timestamp = true;
                    out.ts_val = load_be32(v);
                    out.ts_ecr = load_be32(v + 4);
                }
                break;
            default:
                break;  // unknown kind: skipped by its length (RFC 9293 3.2)
        }
        i += olen;
    }
    return OptionError::None;
}

uint32_t write_options(uint8_t* p, const TcpOptions& o) {
    // A local writer: one behind a reference could be aliased by the byte
    // stores, and would be reloaded and stored back around each of them.
    util::SummingWriter w(p);
    if (o.has_mss) {
        w.put8x2(opt::kMss, 4);
        w.put16(o.mss);
    }
    if (o.has_timestamp) {
        if (o.sack_permitted) {
            w.put8x2(opt::kSackPermitted, 2);
        } else {
            w.put8x2(opt::kNop, opt::kNop);
        }
        w.put8x2(opt::kTimestamp, 10);
        w.put32(o.ts_val);
        w.put32(o.ts_ecr);
    } else if (o.sack_permitted) {
        w.put8x2(opt::kNop, opt::kNop);
        w.put8x2(opt::kSackPermitted, 2);
    }
    if (o.has_wscale) {
        w.put8x2(opt::kNop, opt::kWscale);
        w.put8x2(3, o.wscale);
    }
    const int blocks = detail::sack_blocks_that_fit(o, size_t(w.pos() - p));
    if (blocks) {
        w.put8x2(opt::kNop, opt::kNop);
        w.put8x2(opt::kSack, uint8_t(2 + 8 * blocks));
        for (int b = 0; b < blocks; ++b) {
            w.put32(o.sack[b].left.raw());
            w.put32(o.sack[b].right.raw());
        }
    }
    return w.sum();
}

}  // namespace tern::tcp
