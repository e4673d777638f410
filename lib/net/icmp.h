// ICMP echo (RFC 792): the only ICMP the engine answers.
#pragma once

#include <cstdint>

#include "net/frame.h"

namespace tern::net {

namespace icmp {
inline constexpr uint8_t kEchoReply = 0, kEchoRequest = 8;
inline constexpr size_t kType = 0, kCode = 1, kCsum = 2;
}  // namespace icmp

inline bool icmp_is_echo_request(const Frame& f) {
    const uint8_t* p = f.data + f.l4;
    return p[icmp::kType] == icmp::kEchoRequest && p[icmp::kCode] == 0;
}

// Echo request -> echo reply in the same frame: swap L2/L3 ends, change the
// type and patch the checksum incrementally (the payload is untouched).
void icmp_echo_make_reply(const Frame& f, const MacAddr& our_mac);

}  // namespace tern::net
