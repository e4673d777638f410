#include "dpdk/port.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_thash.h>

#include "dpdk/eal.h"

namespace tern::dpdk {

const uint8_t kSymmetricRssKey[40] = {
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

namespace {

std::string port_name(uint16_t id) {
    char name[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(id, name);
    return name;
}

void check(int rc, const std::string& what) {
    if (rc < 0) throw DpdkError(fmt::format("{}: {}", what, rte_strerror(-rc)));
}

// The key is only useful if it really is symmetric: check the Toeplitz hash
// of a few tuples against their reverse, in software, at start-up.
bool rss_key_is_symmetric() {
    const uint32_t samples[][3] = {{0xC6120002, 0xC6130001, 80u << 16 | 40000},
                                   {0xC6120102, 0xC612FE09, 443u << 16 | 1025},
                                   {0x01020304, 0xFFFEFDFC, 65535u << 16 | 1}};
    for (auto& t : samples) {
        uint32_t fwd[3] = {t[0], t[1], t[2]};
        uint32_t rev[3] = {t[1], t[0], t[2] << 16 | t[2] >> 16};
        if (rte_softrss(fwd, 3, kSymmetricRssKey) != rte_softrss(rev, 3, kSymmetricRssKey))
            return false;
    }
    return true;
}

// RSS over the queues if the device can spread TCP 4-tuples with our
// symmetric key; otherwise one queue. Sets p.nb_queues and p.rss.
void choose_queues(const rte_eth_dev_info& info, uint16_t want_queues, Port& p,
                   rte_eth_conf& conf) {
    uint16_t q = std::min<uint16_t>({want_queues, info.max_rx_queues, info.max_tx_queues});
    uint64_t rss_hf =
        info.flow_type_rss_offloads & (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4);
    if (!rss_key_is_symmetric()) throw DpdkError("the RSS key is not symmetric");
    if (q > 1 && rss_hf != 0 && info.hash_key_size >= sizeof kSymmetricRssKey) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_key = const_cast<uint8_t*>(kSymmetricRssKey);
        conf.rx_adv_conf.rss_conf.rss_key_len = sizeof kSymmetricRssKey;
        conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
        p.rss = true;
    } else if (q > 1) {
        TERN_LOG(WARNING, "%s (%s) offers no symmetric TCP RSS: one worker on one queue\n",
                 p.name.c_str(), p.driver.c_str());
        q = 1;
    }
    p.nb_queues = q;
}

// Every checksum offload the device offers: RX verdicts on IPv4 and TCP
// (both or neither), TX IPv4 header and TCP checksums.
void choose_offloads(const rte_eth_dev_info& info, Port& p, rte_eth_conf& conf) {
    const uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
    if ((info.rx_offload_capa & rx_ck) == rx_ck) {
        conf.rxmode.offloads |= rx_ck;
        p.rx_ip_csum = p.rx_l4_csum = true;
    }
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
        p.tx_csum.ip = true;
    }
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
        p.tx_csum.tcp = true;
    }
}

// The pool fills the RX rings first (net_tap and NICs take a buffer per
// RX descriptor at start), then every RX burst takes as many new ones
// as it brings frames. A pool the rings take whole leaves nothing to
// receive into: deaf for good. A pool with little more cuts RX bursts
// short whenever the worker holds a TX batch, and a short burst tells
// net_tap its kernel queue is empty: it reads again only when the
// kernel signals a new frame, which a full queue never does (deaf for
// good too: issue 14). So the pool must hold the RX rings, a whole TX
// batch per queue and every lcore's cache; the TX rings too is better.
void check_pool_size(const Port& p, uint16_t nb_rx, uint16_t nb_tx, const PortSettings& s) {
    const uint16_t q = p.nb_queues;
    const uint64_t caches = uint64_t(s.mbuf_cache) * rte_lcore_count();
    const uint64_t need = uint64_t(q) * (nb_rx + s.tx_batch) + caches;
    const uint64_t want = need + uint64_t(q) * nb_tx;
    if (s.mbufs < need)
        throw SettingsError(
            "mbufs", fmt::format(" {} is too small for {}: {} RX queue(s) of {} descriptors, a TX "
                                 "batch of {} per queue and {} lcore cache(s) of {} need {} at "
                                 "least ({} recommended)",
                                 s.mbufs, p.name, q, nb_rx, s.tx_batch, rte_lcore_count(),
                                 s.mbuf_cache, need, want));
    if (s.mbufs < want)
        TERN_LOG(WARNING,
                 "%u mbufs for %s: %lu recommended (with the TX rings); the pool may "
                 "run dry under load (rx_nombuf, tx_no_mbuf)\n",
                 s.mbufs, p.name.c_str(), (unsigned long)want);
}

rte_mempool* make_pool(const Port& p, int socket, const PortSettings& s) {
    std::string pool_name = fmt::format("tern_mbuf_{}", p.id);
    rte_mempool* pool = rte_pktmbuf_pool_create(pool_name.c_str(), s.mbufs, s.mbuf_cache, 0,
                                                RTE_MBUF_DEFAULT_BUF_SIZE, socket);
    if (!pool)
        throw DpdkError(fmt::format("mbuf pool for {} ({} mbufs): {}", p.name, s.mbufs,
                                    rte_strerror(rte_errno)));
    return pool;
}

void setup_queues(const Port& p, const rte_eth_dev_info& info, const rte_eth_conf& conf,
                  uint16_t nb_rx, uint16_t nb_tx, int socket) {
    rte_eth_rxconf rxc = info.default_rxconf;
    rxc.offloads = conf.rxmode.offloads;
    rte_eth_txconf txc = info.default_txconf;
    txc.offloads = conf.txmode.offloads;
    for (uint16_t i = 0; i < p.nb_queues; ++i) {
        check(rte_eth_rx_queue_setup(p.id, i, nb_rx, unsigned(socket), &rxc, p.pool),
              fmt::format("rx queue {} of {}", i, p.name));
        check(rte_eth_tx_queue_setup(p.id, i, nb_tx, unsigned(socket), &txc),
              fmt::format("tx queue {} of {}", i, p.name));
    }
}

}  // namespace

