#include "response_head.h"

#include <cstring>
#include <string_view>

namespace tern::gen {

namespace {

constexpr std::string_view kStatus = "HTTP/1.1 200";
constexpr std::string_view kLength = "\r\ncontent-length:";

bool iequal(char a, char b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    return lower(a) == lower(b);
}

}  // namespace

std::optional<uint64_t> response_length(const uint8_t* p, size_t n) {
    const std::string_view s(reinterpret_cast<const char*>(p), n);
    if (s.size() <= kStatus.size() || s.substr(0, kStatus.size()) != kStatus || s[kStatus.size()] != ' ')
        return std::nullopt;
    const size_t end = s.find("\r\n\r\n");
    if (end == std::string_view::npos) return std::nullopt;
    const size_t head_len = end + 4;
    // Field names are case-insensitive (RFC 9110 5.1).
    for (size_t at = s.find("\r\n"); at < end; at = s.find("\r\n", at + 2)) {
        if (at + kLength.size() > end + 2) break;
        bool match = true;
        for (size_t k = 0; k < kLength.size() && match; ++k) match = iequal(s[at + k], kLength[k]);
        if (!match) continue;
        size_t v = at + kLength.size();
        while (v < end && (s[v] == ' ' || s[v] == '\t')) ++v;
        uint64_t len = 0;
        size_t digits = 0;
        for (; v < end && s[v] >= '0' && s[v] <= '9' && digits < 12; ++v, ++digits)
            len = len * 10 + uint64_t(s[v] - '0');
        if (digits == 0 || (v < end && s[v] != '\r' && s[v] != ' ' && s[v] != '\t')) return std::nullopt;
        return head_len + len;
    }
    return std::nullopt;
}

}  // namespace tern::gen
