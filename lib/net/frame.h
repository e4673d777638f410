// Classifying a received Ethernet frame: one bounds-checked pass that either
// names the protocol to hand it to, with header offsets, or names the reason
// it is dropped. Every reason is a per-worker counter.
#pragma once

#include <cstdint>

#include "net/ether.h"

namespace tern::net {

enum class FrameKind : uint8_t { arp, icmp, tcp, drop };

enum class DropReason : uint8_t {
    truncated,     // shorter than its headers or its IPv4 total length
    bad_checksum,  // IPv4 header, ICMP or TCP checksum wrong
    not_for_us,    // other MAC or IP destination, ARP for another address
    unsupported,   // other ethertype / IP protocol, IPv6, VLAN
    malformed,     // header fields that cannot be right (IP version, IHL)
    fragment,      // IPv4 fragments: a TCP terminator does not reassemble
    bad_address,   // martian source: ours (land), broadcast, multicast, zero
    count
};
const char* drop_reason_name(DropReason r);

struct Frame {
    uint8_t* data = nullptr;
    uint32_t len = 0;     // bytes of frame actually present
    uint16_t l3 = 0;      // offset of the IPv4 / ARP header
    uint16_t l4 = 0;      // offset of the ICMP / TCP header
    uint16_t l4_len = 0;  // L4 bytes per the IPv4 total length (padding excluded)
    uint32_t saddr = 0, daddr = 0;  // IPv4, host order
};

struct LocalAddr {
    MacAddr mac;
    uint32_t ip = 0;
    uint32_t broadcast = 0;  // the subnet's directed broadcast, never a valid source
};

struct ClassifyOptions {
    bool ip_csum_checked = false;  // the NIC verified the IPv4 header checksum
    bool l4_csum_checked = false;  // the NIC verified the TCP/ICMP checksum
};

struct Classified {
    FrameKind kind = FrameKind::drop;
    DropReason reason = DropReason::unsupported;
};

Classified classify(uint8_t* data, uint32_t len, const LocalAddr& local, Frame& f,
                    ClassifyOptions opt = {});

}  // namespace tern::net
