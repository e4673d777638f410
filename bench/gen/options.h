// tern-gen's own options (after the EAL's `--`): the mode, the clients, the
// flood, the window. Read and checked before EAL starts, so a bad option
// costs no DPDK start-up and always exits 2.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "addr_range.h"
#include "net/ether.h"

namespace tern::gen {

enum class Mode { cps, synflood, mixed };
const char* mode_name(Mode m);

struct Options {
    Mode mode = Mode::cps;
    // cps clients (cps and mixed)
    uint32_t concurrency = 1024;
    AddrRange src;                       // default depends on the mode
    uint16_t sport_lo = 1024, sport_hi = 65535;
    double timeout_ms = 1000;            // no progress this long: the connection failed
    double msl_ms = 60000;               // our TIME_WAIT lasts 2 * MSL
    // SYN flood (synflood and mixed)
    AddrRange flood_src;                 // default 198.19.0.0/16
    double rate = 0;                     // SYNs/s, 0 = as fast as the port takes them
    // target
    uint32_t dst_ip = kBenchNet | 1;     // 198.18.0.1
    uint16_t dst_port = 80;
    std::optional<net::MacAddr> dst_mac; // skip ARP
    double arp_timeout_s = 5;            // resolve tern's MAC within this
    double link_timeout_s = 10;          // the memif peer must connect within this
    std::string port;                    // ethdev name; default: the only one
    // the run
    double warmup = 1, seconds = 5;
    // After the report: stop polling and wait up to this long for the peer
    // to close the link before closing ours (see bench/gen/README.md).
    double linger_s = 0;
    unsigned burst = 32;
    std::string json;
    bool hugepages = true;               // filled in from the EAL arguments

    bool has_clients() const { return mode != Mode::synflood; }
    bool has_flood() const { return mode != Mode::cps; }
    // Wall-clock bound of the whole run, set-up included.
    double hard_limit_s() const { return link_timeout_s + arp_timeout_s + warmup + seconds + linger_s + 5;
    }
    // Every option and its value, for the report (numbers stay numbers in JSON).
    using Value = std::variant<double, std::string>;
    std::vector<std::pair<std::string, Value>> describe() const;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// args: MODE [options]. Throws UsageError (the caller prints it, exits 2);
// returns nullopt for --help.
std::optional<Options> parse_options(const std::vector<std::string>& args);
void print_usage();

}  // namespace tern::gen
