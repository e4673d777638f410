// The engine's ports, from its configuration: the settings lib/dpdk starts
// them with, and what lib/dpdk refuses reported under the configuration's
// own keys.
#pragma once

#include <cstdint>
#include <vector>

#include "config/config.h"
#include "dpdk/port.h"

namespace tern::engine {

// The configuration's port and pool keys as lib/dpdk takes them.
dpdk::PortSettings port_settings(const config::Config& cfg);

// Every port the configuration selects (port.name), started with up to
// `want_queues` RX/TX queue pairs. Throws config::ConfigError when a
// setting cannot work (no such port, too few mbufs, a tcp.mss the MTU does
// not carry), dpdk::DpdkError when DPDK fails.
std::vector<dpdk::Port> start_ports(const config::Config& cfg, uint16_t want_queues);

}  // namespace tern::engine
