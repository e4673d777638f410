// Frames the engine tests send as peers of the worker at 198.18.0.2 (by
// default the host 198.18.0.1, 02:00:c6:12:00:01), built byte by byte with
// valid checksums, and the TCP frames the worker sends, parsed whole so that
// a test compares every field at once. Headers and options are written and
// read here from the RFCs, not with lib/net's or lib/tcp's builders and
// parsers (only the Internet checksum is lib/net's): a bug there must not
// be mirrored here.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "net/checksum.h"
#include "net/ether.h"
#include "util/bytes.h"

namespace tern::test {

inline const uint8_t kPeerMac[6] = {0x02, 0x00, 0xc6, 0x12, 0x00, 0x01};
inline constexpr uint32_t kPeerIp = 0xC6120001, kOurIp = 0xC6120002;

// TCP flag bits as they are on the wire.
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

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

// The TCP options of a segment, as values (RFC 9293 3.2, RFC 7323, RFC 2018).
struct TcpOpts {
    struct Ts {
        uint32_t val = 0, ecr = 0;
        friend bool operator==(const Ts&, const Ts&) = default;
    };
    std::optional<uint16_t> mss;
    std::optional<uint8_t> wscale;
    bool sack_permitted = false;
    std::optional<Ts> ts;
    std::vector<std::pair<uint32_t, uint32_t>> sack;  // blocks [left, right)
    bool malformed = false;  // a length that runs past the header

    friend bool operator==(const TcpOpts&, const TcpOpts&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const TcpOpts& o) {
    os << "{";
    if (o.mss) os << " mss " << *o.mss;
    if (o.wscale) os << " wscale " << unsigned(*o.wscale);
    if (o.sack_permitted) os << " sackOK";
    if (o.ts) os << " TS val " << o.ts->val << " ecr " << o.ts->ecr;
    for (auto& b : o.sack) os << " sack " << b.first << "-" << b.second;
    if (o.malformed) os << " MALFORMED";
    return os << " }";
}

// In the order Linux sends them, each padded with NOPs to four bytes.
inline std::vector<uint8_t> encode_options(const TcpOpts& o) {
    std::vector<uint8_t> v;
    auto be16 = [&](uint16_t x) { v.insert(v.end(), {uint8_t(x >> 8), uint8_t(x)}); };
    auto be32 = [&](uint32_t x) {
        be16(uint16_t(x >> 16));
        be16(uint16_t(x));
    };
    if (o.mss) {
        v.insert(v.end(), {2, 4});
        be16(*o.mss);
    }
    if (o.sack_permitted) v.insert(v.end(), {1, 1, 4, 2});
    if (o.ts) {
        v.insert(v.end(), {1, 1, 8, 10});
        be32(o.ts->val);
        be32(o.ts->ecr);
    }
    if (o.wscale) v.insert(v.end(), {1, 3, 3, *o.wscale});
    if (!o.sack.empty()) {
        v.insert(v.end(), {1, 1, 5, uint8_t(2 + 8 * o.sack.size())});
        for (auto& b : o.sack) {
            be32(b.first);
            be32(b.second);
        }
    }
    return v;
}

// Any layout (a receiver must take any).
inline TcpOpts decode_options(const uint8_t* p, size_t len) {
    TcpOpts o;
    for (size_t i = 0; i < len;) {
        if (p[i] == 0) break;  // end of option list
        if (p[i] == 1) {       // NOP
            ++i;
            continue;
        }
        if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len) {
            o.malformed = true;
            break;
        }
        const uint8_t kind = p[i], olen = p[i + 1];
        const uint8_t* v = p + i + 2;
        if (kind == 2 && olen == 4) o.mss = util::load_be16(v);
        if (kind == 3 && olen == 3) o.wscale = v[0];
        if (kind == 4 && olen == 2) o.sack_permitted = true;
        if (kind == 8 && olen == 10) o.ts = TcpOpts::Ts{util::load_be32(v), util::load_be32(v + 4)};
        if (kind == 5)
            for (size_t b = 0; b + 8 <= size_t(olen - 2); b += 8)
                o.sack.emplace_back(util::load_be32(v + b), util::load_be32(v + b + 4));
        i += olen;
    }
    return o;
}

// A TCP segment from a peer (by default 198.18.0.1:40000) to 198.18.0.2.
struct PeerSegment {
    net::MacAddr src_mac = net::MacAddr::from(kPeerMac);
    uint32_t saddr = kPeerIp, daddr = kOurIp;
    uint16_t sport = 40000, dport = 7;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 65535;
    TcpOpts opt;
    std::vector<uint8_t> payload;
};

inline std::vector<uint8_t> tcp_frame(const net::MacAddr& dst, const PeerSegment& s) {
    const std::vector<uint8_t> opts = encode_options(s.opt);
    const size_t thl = 20 + opts.size();
    const size_t l4 = thl + s.payload.size();
    std::vector<uint8_t> f(14 + 20 + l4, 0);
    dst.to(f.data());
    s.src_mac.to(f.data() + 6);
    util::store_be16(f.data() + 12, 0x0800);
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    util::store_be16(ip + 2, uint16_t(20 + l4));
    ip[6] = 0x40;  // DF
    ip[8] = 64;
    ip[9] = 6;
    util::store_be32(ip + 12, s.saddr);
    util::store_be32(ip + 16, s.daddr);
    util::store_be16(ip + 10, net::checksum(ip, 20));
    uint8_t* th = ip + 20;
    util::store_be16(th, s.sport);
    util::store_be16(th + 2, s.dport);
    util::store_be32(th + 4, s.seq);
    util::store_be32(th + 8, s.ack);
    th[12] = uint8_t(thl / 4 << 4);
    th[13] = s.flags;
    util::store_be16(th + 14, s.window);
    if (!opts.empty()) std::memcpy(th + 20, opts.data(), opts.size());
    if (!s.payload.empty()) std::memcpy(th + thl, s.payload.data(), s.payload.size());
    uint32_t sum = net::pseudo_header_sum(s.saddr, s.daddr, 6, uint16_t(l4));
    util::store_be16(th + 16, net::csum_fold(net::csum_partial(th, l4, sum)));
    return f;
}

// A frame the worker sent, every field a test compares. `well_formed`: an
// IPv4 header of 20 bytes with a valid checksum, DF, protocol TCP, a total
// length that matches the frame, a TCP header length within it and a valid
// TCP checksum.
struct SentSegment {
    net::MacAddr eth_dst, eth_src;
    uint32_t saddr = 0, daddr = 0;
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    TcpOpts opt;
    std::vector<uint8_t> payload;
    bool well_formed = false;

