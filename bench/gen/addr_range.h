// Source address ranges of the generator. Every address it writes comes
// from 198.18.0.0/15 (RFC 2544's benchmarking block), so ranges outside it
// are refused when the options are read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::gen {

inline constexpr uint32_t kBenchNet = (198u << 24) | (18u << 16);  // 198.18.0.0
inline constexpr uint32_t kBenchMask = 0xFFFE0000u;                 // /15

struct AddrRange {
    uint32_t first = 0, last = 0;  // inclusive, host order

    uint64_t size() const { return uint64_t(last) - first + 1; }
    bool contains(uint32_t a) const { return a >= first && a <= last; }
    bool overlaps(const AddrRange& o) const { return first <= o.last && o.first <= last; }
    bool inside_bench_net() const {
        return (first & kBenchMask) == kBenchNet && (last & kBenchMask) == kBenchNet;
    }
    // The address at index i (i < size()).
    uint32_t at(uint64_t i) const { return first + uint32_t(i); }
    std::string str() const;
};

// "A-B" (inclusive), "A/len" or a single address.
std::optional<AddrRange> parse_range(std::string_view s);

}  // namespace tern::gen
