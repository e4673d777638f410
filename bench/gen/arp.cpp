#include "arp.h"

#include <rte_ethdev.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "net/arp.h"
#include "util/bytes.h"

namespace tern::gen {

namespace {

constexpr size_t kArp = net::eth::kHdrLen;
constexpr uint16_t kMinFrame = 60;  // Ethernet minimum without FCS

const uint8_t* arp_of(const rte_mbuf* m) {
    if (m->data_len < kArp + net::arp::kLen) return nullptr;
    const uint8_t* p = rte_pktmbuf_mtod(m, const uint8_t*);
    if (util::load_be16(p + net::eth::kType) != net::eth::kTypeArp) return nullptr;
    return p + kArp;
}

void write_request(uint8_t* p, const net::MacAddr& our_mac, uint32_t our_ip, uint32_t target) {
    std::memset(p, 0, kMinFrame);
    std::memset(p + net::eth::kDst, 0xff, 6);
    our_mac.to(p + net::eth::kSrc);
    util::store_be16(p + net::eth::kType, net::eth::kTypeArp);
    uint8_t* a = p + kArp;
    util::store_be16(a + net::arp::kHtype, 1);
    util::store_be16(a + net::arp::kPtype, net::eth::kTypeIpv4);
    a[net::arp::kHlen] = 6;
    a[net::arp::kPlen] = 4;
    util::store_be16(a + net::arp::kOper, net::arp::kOpRequest);
    our_mac.to(a + net::arp::kSha);
    util::store_be32(a + net::arp::kSpa, our_ip);
    util::store_be32(a + net::arp::kTpa, target);
}

}  // namespace

bool ArpResponder::answer(rte_mbuf* m) {
    const uint8_t* a = arp_of(m);
    if (!a) return false;
    const uint32_t tpa = util::load_be32(a + net::arp::kTpa);
    bool ours = false;
    for (const auto& r : ours_) ours = ours || r.contains(tpa);
    if (!ours || net::arp_classify(a, m->data_len - kArp, tpa) != net::ArpVerdict::request_for_us)
        return false;
    net::arp_make_reply(rte_pktmbuf_mtod(m, uint8_t*), mac_, tpa);
    ++replies_;
    return true;
}

std::optional<net::MacAddr> ArpResponder::reply_from(const rte_mbuf* m, uint32_t ip) {
    const uint8_t* a = arp_of(m);
    if (!a || util::load_be16(a + net::arp::kOper) != net::arp::kOpReply ||
        util::load_be32(a + net::arp::kSpa) != ip || a[net::arp::kHlen] != 6)
        return std::nullopt;
    return net::MacAddr::from(a + net::arp::kSha);
}

std::optional<net::MacAddr> resolve_mac(uint16_t port, rte_mempool* pool, const net::MacAddr& our_mac,
                                        uint32_t our_ip, uint32_t target, double timeout_s,
                                        ArpResponder& responder, const std::atomic<bool>& stop) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
    auto next_ask = Clock::now();
    rte_mbuf* pkts[32];
    while (!stop.load() && Clock::now() < deadline) {
        if (Clock::now() >= next_ask) {
            next_ask += std::chrono::milliseconds(100);
            if (rte_mbuf* m = rte_pktmbuf_alloc(pool)) {
                write_request(rte_pktmbuf_mtod(m, uint8_t*), our_mac, our_ip, target);
                m->data_len = m->pkt_len = kMinFrame;
                if (rte_eth_tx_burst(port, 0, &m, 1) == 0) rte_pktmbuf_free(m);
            }
        }
        const uint16_t n = rte_eth_rx_burst(port, 0, pkts, 32);
        std::optional<net::MacAddr> found;
        for (uint16_t i = 0; i < n; ++i) {
            if (!found) found = ArpResponder::reply_from(pkts[i], target);
            if (responder.answer(pkts[i]) && rte_eth_tx_burst(port, 0, &pkts[i], 1) == 1) continue;
            rte_pktmbuf_free(pkts[i]);
        }
        if (found) return found;
        if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return std::nullopt;
}

}  // namespace tern::gen
