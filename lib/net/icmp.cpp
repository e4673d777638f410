#include "net/icmp.h"

#include "net/checksum.h"
#include "net/ipv4.h"
#include "util/bytes.h"

namespace tern::net {

void icmp_echo_make_reply(const Frame& f, const MacAddr& our_mac) {
    eth_swap_to_reply(f.data, our_mac);
    ipv4_swap_to_reply(f.data + f.l3);
    uint8_t* p = f.data + f.l4;
    uint16_t old_word = util::load_be16(p);  // type<<8 | code
    p[icmp::kType] = icmp::kEchoReply;
    uint16_t csum = util::load_be16(p + icmp::kCsum);
    util::store_be16(p + icmp::kCsum, csum_update16(csum, old_word, util::load_be16(p)));
}

}  // namespace tern::net
