// Ethernet + IPv4 + TCP frames as the load generators write and read them:
// plain byte buffers, no DPDK. Addresses and ports are host order.
#pragma once

#include <cstdint>

#include "net/ether.h"

namespace tern::bench {

// A segment to write.
struct TcpOut {
    uint32_t saddr = 0, daddr = 0;
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 64240;
    bool syn_opts = false;  // MSS 1460, SACK-permitted, TS, NOP, WS 7 (as Linux)
    bool ts = false;        // NOP NOP TS on non-SYN segments
    uint32_t tsval = 0, tsecr = 0;
    const uint8_t* payload = nullptr;
    uint16_t payload_len = 0;
};

// Size of the option block write_frame() emits for s.
inline uint16_t tcp_option_bytes(const TcpOut& s) { return s.syn_opts ? 20 : (s.ts ? 12 : 0); }

// Writes Ethernet + IPv4 + TCP (+ payload) with valid checksums at p;
// returns the frame length.
uint16_t write_frame(uint8_t* p, const net::MacAddr& src, const net::MacAddr& dst, const TcpOut& s);

// A received segment, its payload pointing into the frame.
struct TcpIn {
    uint32_t saddr = 0, daddr = 0;
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    bool has_ts = false;
    uint32_t tsval = 0, tsecr = 0;
    const uint8_t* payload = nullptr;
    uint16_t payload_len = 0;
};

// Parses an Ethernet/IPv4/TCP frame; false if it is not one.
bool parse_frame(const uint8_t* p, uint32_t len, TcpIn& out);
// Both checksums verify (software, as the receiving NIC would).
bool checksums_ok(const uint8_t* p, uint32_t len);

}  // namespace tern::bench
