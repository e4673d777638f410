#include "options.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "net/ipv4.h"

namespace tern::gen {

namespace {

// cps alone may use the whole block above tern's own /24; mixed keeps its
// clients out of the flood's 198.19.0.0/16. 198.19.255.255 is left out: it
// is the directed broadcast of 198.18.0.0/15, which tern refuses as a source
// when it is configured with that prefix.
constexpr AddrRange kCpsSrc{kBenchNet | 0x0100, (198u << 24) | (19u << 16) | 0xFFFE};
constexpr AddrRange kMixedSrc{kBenchNet | 0x0100, kBenchNet | 0xFFFF};
constexpr AddrRange kFloodSrc{(198u << 24) | (19u << 16), (198u << 24) | (19u << 16) | 0xFFFF};

double to_double(const std::string& opt, const std::string& v, double lo, double hi) {
    double d = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d) || d < lo || d > hi)
        throw UsageError(fmt::format("{}: '{}' is not a number in [{}, {}]", opt, v, lo, hi));
    return d;
}

uint64_t to_uint(const std::string& opt, const std::string& v, uint64_t lo, uint64_t hi) {
    uint64_t u = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), u);
    if (ec != std::errc() || p != v.data() + v.size() || u < lo || u > hi)
        throw UsageError(fmt::format("{}: '{}' is not an integer in [{}, {}]", opt, v, lo, hi));
    return u;
}

AddrRange to_bench_range(const std::string& opt, const std::string& v) {
    auto r = parse_range(v);
    if (!r) throw UsageError(fmt::format("{}: '{}' is not A-B, A/len or an address", opt, v));
    if (!r->inside_bench_net())
        throw UsageError(fmt::format("{}: {} is outside 198.18.0.0/15 (the only addresses tern-gen "
                                     "may use)", opt, r->str()));
    return *r;
}

}  // namespace

const char* mode_name(Mode m) {
    switch (m) {
        case Mode::cps: return "cps";
        case Mode::synflood: return "synflood";
        case Mode::mixed: return "mixed";
    }
    return "?";
}

void print_usage() {
    std::fputs(
        "usage: tern-gen [EAL args] -- cps|synflood|mixed [options]\n"
        "  EAL: one port (default: the only ethdev), e.g.\n"
        "       -l 0 --vdev=net_memif0,role=client,id=0,socket=/run/tern-bench.sock\n"
        "  --concurrency N     cps/mixed: clients in flight (default 1024)\n"
        "  --src A-B|A/len     cps/mixed: client addresses (default cps 198.18.1.0-198.19.255.254,\n"
        "                      mixed 198.18.1.0-198.18.255.255)\n"
        "  --sports LO-HI      client source ports (default 1024-65535)\n"
        "  --timeout-ms MS     a connection without progress this long fails (default 1000)\n"
        "  --msl-ms MS         the generator's TIME_WAIT is 2*MSL (default 60000)\n"
        "  --flood-src A-B|A/len  synflood/mixed: spoofed sources (default 198.19.0.0/16)\n"
        "  --rate PPS          synflood/mixed: SYNs per second, 0 = as fast as possible (default 0)\n"
        "  --dst-ip A          tern's address (default 198.18.0.1)\n"
        "  --dst-port P        (default 80)\n"
        "  --dst-mac M         tern's MAC (default: resolved by ARP)\n"
        "  --arp-timeout S     (default 5)   --link-timeout S  memif peer (default 10)\n"
        "  --port NAME         ethdev to use\n"
        "  --warmup S          (default 1)   --seconds S  measured window (default 5)\n"
        "  --burst N           RX/TX burst, 1-64 (default 32)\n"
        "  --json FILE         write the results as JSON\n"
        "  --linger S          then stop polling and wait up to S s for the peer to go\n"
        "                      (link down) before closing the port (default 0)\n"
        "Addresses must lie in 198.18.0.0/15.\n",
        stderr);
}

