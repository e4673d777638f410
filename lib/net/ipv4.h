// IPv4 header (RFC 791) and address helpers. Addresses are host order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::net {

namespace ip4 {
inline constexpr size_t kMinHdrLen = 20;
inline constexpr size_t kVerIhl = 0, kTos = 1, kTotLen = 2, kId = 4, kFragOff = 6, kTtl = 8,
                        kProto = 9, kCsum = 10, kSrc = 12, kDst = 16;
inline constexpr uint16_t kFlagMF = 0x2000, kOffMask = 0x1FFF;
inline constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17;
inline constexpr uint8_t kDefaultTtl = 64;
}  // namespace ip4

std::optional<uint32_t> parse_ipv4(std::string_view s);
std::string format_ipv4(uint32_t addr);

struct Ipv4Cidr {
    uint32_t addr = 0;
    uint8_t prefix = 0;
    uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix); }
    // RFC 3021: a /31 (and a /32) has no directed broadcast address; the other
    // end of a /31 is a host, so only the limited broadcast remains.
    uint32_t broadcast() const { return prefix >= 31 ? 0xFFFFFFFF : (addr & mask()) | ~mask(); }
    bool operator==(const Ipv4Cidr&) const = default;
};
// "a.b.c.d/len"; a bare address means /32.
std::optional<Ipv4Cidr> parse_ipv4_cidr(std::string_view s);

// Rewrite an IPv4 header in place so it answers its sender: swap addresses,
// fresh TTL, recomputed header checksum.
void ipv4_swap_to_reply(uint8_t* ip);
// Write the header checksum of a header of ihl*4 bytes.
void ipv4_set_checksum(uint8_t* ip);

}  // namespace tern::net

namespace tern::net {

// Writes a 20-byte IPv4 header (DF set, TTL 64) with its checksum unless
// the NIC will fill it (`csum_offload`).
void ipv4_write_header(uint8_t* ip, uint32_t saddr, uint32_t daddr, uint8_t proto,
                       uint16_t l4_len, uint16_t id, bool csum_offload);

}  // namespace tern::net
