#include "common/tcp_frame.h"

#include <cstring>

#include "net/checksum.h"
#include "util/bytes.h"

namespace tern::bench {

using util::load_be16;
using util::load_be32;
using util::store_be16;
using util::store_be32;

namespace {

constexpr size_t kEth = 14, kIp = 20;

}  // namespace

uint16_t write_frame(uint8_t* p, const net::MacAddr& src, const net::MacAddr& dst, const TcpOut& s) {
    dst.to(p);
    src.to(p + 6);
    store_be16(p + 12, net::eth::kTypeIpv4);
    uint8_t* ip = p + kEth;
    uint8_t* th = ip + kIp;
    size_t opt_len = tcp_option_bytes(s);
    size_t th_len = 20 + opt_len;
    uint16_t l4_len = uint16_t(th_len + s.payload_len);
    // IPv4: no options, DF, TTL 64.
    ip[0] = 0x45;
    ip[1] = 0;
    store_be16(ip + 2, uint16_t(kIp + l4_len));
    store_be16(ip + 4, 0);
    store_be16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = 6;
    store_be16(ip + 10, 0);
    store_be32(ip + 12, s.saddr);
    store_be32(ip + 16, s.daddr);
    store_be16(ip + 10, net::checksum(ip, kIp));
    // TCP.
    store_be16(th, s.sport);
    store_be16(th + 2, s.dport);
    store_be32(th + 4, s.seq);
    store_be32(th + 8, s.ack);
    th[12] = uint8_t((th_len / 4) << 4);
    th[13] = s.flags;
    store_be16(th + 14, s.window);
    store_be16(th + 16, 0);
    store_be16(th + 18, 0);
    uint8_t* o = th + 20;
    if (s.syn_opts) {
        // Linux's SYN: MSS, SACK-permitted, TS, NOP, WS.
        o[0] = 2, o[1] = 4, store_be16(o + 2, 1460);
        o[4] = 4, o[5] = 2;
        o[6] = 8, o[7] = 10, store_be32(o + 8, s.tsval), store_be32(o + 12, s.tsecr);
        o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 7;
    } else if (s.ts) {
        o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
        store_be32(o + 4, s.tsval);
        store_be32(o + 8, s.tsecr);
    }
    if (s.payload_len) std::memcpy(th + th_len, s.payload, s.payload_len);
    uint32_t ph = net::pseudo_header_sum(s.saddr, s.daddr, 6, l4_len);
    store_be16(th + 16, net::csum_fold(net::csum_partial(th, l4_len, ph)));
    return uint16_t(kEth + kIp + l4_len);
}

bool parse_frame(const uint8_t* p, uint32_t len, TcpIn& out) {
    if (len < kEth + kIp + 20) return false;
    if (load_be16(p + 12) != net::eth::kTypeIpv4) return false;
    const uint8_t* ip = p + kEth;
    if ((ip[0] >> 4) != 4 || ip[9] != 6) return false;
    size_t ihl = size_t(ip[0] & 0xf) * 4;
    size_t tot = load_be16(ip + 2);
    if (ihl < kIp || tot < ihl + 20 || kEth + tot > len) return false;
    const uint8_t* th = ip + ihl;
    size_t th_len = size_t(th[12] >> 4) * 4;
    if (th_len < 20 || ihl + th_len > tot) return false;
    out.saddr = load_be32(ip + 12);
    out.daddr = load_be32(ip + 16);
    out.sport = load_be16(th);
    out.dport = load_be16(th + 2);
    out.seq = load_be32(th + 4);
    out.ack = load_be32(th + 8);
    out.flags = th[13];
    out.has_ts = false;
    for (size_t i = 20; i < th_len;) {
        uint8_t kind = th[i];
        if (kind == 0) break;
        if (kind == 1) {
            ++i;
            continue;
        }
        if (i + 1 >= th_len) break;
        uint8_t olen = th[i + 1];
        if (olen < 2 || i + olen > th_len) break;
        if (kind == 8 && olen == 10) {
            out.has_ts = true;
            out.tsval = load_be32(th + i + 2);
            out.tsecr = load_be32(th + i + 6);
        }
        i += olen;
    }
    out.payload = th + th_len;
    out.payload_len = uint16_t(tot - ihl - th_len);
    return true;
}

bool checksums_ok(const uint8_t* p, uint32_t len) {
    if (len < kEth + kIp) return false;
    const uint8_t* ip = p + kEth;
    size_t ihl = size_t(ip[0] & 0xf) * 4;
    size_t tot = load_be16(ip + 2);
    if (kEth + tot > len || tot < ihl) return false;
    if (net::checksum(ip, ihl) != 0) return false;
    uint16_t l4 = uint16_t(tot - ihl);
    uint32_t ph = net::pseudo_header_sum(load_be32(ip + 12), load_be32(ip + 16), ip[9], l4);
    return net::csum_fold(net::csum_partial(ip + ihl, l4, ph)) == 0;
}

}  // namespace tern::bench