std::optional<Options> parse_options(const std::vector<std::string>& args) {
    if (args.empty()) throw UsageError("no mode: cps, synflood or mixed");
    if (args[0] == "-h" || args[0] == "--help") return std::nullopt;
    Options o;
    if (args[0] == "cps") o.mode = Mode::cps;
    else if (args[0] == "synflood") o.mode = Mode::synflood;
    else if (args[0] == "mixed") o.mode = Mode::mixed;
    else throw UsageError(fmt::format("unknown mode '{}' (cps, synflood, mixed)", args[0]));
    o.src = o.mode == Mode::mixed ? kMixedSrc : kCpsSrc;
    o.flood_src = kFloodSrc;

    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") return std::nullopt;
        if (i + 1 >= args.size()) throw UsageError(a + " needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "--concurrency") o.concurrency = uint32_t(to_uint(a, v, 1, 65535));
        else if (a == "--src") o.src = to_bench_range(a, v);
        else if (a == "--flood-src") o.flood_src = to_bench_range(a, v);
        else if (a == "--sports") {
            auto dash = v.find('-');
            if (dash == std::string::npos) throw UsageError("--sports: LO-HI");
            o.sport_lo = uint16_t(to_uint(a, v.substr(0, dash), 1, 65535));
            o.sport_hi = uint16_t(to_uint(a, v.substr(dash + 1), o.sport_lo, 65535));
        } else if (a == "--timeout-ms") o.timeout_ms = to_double(a, v, 1, 3.6e6);
        else if (a == "--msl-ms") o.msl_ms = to_double(a, v, 0, 3.6e6);
        else if (a == "--rate") o.rate = to_double(a, v, 0, 1e9);
        else if (a == "--dst-ip") {
            auto ip = net::parse_ipv4(v);
            if (!ip || (*ip & kBenchMask) != kBenchNet)
                throw UsageError(fmt::format("--dst-ip: '{}' is not an address in 198.18.0.0/15", v));
            o.dst_ip = *ip;
        } else if (a == "--dst-port") o.dst_port = uint16_t(to_uint(a, v, 1, 65535));
        else if (a == "--dst-mac") {
            net::MacAddr m;
            unsigned b[6];
            if (std::sscanf(v.c_str(), "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
                throw UsageError("--dst-mac: xx:xx:xx:xx:xx:xx");
            for (int k = 0; k < 6; ++k) m.b[k] = uint8_t(b[k]);
            o.dst_mac = m;
        } else if (a == "--arp-timeout") o.arp_timeout_s = to_double(a, v, 0.1, 600);
        else if (a == "--link-timeout") o.link_timeout_s = to_double(a, v, 0.1, 600);
        else if (a == "--port") o.port = v;
        else if (a == "--warmup") o.warmup = to_double(a, v, 0, 3600);
        else if (a == "--seconds") o.seconds = to_double(a, v, 0.01, 3600);
        else if (a == "--burst") o.burst = unsigned(to_uint(a, v, 1, 64));
        else if (a == "--json") o.json = v;
        else if (a == "--linger") o.linger_s = to_double(a, v, 0, 3600);
        else throw UsageError("unknown option " + a);
    }

    // Tuples are told apart by their source port (see client_table.h):
    // every client needs one of its own.
    const uint32_t ports = uint32_t(o.sport_hi) - o.sport_lo + 1;
    if (o.has_clients() && o.concurrency > ports)
        throw UsageError(fmt::format("--concurrency {} needs as many source ports (--sports has {})",
                                     o.concurrency, ports));
    if (o.has_clients() && o.src.contains(o.dst_ip))
        throw UsageError(fmt::format("--src {} contains --dst-ip", o.src.str()));
    if (o.has_flood() && o.flood_src.contains(o.dst_ip))
        throw UsageError(fmt::format("--flood-src {} contains --dst-ip", o.flood_src.str()));
    if (o.mode == Mode::mixed && o.src.overlaps(o.flood_src))
        throw UsageError(fmt::format("mixed: --src {} and --flood-src {} must not overlap (replies "
                                     "are told apart by their destination)", o.src.str(), o.flood_src.str()));
    return o;
}

std::vector<std::pair<std::string, Options::Value>> Options::describe() const {
    std::vector<std::pair<std::string, Value>> d{
        {"mode", std::string(mode_name(mode))},
        {"warmup", warmup},
        {"seconds", seconds},
        {"linger_s", linger_s},
        {"burst", double(burst)},
        {"dst_ip", net::format_ipv4(dst_ip)},
        {"dst_port", double(dst_port)},
        {"dst_mac", dst_mac ? dst_mac->str() : std::string("arp")},
        {"arp_timeout", arp_timeout_s},
        {"link_timeout", link_timeout_s},
        {"port", port.empty() ? std::string("the only ethdev") : port},
    };
    if (has_clients()) {
        d.insert(d.end(), {{"concurrency", double(concurrency)},
                           {"src", src.str()},
                           {"sports", fmt::format("{}-{}", sport_lo, sport_hi)},
                           {"timeout_ms", timeout_ms},
                           {"msl_ms", msl_ms}});
    }
    if (has_flood()) d.insert(d.end(), {{"flood_src", flood_src.str()}, {"rate", rate}});
    return d;
}

}  // namespace tern::gen