std::vector<uint16_t> select_ports(std::string_view name) {
    std::vector<uint16_t> ids;
    uint16_t id;
    std::string names;
    RTE_ETH_FOREACH_DEV(id) {
        // Appended in two steps: GCC 12's LTO saw `"..." + std::string` as
        // a memcpy of unbounded size (a -Wstringop-overflow false positive).
        if (!names.empty()) names += ", ";
        names += port_name(id);
        if (name.empty() || name == port_name(id)) ids.push_back(id);
    }
    if (ids.empty()) {
        if (name.empty())
            throw SettingsError(
                "", "no DPDK port found: add a --vdev (see drivers-config/) or bind a NIC");
        throw SettingsError("name", fmt::format(": no DPDK port named '{}' (ports: {})", name,
                                                names.empty() ? "none" : names));
    }
    return ids;
}

Port start_port(uint16_t id, uint16_t want_queues, const PortSettings& s) {
    Port p;
    p.id = id;
    p.name = port_name(id);
    rte_eth_dev_info info{};
    check(rte_eth_dev_info_get(id, &info), "rte_eth_dev_info_get " + p.name);
    p.driver = info.driver_name ? info.driver_name : "?";

    rte_eth_conf conf{};
    choose_queues(info, want_queues, p, conf);
    choose_offloads(info, p, conf);
    check(rte_eth_dev_configure(id, p.nb_queues, p.nb_queues, &conf), "configure " + p.name);

    uint16_t nb_rx = uint16_t(s.rx_desc), nb_tx = uint16_t(s.tx_desc);
    check(rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rx, &nb_tx), "adjust descriptors " + p.name);
    check_pool_size(p, nb_rx, nb_tx, s);

    int socket = rte_eth_dev_socket_id(id);
    if (socket < 0) socket = int(rte_socket_id());
    p.pool = make_pool(p, socket, s);
    setup_queues(p, info, conf, nb_rx, nb_tx, socket);

    rte_ether_addr mac;
    check(rte_eth_macaddr_get(id, &mac), "MAC of " + p.name);
    std::memcpy(p.mac.b.data(), mac.addr_bytes, 6);
    if (s.promiscuous) rte_eth_promiscuous_enable(id);
    check(rte_eth_dev_start(id), "start " + p.name);
    check(rte_eth_dev_get_mtu(id, &p.mtu), "MTU of " + p.name);
    TERN_LOG(INFO, "port %u %s (%s) mac %s mtu %u: %u queue(s)%s, rx csum %s, tx csum ip %s tcp %s\n",
             id, p.name.c_str(), p.driver.c_str(), p.mac.str().c_str(), p.mtu, p.nb_queues,
             p.rss ? ", symmetric RSS" : "", p.rx_l4_csum ? "offload" : "software",
             p.tx_csum.ip ? "offload" : "software", p.tx_csum.tcp ? "offload" : "software");
    return p;
}

void stop_port(Port& p) {
    rte_eth_dev_stop(p.id);
    rte_eth_dev_close(p.id);
    if (p.pool) rte_mempool_free(p.pool);
    p.pool = nullptr;
}

}  // namespace tern::dpdk