    friend bool operator==(const SentSegment&, const SentSegment&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const SentSegment& s) {
    auto ip = [&](uint32_t a) {
        os << (a >> 24) << "." << (a >> 16 & 255) << "." << (a >> 8 & 255) << "." << (a & 255);
    };
    os << "\n  " << s.eth_src.str() << " > " << s.eth_dst.str() << " ";
    ip(s.saddr);
    os << ":" << s.sport << " > ";
    ip(s.daddr);
    os << ":" << s.dport << " flags";
    const char* names = "FSRPA";
    for (int b = 0; b < 5; ++b)
        if (s.flags & (1 << b)) os << " " << names[b];
    if (s.flags & 0xe0) os << " +0x" << std::hex << (s.flags & 0xe0) << std::dec;
    os << " seq " << s.seq << " ack " << s.ack << " win " << s.window << " " << s.opt
       << " payload " << s.payload.size() << " bytes";
    if (!s.well_formed) os << " MALFORMED";
    return os << "\n";
}

inline bool is_tcp(const std::vector<uint8_t>& f) {
    return f.size() >= 54 && util::load_be16(f.data() + 12) == 0x0800 && f[14 + 9] == 6;
}

inline SentSegment sent_segment(const std::vector<uint8_t>& f) {
    SentSegment s;
    if (!is_tcp(f)) return s;
    const uint8_t* ip = f.data() + 14;
    const size_t ihl = size_t(ip[0] & 0xF) * 4;
    const size_t total = util::load_be16(ip + 2);
    const uint8_t* th = ip + ihl;
    const size_t thl = size_t(th[12] >> 4) * 4;
    if (ihl != 20 || total != f.size() - 14 || thl < 20 || ihl + thl > total) return s;
    s.eth_dst = net::MacAddr::from(f.data());
    s.eth_src = net::MacAddr::from(f.data() + 6);
    s.saddr = util::load_be32(ip + 12);
    s.daddr = util::load_be32(ip + 16);
    s.sport = util::load_be16(th);
    s.dport = util::load_be16(th + 2);
    s.seq = util::load_be32(th + 4);
    s.ack = util::load_be32(th + 8);
    s.flags = th[13];
    s.window = util::load_be16(th + 14);
    s.opt = decode_options(th + 20, thl - 20);
    s.payload.assign(th + thl, ip + total);
    const uint32_t ph = net::pseudo_header_sum(s.saddr, s.daddr, 6, uint16_t(total - ihl));
    s.well_formed = ip[0] == 0x45 && (ip[6] & 0x40) && ip[9] == 6 &&
                    net::checksum(ip, 20) == 0 &&
                    net::csum_fold(net::csum_partial(th, total - ihl, ph)) == 0;
    return s;
}

}  // namespace tern::test
