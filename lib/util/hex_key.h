// A 128-bit key written as 32 hex digits (configuration of shared secrets).
#pragma once

#include <optional>
#include <string_view>

#include "util/siphash.h"

namespace tern::util {

inline std::optional<SipKey> parse_key_hex(std::string_view hex) {
    if (hex.size() != 32) return std::nullopt;
    uint64_t w[2] = {0, 0};
    for (size_t i = 0; i < 32; ++i) {
        char c = hex[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0) return std::nullopt;
        w[i / 16] = w[i / 16] << 4 | uint64_t(v);
    }
    return SipKey{w[0], w[1]};
}

}  // namespace tern::util
