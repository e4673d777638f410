// Port bring-up: queues, RSS, checksum offloads, mbuf pool. One call per
// port at start-up; nothing here runs on the data path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dpdk/eal.h"
#include "dpdk/mbuf.h"
#include "net/ether.h"

struct rte_mempool;

namespace tern::dpdk {

// What start_port needs beyond the device itself. The caller fills every
// field: the engine from its configuration, tests and benchmarks their own.
struct PortSettings {
    uint32_t rx_desc = 0;      // descriptors per RX ring (the PMD may round them)
    uint32_t tx_desc = 0;      // ... per TX ring
    bool promiscuous = false;  // receive frames for any MAC
    uint32_t mbufs = 0;        // the port's mbuf pool (2^n - 1 is optimal)
    uint32_t mbuf_cache = 0;   // per-lcore cache of that pool
    // Mbufs a worker may hold per TX queue besides the ring (its TX batch):
    // part of the least pool start_port accepts.
    uint32_t tx_batch = 0;
};

// Settings these devices cannot work with (no such port, a pool too small
// for the rings): the caller's configuration is wrong, not DPDK. what() is
// `setting` + `detail`, so that a caller that built the settings from keys
// of its own can name its key instead.
struct SettingsError : DpdkError {
    SettingsError(std::string setting_, std::string detail_)
        : DpdkError(setting_ + detail_), setting(std::move(setting_)), detail(std::move(detail_)) {}
    std::string setting;  // the PortSettings field ("name": select_ports' name; "": none)
    std::string detail;
};

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
    TxChecksumOffload tx_csum; // the checksums the NIC fills (TCP: pseudo header from us)
    rte_mempool* pool = nullptr;
};

// Ids of the probed ports named `name`, or of every probed port when it is
// empty. Throws SettingsError when there is none.
std::vector<uint16_t> select_ports(std::string_view name);

// Configure and start a port with up to `want_queues` RX/TX queue pairs.
// Fewer are used when the device has fewer or cannot spread flows (no RSS).
// Throws SettingsError (the settings cannot work) or DpdkError.
Port start_port(uint16_t port_id, uint16_t want_queues, const PortSettings& s);
void stop_port(Port& p);

// The symmetric Toeplitz key: a repeated 16-bit pattern makes the hash of
// (src, dst, sport, dport) equal to that of (dst, src, dport, sport), so both
// directions of a flow reach the same queue and the same worker.
extern const uint8_t kSymmetricRssKey[40];

}  // namespace tern::dpdk
