// Ethernet II framing. Offsets are named; fields are read with util/bytes.h.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace tern::net {

struct MacAddr {
    std::array<uint8_t, 6> b{};

    static MacAddr from(const uint8_t* p) {
        MacAddr m;
        std::memcpy(m.b.data(), p, 6);
        return m;
    }
    void to(uint8_t* p) const { std::memcpy(p, b.data(), 6); }
    bool is_broadcast() const { return b == std::array<uint8_t, 6>{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}; }
    bool is_multicast() const { return b[0] & 1; }
    friend bool operator==(const MacAddr&, const MacAddr&) = default;
    std::string str() const;
};

namespace eth {
inline constexpr size_t kHdrLen = 14;
inline constexpr size_t kDst = 0, kSrc = 6, kType = 12;
inline constexpr uint16_t kTypeIpv4 = 0x0800;
inline constexpr uint16_t kTypeArp = 0x0806;
inline constexpr uint16_t kTypeVlan = 0x8100;
inline constexpr uint16_t kTypeIpv6 = 0x86DD;
}  // namespace eth

// Reply in place: the frame goes back where it came from, from us.
inline void eth_swap_to_reply(uint8_t* frame, const MacAddr& our_mac) {
    std::memcpy(frame + eth::kDst, frame + eth::kSrc, 6);
    our_mac.to(frame + eth::kSrc);
}

}  // namespace tern::net
