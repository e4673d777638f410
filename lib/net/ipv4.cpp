#include "net/ipv4.h"

#include <charconv>
#include <cstring>

#include "net/checksum.h"
#include "util/bytes.h"
#include "util/summing_writer.h"

namespace tern::net {

using util::load_be32;
using util::store_be16;

std::optional<uint32_t> parse_ipv4(std::string_view s) {
    uint32_t addr = 0;
    for (int i = 0; i < 4; ++i) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p == s.data() || v > 255 || p - s.data() > 3) return std::nullopt;
        addr = addr << 8 | v;
        s.remove_prefix(size_t(p - s.data()));
        if (i < 3) {
            if (s.empty() || s[0] != '.') return std::nullopt;
            s.remove_prefix(1);
        }
    }
    if (!s.empty()) return std::nullopt;
    return addr;
}

std::string format_ipv4(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 255) + "." +
           std::to_string(a >> 8 & 255) + "." + std::to_string(a & 255);
}

std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view s) {
    Ipv4Cidr c;
    auto slash = s.find('/');
    auto addr = parse_ipv4(s.substr(0, slash));
    if (!addr) return std::nullopt;
    c.addr = *addr;
    c.prefix = 32;
    if (slash != std::string_view::npos) {
        auto pl = s.substr(slash + 1);
        unsigned v = 0;
        auto [p, ec] = std::from_chars(pl.data(), pl.data() + pl.size(), v);
        if (ec != std::errc() || p != pl.data() + pl.size() || pl.empty() || v > 32)
            return std::nullopt;
        c.prefix = uint8_t(v);
    }
    return c;
}

void ipv4_set_checksum(uint8_t* ip) {
    size_t hl = size_t(ip[ip4::kVerIhl] & 0x0F) * 4;
    store_be16(ip + ip4::kCsum, 0);
    store_be16(ip + ip4::kCsum, checksum(ip, hl));
}

void ipv4_swap_to_reply(uint8_t* ip) {
    uint8_t tmp[4];
    std::memcpy(tmp, ip + ip4::kSrc, 4);
    std::memcpy(ip + ip4::kSrc, ip + ip4::kDst, 4);
    std::memcpy(ip + ip4::kDst, tmp, 4);
    ip[ip4::kTtl] = ip4::kDefaultTtl;
    ipv4_set_checksum(ip);
}

}  // namespace tern::net

namespace tern::net {

void ipv4_write_header(uint8_t* ip, uint32_t saddr, uint32_t daddr, uint8_t proto,
                       uint16_t l4_len, uint16_t id, bool csum_offload) {
    util::SummingWriter w(ip);
    w.put8x2(0x45, 0);  // version 4, 20-byte header; TOS 0
    w.put16(uint16_t(ip4::kMinHdrLen + l4_len));
    w.put16(id);
    w.put16(0x4000);  // DF: TCP does its own MSS sizing
    w.put8x2(ip4::kDefaultTtl, proto);
    uint8_t* const csum = w.pos();
    w.put16(0);
    w.put32(saddr);
    w.put32(daddr);
    if (!csum_offload) store_be16(csum, csum_fold(w.sum()));
}

}  // namespace tern::net
