// Port bring-up: queues, RSS, checksum offloads, mbuf pool. One call per
// port at start-up; nothing here runs on the data path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "net/ether.h"

struct rte_mempool;

namespace tern::dpdk {

struct Port {
    uint16_t id = 0;
    std::string name;
    std::string driver;
    net::MacAddr mac;
    uint16_t nb_queues = 0;
    uint16_t mtu = 1500;       // L3 bytes a frame may carry (the Ethernet header is extra)
    bool rss = false;          // RSS spreads TCP 4-tuples over the queues
    bool rx_ip_csum = false;   // the NIC reports IPv4 header checksum status
    bool rx_l4_csum = false;   // ... and TCP/UDP checksum status
    bool tx_ip_csum = false;   // the NIC fills IPv4 header checksums
    bool tx_tcp_csum = false;  // ... and TCP checksums (pseudo header from us)
    rte_mempool* pool = nullptr;
};

// Port ids selected by the configuration: port.name, or every probed port.
// Throws config::ConfigError when the named port does not exist.
std::vector<uint16_t> select_ports(const config::PortConfig& pc);

// Configure and start a port with up to `want_queues` RX/TX queue pairs.
// Fewer are used when the device has fewer or cannot spread flows (no RSS).
Port start_port(uint16_t port_id, uint16_t want_queues, const config::Config& cfg);
void stop_port(Port& p);

// The symmetric Toeplitz key: a repeated 16-bit pattern makes the hash of
// (src, dst, sport, dport) equal to that of (dst, src, dport, sport), so both
// directions of a flow reach the same queue and the same worker.
extern const uint8_t kSymmetricRssKey[40];

}  // namespace tern::dpdk
