#include "net/frame.h"

#include "net/arp.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "util/bytes.h"

namespace tern::net {

using util::load_be16;
using util::load_be32;

const char* drop_reason_name(DropReason r) {
    switch (r) {
        case DropReason::truncated: return "truncated";
        case DropReason::bad_checksum: return "bad_checksum";
        case DropReason::not_for_us: return "not_for_us";
        case DropReason::unsupported: return "unsupported";
        case DropReason::malformed: return "malformed";
        case DropReason::fragment: return "fragment";
        case DropReason::bad_address: return "bad_address";
        case DropReason::count: break;
    }
    return "?";
}

namespace {

Classified drop(DropReason r) { return {FrameKind::drop, r}; }

// RFC 1122 3.2.1.3 / RFC 6890: sources that no host may use.
bool martian_source(uint32_t s, const LocalAddr& local) {
    uint8_t first = uint8_t(s >> 24);
    return first == 0 || s == local.ip || s == 0xFFFFFFFF || s == local.broadcast ||
           (first >= 224) || first == 127;
}

// l3 is passed, not read back from f: the compiler reloaded f.l3 in a
// wider load than its 16-bit store, which stalls store forwarding.
Classified classify_ipv4(const LocalAddr& local, Frame& f, uint16_t l3, ClassifyOptions opt) {
    const uint8_t* ip = f.data + l3;
    uint32_t avail = f.len - l3;
    if (avail < ip4::kMinHdrLen) return drop(DropReason::truncated);
    if ((ip[ip4::kVerIhl] >> 4) != 4) return drop(DropReason::malformed);
    uint32_t hl = uint32_t(ip[ip4::kVerIhl] & 0x0F) * 4;
    if (hl < ip4::kMinHdrLen) return drop(DropReason::malformed);
    uint32_t tot = load_be16(ip + ip4::kTotLen);
    if (tot < hl) return drop(DropReason::malformed);
    if (hl > avail || tot > avail) return drop(DropReason::truncated);
    if (!opt.ip_csum_checked && !ipv4_header_checksum_ok(ip, hl)) return drop(DropReason::bad_checksum);

    f.daddr = load_be32(ip + ip4::kDst);
    f.saddr = load_be32(ip + ip4::kSrc);
    if (f.daddr != local.ip) return drop(DropReason::not_for_us);
    if (martian_source(f.saddr, local)) return drop(DropReason::bad_address);
    uint16_t frag = load_be16(ip + ip4::kFragOff);
    if (frag & (ip4::kFlagMF | ip4::kOffMask)) return drop(DropReason::fragment);

    f.l4 = uint16_t(l3 + hl);
    f.l4_len = uint16_t(tot - hl);
    const uint8_t* l4 = f.data + f.l4;
    switch (ip[ip4::kProto]) {
        case ip4::kProtoIcmp:
            if (f.l4_len < 8) return drop(DropReason::truncated);
            if (!opt.l4_csum_checked && checksum(l4, f.l4_len) != 0)
                return drop(DropReason::bad_checksum);
            return {FrameKind::icmp, DropReason::count};
        case ip4::kProtoTcp: {
            if (f.l4_len < 20) return drop(DropReason::truncated);
            if (!opt.l4_csum_checked && !l4_checksum_ok(ip, ip4::kProtoTcp, l4, f.l4_len))
                return drop(DropReason::bad_checksum);
            return {FrameKind::tcp, DropReason::count};
        }
        default: return drop(DropReason::unsupported);
    }
}

}  // namespace

Classified classify(uint8_t* data, uint32_t len, const LocalAddr& local, Frame& f,
                    ClassifyOptions opt) {
    f.data = data;
    f.len = len;
    if (len < eth::kHdrLen) return drop(DropReason::truncated);
    MacAddr dst = MacAddr::from(data + eth::kDst);
    // A multicast source MAC is never a sender; answering it would flood.
    if (data[eth::kSrc] & 1) return drop(DropReason::bad_address);
    if (!(dst == local.mac) && !dst.is_broadcast()) return drop(DropReason::not_for_us);
    f.l3 = eth::kHdrLen;
    switch (load_be16(data + eth::kType)) {
        case eth::kTypeArp: {
            auto r = arp_classify(data + f.l3, len - f.l3, local.ip);
            if (r != ArpVerdict::request_for_us)
                return drop(r == ArpVerdict::truncated     ? DropReason::truncated
                            : r == ArpVerdict::unsupported ? DropReason::unsupported
                            : r == ArpVerdict::bad_sender  ? DropReason::bad_address
                                                           : DropReason::not_for_us);
            return {FrameKind::arp, DropReason::count};
        }
        case eth::kTypeIpv4:
            if (dst.is_broadcast()) return drop(DropReason::not_for_us);
            return classify_ipv4(local, f, eth::kHdrLen, opt);
        default: return drop(DropReason::unsupported);
    }
}

}  // namespace tern::net
