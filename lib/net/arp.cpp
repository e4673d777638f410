#include "net/arp.h"

#include <cstring>

#include "util/bytes.h"

namespace tern::net {

using util::load_be16;
using util::load_be32;
using util::store_be16;
using util::store_be32;

ArpVerdict arp_classify(const uint8_t* a, size_t len, uint32_t our_ip) {
    if (len < arp::kLen) return ArpVerdict::truncated;
    if (load_be16(a + arp::kHtype) != 1 || load_be16(a + arp::kPtype) != eth::kTypeIpv4 ||
        a[arp::kHlen] != 6 || a[arp::kPlen] != 4)
        return ArpVerdict::unsupported;
    if (load_be16(a + arp::kOper) != arp::kOpRequest) return ArpVerdict::not_for_us;
    if (load_be32(a + arp::kTpa) != our_ip) return ArpVerdict::not_for_us;
    // The reply goes to the sender's hardware address: never to a group.
    if (a[arp::kSha] & 1) return ArpVerdict::bad_sender;
    return ArpVerdict::request_for_us;
}

void arp_make_reply(uint8_t* frame, const MacAddr& our_mac, uint32_t our_ip) {
    uint8_t* a = frame + eth::kHdrLen;
    // The requester becomes the target; we become the sender.
    std::memcpy(a + arp::kTha, a + arp::kSha, 6);
    std::memcpy(a + arp::kTpa, a + arp::kSpa, 4);
    our_mac.to(a + arp::kSha);
    store_be32(a + arp::kSpa, our_ip);
    store_be16(a + arp::kOper, arp::kOpReply);
    std::memcpy(frame + eth::kDst, a + arp::kTha, 6);
    our_mac.to(frame + eth::kSrc);
}

}  // namespace tern::net
