// TCP options (RFC 9293 3.1, 3.2): MSS, window scale (RFC 7323 2), SACK
// permitted and SACK blocks (RFC 2018), timestamps (RFC 7323 3).
//
// One struct serves both directions: parse_options() fills it from a
// received header, write_options() emits the options it marks present, so a
// test can round-trip any segment through the wire format.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/seq.h"

namespace tern::tcp {

namespace opt {
inline constexpr uint8_t kEol = 0;
inline constexpr uint8_t kNop = 1;
inline constexpr uint8_t kMss = 2;
inline constexpr uint8_t kWscale = 3;
inline constexpr uint8_t kSackPermitted = 4;
inline constexpr uint8_t kSack = 5;
inline constexpr uint8_t kTimestamp = 8;
}  // namespace opt

// RFC 7323 2.3: a shift above 14 is treated as 14.
inline constexpr uint8_t kMaxWindowShift = 14;
// 40 option bytes hold at most four SACK blocks (2 + 4 * 8 = 34).
inline constexpr int kMaxSackBlocks = 4;

struct SackBlock {
    util::SeqNum left;   // first sequence number of the block
    util::SeqNum right;  // sequence number just after the block

    friend bool operator==(const SackBlock&, const SackBlock&) = default;
};

struct TcpOptions {
    uint16_t mss = 0;
    uint8_t wscale = 0;
    bool has_mss = false;
    bool has_wscale = false;
    bool sack_permitted = false;
    bool has_timestamp = false;
    uint8_t sack_count = 0;
    uint32_t ts_val = 0;
    uint32_t ts_ecr = 0;
    SackBlock sack[kMaxSackBlocks] = {};

    friend bool operator==(const TcpOptions&, const TcpOptions&) = default;
};

// Why parsing an option area stopped early. Each is counted; the options
// before the malformed one are kept (see ParseResult).
enum class OptionError : uint8_t {
    None,
    // A kind other than EOL/NOP whose length byte, or whose declared length,
    // runs past the end of the header.
    Overrun,
    // Length byte 0: a parser that trusted it would loop forever.
    ZeroLength,
    // Length byte 1: shorter than the kind+length bytes themselves.
    OneLength,
};

// Parses the option bytes between the fixed header and the data offset.
// Unknown kinds are skipped by their length; a known kind with the wrong
// length is ignored as Linux does (tcp_parse_options); EOL ends the list.
// A malformed option ends it too, `out` keeping what came before.
OptionError parse_options(const uint8_t* p, size_t len, TcpOptions& out);

namespace detail {

constexpr size_t kMaxOptionBytes = 40;

// What write_options() lays out before any SACK blocks.
inline size_t fixed_options_length(const TcpOptions& o) {
    size_t n = o.has_mss ? 4 : 0;
    if (o.has_timestamp) {
        n += 12;  // SACK-permitted rides in the two NOPs before TSopt
    } else if (o.sack_permitted) {
        n += 4;
    }
    return n + (o.has_wscale ? 4 : 0);
}

inline int sack_blocks_that_fit(const TcpOptions& o, size_t fixed) {
    if (o.sack_count == 0 || fixed + 12 > kMaxOptionBytes) return 0;
    const int room = int((kMaxOptionBytes - fixed - 4) / 8);
    return o.sack_count < room ? o.sack_count : room;
}

}  // namespace detail

// Bytes write_options() will produce, a multiple of 4, at most 40 (inline:
// every segment sent asks, some twice).
inline size_t options_length(const TcpOptions& o) {
    const size_t fixed = detail::fixed_options_length(o);
    const int blocks = detail::sack_blocks_that_fit(o, fixed);
    return fixed + (blocks ? 4 + 8 * size_t(blocks) : 0);
}

// Writes the options, NOP-padded to 32-bit alignment (the layouts Linux
// sends, so captures look familiar): options_length(o) bytes at `p`.
// Returns their one's-complement sum, unfolded (util::SummingWriter). SACK
// blocks that do not fit in 40 bytes beside the other options are left out
// (the first ones are kept).
uint32_t write_options(uint8_t* p, const TcpOptions& o);

}  // namespace tern::tcp
