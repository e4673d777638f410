// ARP for IPv4 over Ethernet (RFC 826): we answer requests for our address.
#pragma once

#include <cstddef>
#include <cstdint>

#include "net/ether.h"

namespace tern::net {

namespace arp {
inline constexpr size_t kLen = 28;
inline constexpr size_t kHtype = 0, kPtype = 2, kHlen = 4, kPlen = 5, kOper = 6, kSha = 8,
                        kSpa = 14, kTha = 18, kTpa = 24;
inline constexpr uint16_t kOpRequest = 1, kOpReply = 2;
}  // namespace arp

enum class ArpVerdict : uint8_t { request_for_us, not_for_us, truncated, unsupported, bad_sender };

ArpVerdict arp_classify(const uint8_t* arp, size_t len, uint32_t our_ip);

// Turn a request for our address into its reply, in the same frame.
void arp_make_reply(uint8_t* frame, const MacAddr& our_mac, uint32_t our_ip);

}  // namespace tern::net
