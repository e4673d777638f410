#include "engine/ports.h"

#include <string>
#include <utility>

namespace tern::engine {

namespace {

constexpr uint32_t kIpTcpHeaders = 40;  // IPv4 and TCP headers without options

// The configuration key behind each PortSettings field (tx_batch has none:
// it is config::kMaxBurst).
std::string config_key(const std::string& setting) {
    static const std::pair<const char*, const char*> keys[] = {
        {"name", "port.name"},         {"rx_desc", "port.rx_desc"},
        {"tx_desc", "port.tx_desc"},   {"promiscuous", "port.promiscuous"},
        {"mbufs", "engine.mbufs"},     {"mbuf_cache", "engine.mbuf_cache"}};
    for (const auto& [field, key] : keys)
        if (setting == field) return key;
    return setting;
}

config::ConfigError as_config_error(const dpdk::SettingsError& e) {
    return config::ConfigError(config_key(e.setting) + e.detail);
}

}  // namespace

dpdk::PortSettings port_settings(const config::Config& cfg) {
    dpdk::PortSettings s;
    s.rx_desc = cfg.port.rx_desc;
    s.tx_desc = cfg.port.tx_desc;
    s.promiscuous = cfg.port.promiscuous;
    s.mbufs = cfg.engine.mbufs;
    s.mbuf_cache = cfg.engine.mbuf_cache;
    s.tx_batch = config::kMaxBurst;  // a worker's TX batch holds up to this many
    return s;
}

std::vector<dpdk::Port> start_ports(const config::Config& cfg, uint16_t want_queues) {
    std::vector<dpdk::Port> ports;
    const dpdk::PortSettings s = port_settings(cfg);
    try {
        for (uint16_t id : dpdk::select_ports(cfg.port.name)) {
            ports.push_back(dpdk::start_port(id, want_queues, s));
            // A segment of tcp.mss bytes with its IPv4 and TCP headers must
            // fit the port's MTU (timestamps and SACK blocks come out of the MSS).
            const auto& p = ports.back();
            if (cfg.tcp.mss + kIpTcpHeaders > p.mtu)
                throw config::ConfigError("tcp.mss " + std::to_string(cfg.tcp.mss) +
                                          " needs an MTU of " +
                                          std::to_string(cfg.tcp.mss + kIpTcpHeaders) + "; port " +
                                          p.name + " has " + std::to_string(p.mtu));
        }
    } catch (const dpdk::SettingsError& e) {
        throw as_config_error(e);
    }
    return ports;
}

}  // namespace tern::engine
