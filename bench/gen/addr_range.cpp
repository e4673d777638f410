#include "addr_range.h"

#include "net/ipv4.h"

namespace tern::gen {

std::string AddrRange::str() const {
    return net::format_ipv4(first) + "-" + net::format_ipv4(last);
}

std::optional<AddrRange> parse_range(std::string_view s) {
    if (auto dash = s.find('-'); dash != std::string_view::npos) {
        auto a = net::parse_ipv4(s.substr(0, dash));
        auto b = net::parse_ipv4(s.substr(dash + 1));
        if (!a || !b || *a > *b) return std::nullopt;
        return AddrRange{*a, *b};
    }
    auto c = net::parse_ipv4_cidr(s);
    if (!c) return std::nullopt;
    const uint32_t base = c->addr & c->mask();
    return AddrRange{base, base | ~c->mask()};
}

}  // namespace tern::gen
