// The generator's one port: chosen, started with one RX/TX queue pair, and
// waited on until its link is up (a memif client is up once tern, the
// server, has accepted it).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "dpdk/port.h"

namespace tern::gen {

// `name` empty: the only probed ethdev (an error if there are several).
// `mbufs`: the port's pool, shared by RX and everything the generator sends.
dpdk::Port open_port(const std::string& name, uint32_t mbufs);

// Polls the link every 10 ms; false after timeout_s or when stop is set.
bool wait_link_up(uint16_t port_id, double timeout_s, const std::atomic<bool>& stop);
// The same until the peer has gone (link down): true if it went.
bool wait_link_down(uint16_t port_id, double timeout_s, const std::atomic<bool>& stop);

// Port-level counters (rte_eth_stats) at one instant.
struct PortCounters {
    uint64_t ipackets = 0, opackets = 0, oerrors = 0, imissed = 0;
};
PortCounters read_port_counters(uint16_t port_id);

}  // namespace tern::gen
