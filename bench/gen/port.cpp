#include "port.h"

#include <fmt/format.h>
#include <rte_ethdev.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace tern::gen {

dpdk::Port open_port(const std::string& name, uint32_t mbufs) {
    dpdk::PortSettings s;
    s.rx_desc = s.tx_desc = 1024;  // tern's defaults (port.rx_desc, port.tx_desc)
    s.mbufs = mbufs;
    s.mbuf_cache = 256;
    // The least pool as tern counts its own (a TX batch of 512 per queue);
    // the generator's TX stages hold more, as far as the pool lasts.
    s.tx_batch = 512;
    const auto ids = dpdk::select_ports(name);
    if (ids.size() != 1)
        throw std::runtime_error(fmt::format("{} ethdevs: name the one to use with --port", ids.size()));
    try {
        return dpdk::start_port(ids[0], 1, s);
    } catch (const std::exception& e) {
        // memif: a client cannot start before its server has made the socket.
        throw std::runtime_error(fmt::format("{} (a net_memif client: is its server, normally "
                                             "tern, running on that socket?)", e.what()));
    }
}

namespace {
bool wait_link(uint16_t port_id, uint16_t status, double timeout_s, const std::atomic<bool>& stop) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!stop.load()) {
        rte_eth_link link{};
        if (rte_eth_link_get_nowait(port_id, &link) == 0 && link.link_status == status) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}
}  // namespace

bool wait_link_up(uint16_t port_id, double timeout_s, const std::atomic<bool>& stop) {
    return wait_link(port_id, RTE_ETH_LINK_UP, timeout_s, stop);
}

bool wait_link_down(uint16_t port_id, double timeout_s, const std::atomic<bool>& stop) {
    return wait_link(port_id, RTE_ETH_LINK_DOWN, timeout_s, stop);
}

PortCounters read_port_counters(uint16_t port_id) {
    rte_eth_stats s{};
    PortCounters c;
    if (rte_eth_stats_get(port_id, &s) == 0) {
        c.ipackets = s.ipackets;
        c.opackets = s.opackets;
        c.oerrors = s.oerrors;
        c.imissed = s.imissed;
    }
    return c;
}

}  // namespace tern::gen
