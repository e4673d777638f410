#include "templates.h"

#include <cstring>
#include <stdexcept>

#include "common/tcp_frame.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "util/bytes.h"

namespace tern::gen {

namespace {

constexpr size_t kIp = net::eth::kHdrLen;  // offset of the IPv4 header
constexpr size_t kTcp = kIp + 20;          // of the TCP header (no IP options)
constexpr size_t kSport = kTcp, kSeq = kTcp + 4, kAck = kTcp + 8, kFlags = kTcp + 13,
                 kTcpCsum = kTcp + 16;
constexpr size_t kIpCsum = kIp + net::ip4::kCsum, kSaddr = kIp + net::ip4::kSrc;
// TSval's place: after MSS (4) and SACK-permitted (2) in a SYN, after two
// NOPs otherwise (the layouts of bench::write_frame).
constexpr size_t kSynTs = kTcp + 20 + 6 + 2, kAckTs = kTcp + 20 + 2 + 2;

inline uint32_t hi(uint32_t v) { return v >> 16; }
inline uint32_t lo(uint32_t v) { return v & 0xFFFF; }

}  // namespace

SegmentTemplates::SegmentTemplates(const net::MacAddr& src_mac, const net::MacAddr& dst_mac,
                                   uint32_t daddr, uint16_t dport, std::string_view request)
    : syn_(build(src_mac, dst_mac, daddr, dport, true, {})),
      ack_(build(src_mac, dst_mac, daddr, dport, false, {})),
      req_(build(src_mac, dst_mac, daddr, dport, false, request)),
      req_payload_(uint16_t(request.size())) {}

SegmentTemplates::Tpl SegmentTemplates::build(const net::MacAddr& src, const net::MacAddr& dst,
                                              uint32_t daddr, uint16_t dport, bool syn,
                                              std::string_view payload) {
    Tpl t;
    std::memset(t.frame, 0, sizeof t.frame);
    bench::TcpOut s;
    s.daddr = daddr;
    s.dport = dport;
    s.window = syn ? 64240 : 502;  // with WS 7: 64 KiB, as Linux after the handshake
    s.syn_opts = syn;
    s.ts = !syn;
    s.payload = reinterpret_cast<const uint8_t*>(payload.data());
    s.payload_len = uint16_t(payload.size());
    if (kTcp + 20 + bench::tcp_option_bytes(s) + payload.size() > sizeof t.frame)
        throw std::invalid_argument("request too long for a segment template");
    t.len = bench::write_frame(t.frame, src, dst, s);
    t.ts_off = syn ? kSynTs : kAckTs;
    t.ip_sum = uint16_t(~util::load_be16(t.frame + kIpCsum));
    t.tcp_sum = uint16_t(~util::load_be16(t.frame + kTcpCsum));
    return t;
}

uint16_t SegmentTemplates::write(const Tpl& t, uint8_t* p, const SegFields& f) {
    std::memcpy(p, t.frame, kCopy);  // a fixed size copies fast; bytes past len are unused
    util::store_be32(p + kSaddr, f.saddr);
    util::store_be16(p + kSport, f.sport);
    util::store_be32(p + kSeq, f.seq);
    util::store_be32(p + kAck, f.ack);
    p[kFlags] = f.flags;
    util::store_be32(p + t.ts_off, f.tsval);
    util::store_be32(p + t.ts_off + 4, f.tsecr);
    util::store_be16(p + kIpCsum, net::csum_fold(t.ip_sum + hi(f.saddr) + lo(f.saddr)));
    // The source address counts again in the TCP pseudo header; flags are
    // the low byte of their 16-bit word.
    const uint32_t sum = t.tcp_sum + hi(f.saddr) + lo(f.saddr) + f.sport + hi(f.seq) + lo(f.seq) +
                         hi(f.ack) + lo(f.ack) + f.flags + hi(f.tsval) + lo(f.tsval) +
                         hi(f.tsecr) + lo(f.tsecr);
    util::store_be16(p + kTcpCsum, net::csum_fold(sum));
    return t.len;
}

}  // namespace tern::gen
