// Frames the engine tests send as the peer 198.18.0.1 (02:00:c6:12:00:01)
// to the worker at 198.18.0.2, built byte by byte with valid checksums.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "net/checksum.h"
#include "net/ether.h"
#include "util/bytes.h"

namespace tern::test {

inline const uint8_t kPeerMac[6] = {0x02, 0x00, 0xc6, 0x12, 0x00, 0x01};
inline constexpr uint32_t kPeerIp = 0xC6120001, kOurIp = 0xC6120002;

// who-has `target` tell 198.18.0.1, broadcast.
inline std::vector<uint8_t> arp_request(uint32_t target) {
    std::vector<uint8_t> f(42, 0);
    std::memset(f.data(), 0xff, 6);
    std::memcpy(f.data() + 6, kPeerMac, 6);
    util::store_be16(f.data() + 12, 0x0806);
    uint8_t* a = f.data() + 14;
    util::store_be16(a, 1);
    util::store_be16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    util::store_be16(a + 6, 1);
    std::memcpy(a + 8, kPeerMac, 6);
    util::store_be32(a + 14, kPeerIp);
    util::store_be32(a + 24, target);
    return f;
}

// A TCP segment without options from 198.18.0.1:sport to 198.18.0.2:dport.
struct PeerSegment {
    uint16_t sport = 40000, dport = 7;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;  // TCP flag bits: 0x02 SYN, 0x10 ACK, 0x01 FIN, 0x04 RST
    uint16_t window = 65535;
    std::vector<uint8_t> payload;
};

inline std::vector<uint8_t> tcp_frame(const net::MacAddr& dst, const PeerSegment& s) {
    const size_t l4 = 20 + s.payload.size();
    std::vector<uint8_t> f(14 + 20 + l4, 0);
    dst.to(f.data());
    std::memcpy(f.data() + 6, kPeerMac, 6);
    util::store_be16(f.data() + 12, 0x0800);
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    util::store_be16(ip + 2, uint16_t(20 + l4));
    ip[6] = 0x40;  // DF
    ip[8] = 64;
    ip[9] = 6;
    util::store_be32(ip + 12, kPeerIp);
    util::store_be32(ip + 16, kOurIp);
    util::store_be16(ip + 10, net::checksum(ip, 20));
    uint8_t* th = ip + 20;
    util::store_be16(th, s.sport);
    util::store_be16(th + 2, s.dport);
    util::store_be32(th + 4, s.seq);
    util::store_be32(th + 8, s.ack);
    th[12] = 5 << 4;
    th[13] = s.flags;
    util::store_be16(th + 14, s.window);
    if (!s.payload.empty()) std::memcpy(th + 20, s.payload.data(), s.payload.size());
    uint32_t sum = net::pseudo_header_sum(kPeerIp, kOurIp, 6, uint16_t(l4));
    util::store_be16(th + 16, net::csum_fold(net::csum_partial(th, l4, sum)));
    return f;
}

// What the tests read back from a frame the worker sent.
struct SentSegment {
    uint32_t seq, ack;
    uint8_t flags;
    size_t payload_len;
};

inline bool is_tcp(const std::vector<uint8_t>& f) {
    return f.size() >= 54 && util::load_be16(f.data() + 12) == 0x0800 && f[14 + 9] == 6;
}

inline SentSegment sent_segment(const std::vector<uint8_t>& f) {
    const uint8_t* ip = f.data() + 14;
    const size_t ihl = size_t(ip[0] & 0xF) * 4;
    const uint8_t* th = ip + ihl;
    const size_t thl = size_t(th[12] >> 4) * 4;
    return {util::load_be32(th + 4), util::load_be32(th + 8), th[13],
            util::load_be16(ip + 2) - ihl - thl};
}

}  // namespace tern::test
