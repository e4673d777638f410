// tern's configuration: one immutable snapshot built at start-up from a TOML
// file plus --set overrides, then passed by const reference to every worker.
// Keys are named like Linux sysctls where one exists, so operators bring what
// they know.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/ipv4.h"
#include "tcp/tunables.h"

namespace tern::config {

// Frames in one RX burst (engine.burst) and in one queue's TX batch, at
// most: the worker's arrays are this long, and the mbuf pool must hold a
// TX batch's worth beyond the RX rings.
inline constexpr uint32_t kMaxBurst = 512;

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct EngineConfig {
    net::Ipv4Cidr address{};        // engine.address: the address the engine owns
    uint32_t mbufs = 8191;          // engine.mbufs: pool size per port (2^n - 1 is optimal)
    uint32_t mbuf_cache = 256;      // engine.mbuf_cache: per-lcore mempool cache
    // engine.burst: RX burst size. 128 for the virtual PMDs: over memif a
    // saturated worker did 3-9 % more SYN-ACKs/s than at 32 (256 was worse),
    // in process over rings cps gained too (docs/performance.md). The NIC
    // profiles keep 32, where their vector RX paths are tuned.
    uint32_t burst = 128;
    uint32_t drain_ms = 2000;       // engine.drain_ms: graceful-shutdown budget
    // engine.tx_stall_us: how long a TX batch may wait for a ring that takes
    // nothing before it is dropped (engine/tx_batch.h). 2 ms: a working link
    // of 100 Mb/s or more frees descriptors well within it.
    uint32_t tx_stall_us = 2000;
    // engine.withdraw_ms: on SIGTERM, how long tern reports "withdrawing"
    // (its BGP speaker withdraws the VIP) while it still serves everything,
    // before it drains. 0: drain at once (a single node).
    uint32_t withdraw_ms = 0;

    bool operator==(const EngineConfig&) const = default;
};

struct PortConfig {
    std::string name;               // port.name: DPDK device name; empty = every probed port
    uint32_t rx_desc = 1024;        // port.rx_desc
    uint32_t tx_desc = 1024;        // port.tx_desc
    bool promiscuous = false;       // port.promiscuous

    bool operator==(const PortConfig&) const = default;
};

// A listening port and the built-in application that serves it.
struct ListenerConfig {
    uint16_t port = 0;        // 0 = no listener
    std::string app = "http"; // one of app::app_names()
    uint32_t backlog = 0;     // accept backlog; 0 = net.somaxconn
    bool keepalive = false;   // SO_KEEPALIVE on accepted connections

    bool operator==(const ListenerConfig&) const = default;
};

struct Config {
    std::vector<std::string> eal_args;  // eal.args: EAL arguments of a drivers-config profile
    EngineConfig engine;
    PortConfig port;
    tcp::Tunables tcp;                        // tcp.* and net.somaxconn
    ListenerConfig listen;                  // [listen]: the default listener
    std::vector<ListenerConfig> listeners;  // [[listeners]]: more of them
    std::string http_body = "hello from tern\n";  // http.body
    // tcp.syncookie_secret: 32 hex digits shared by every node behind one
    // VIP (empty: random at start); tcp.syncookie_rotate_s: rotation period.
    std::string syncookie_secret;
    uint32_t syncookie_rotate_s = 600;

    // Every configured listener ([listen] first), ports unique.
    std::vector<ListenerConfig> all_listeners() const;

    bool operator==(const Config&) const = default;
};

// Parse TOML text; every key must be known. `origin` names the source in errors.
void apply_toml(Config& c, std::string_view toml_text, std::string_view origin);
void apply_file(Config& c, const std::string& path);
// One "section.key=value" override from the command line.
void apply_set(Config& c, std::string_view assignment);
// Cross-key checks once everything is applied (e.g. an address is set, and
// each listener's app can serve with http.body: app::check_app_options).
void validate(const Config& c);

// Every known key with its current value, for `--dump-config` and docs.
std::vector<std::pair<std::string, std::string>> describe(const Config& c);

}  // namespace tern::config
