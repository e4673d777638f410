// Frames captured from the Linux kernel (6.18, Debian 12), the known inputs of
// the [net] tests, and small helpers to load and edit them.
//
// How they were captured: two throwaway network namespaces joined by a veth
// pair, TX checksum offload switched off on both ends (ETHTOOL_STXCSUM via
// ioctl, so the TCP checksums on the wire are the real ones):
//
//   A = ternnet-neta: tnveth-a 198.18.0.1/24  mac 66:05:d7:e3:0e:36
//   B = ternnet-netb: tnveth-b 198.18.0.2/24  mac ce:85:be:9b:65:42
//
//   ip netns exec B tcpdump -i tnveth-b -U -w cap.pcap
//   ip netns exec B python3 -c '...bind(("198.18.0.2", 8080)); listen(); accept()'
//   ip netns exec A arping -c 1 -I tnveth-a 198.18.0.2
//   ip netns exec A ping -c 1 198.18.0.2
//   ip netns exec A python3 -c '...create_connection(("198.18.0.2", 8080))'
//
// then `tcpdump -xx -r cap.pcap`, one string per frame, in wire order. The
// namespaces were deleted afterwards; the capture files are not kept.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "net/ether.h"
#include "net/frame.h"
#include "util/bytes.h"

namespace tern::test {

// --- the two ends ----------------------------------------------------------

inline constexpr uint32_t kIpA = 0xC6120001;  // 198.18.0.1, the client
inline constexpr uint32_t kIpB = 0xC6120002;  // 198.18.0.2, the server ("us")
inline constexpr uint32_t kBroadcast = 0xC61200FF;
inline const net::MacAddr kMacA{{0x66, 0x05, 0xd7, 0xe3, 0x0e, 0x36}};
inline const net::MacAddr kMacB{{0xce, 0x85, 0xbe, 0x9b, 0x65, 0x42}};

inline net::LocalAddr local_a() { return {kMacA, kIpA, kBroadcast}; }
inline net::LocalAddr local_b() { return {kMacB, kIpB, kBroadcast}; }

// --- the frames, as tcpdump -xx prints them ---------------------------------

// arping's request: who-has 198.18.0.2 tell 198.18.0.1 (target MAC ff:..:ff)
inline constexpr std::string_view kArpRequestArping =
    "ffff ffff ffff 6605 d7e3 0e36 0806 0001"
    "0800 0604 0001 6605 d7e3 0e36 c612 0001"
    "ffff ffff ffff c612 0002";
// B's kernel answering either request: 198.18.0.2 is-at ce:85:be:9b:65:42
inline constexpr std::string_view kArpReplyKernel =
    "6605 d7e3 0e36 ce85 be9b 6542 0806 0001"
    "0800 0604 0002 ce85 be9b 6542 c612 0002"
    "6605 d7e3 0e36 c612 0001";
// A's kernel resolving B before the ping (target MAC 00:..:00)
inline constexpr std::string_view kArpRequestKernel =
    "ffff ffff ffff 6605 d7e3 0e36 0806 0001"
    "0800 0604 0001 6605 d7e3 0e36 c612 0001"
    "0000 0000 0000 c612 0002";
// ping: echo request id 0x1c53 seq 1, 56 bytes of data, DF, ttl 64, id 0xbeac
inline constexpr std::string_view kIcmpEchoRequest =
    "ce85 be9b 6542 6605 d7e3 0e36 0800 4500"
    "0054 beac 4000 4001 efd4 c612 0001 c612"
    "0002 0800 5caf 1c53 0001 3e5a 016b 0000"
    "0000 7964 0700 0000 0000 1011 1213 1415"
    "1617 1819 1a1b 1c1d 1e1f 2021 2223 2425"
    "2627 2829 2a2b 2c2d 2e2f 3031 3233 3435"
    "3637";
// B's kernel's echo reply: no DF, its own IP id 0xabfa, ttl 64
inline constexpr std::string_view kIcmpEchoReplyKernel =
    "6605 d7e3 0e36 ce85 be9b 6542 0800 4500"
    "0054 abfa 0000 4001 4287 c612 0002 c612"
    "0001 0000 64af 1c53 0001 3e5a 016b 0000"
    "0000 7964 0700 0000 0000 1011 1213 1415"
    "1617 1819 1a1b 1c1d 1e1f 2021 2223 2425"
    "2627 2829 2a2b 2c2d 2e2f 3031 3233 3435"
    "3637";
// 198.18.0.1:40198 > 198.18.0.2:8080 SYN, options mss,sackOK,TS,nop,wscale
inline constexpr std::string_view kTcpSyn =
    "ce85 be9b 6542 6605 d7e3 0e36 0800 4500"
    "003c de66 4000 4006 d02d c612 0001 c612"
    "0002 9d06 1f90 3e93 4850 0000 0000 a002"
    "faf0 5499 0000 0204 05b4 0402 080a 3207"
    "f6c9 0000 0000 0103 030a";
// 198.18.0.2:8080 > 198.18.0.1:40198 SYN-ACK
inline constexpr std::string_view kTcpSynAck =
    "6605 d7e3 0e36 ce85 be9b 6542 0800 4500"
    "003c 0000 4000 4006 ae94 c612 0002 c612"
    "0001 1f90 9d06 a3c9 6d1f 3e93 4851 a012"
    "fe88 135d 0000 0204 05b4 0402 080a 38df"
    "f3ca 3207 f6c9 0103 030a";
// 198.18.0.1:40198 > 198.18.0.2:8080 ACK, options nop,nop,TS
inline constexpr std::string_view kTcpAck =
    "ce85 be9b 6542 6605 d7e3 0e36 0800 4500"
    "0034 de67 4000 4006 d034 c612 0001 c612"
    "0002 9d06 1f90 3e93 4851 a3c9 6d20 8010"
    "003f 4075 0000 0101 080a 3207 f6ca 38df"
    "f3ca";

// --- helpers ----------------------------------------------------------------

using Bytes = std::vector<uint8_t>;

// Hex digits to bytes; spaces are ignored, anything else is a test bug.
inline Bytes from_hex(std::string_view s) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    int hi = -1;
    for (char c : s) {
        if (c == ' ') continue;
        int v = nibble(c);
        if (v < 0) throw std::invalid_argument("bad hex digit");
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(uint8_t(hi << 4 | v));
            hi = -1;
        }
    }
    if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
    return out;
}

inline constexpr size_t kL3 = net::eth::kHdrLen;  // every frame here is untagged
inline constexpr size_t kL4 = kL3 + 20;           // and has a 20-byte IPv4 header

// Rewrite the IPv4 header checksum after a test edited the header. Computed
// here rather than with lib/net so a broken library cannot hide its own bug.
inline void reseal_ipv4(Bytes& frame) {
    uint8_t* ip = frame.data() + kL3;
    size_t hl = size_t(ip[0] & 0x0F) * 4;
    if (hl < 20) hl = 20;
    ip[10] = ip[11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i < hl; i += 2) sum += util::load_be16(ip + i);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    util::store_be16(ip + 10, uint16_t(~sum));
}

}  // namespace tern::test
