#include "config/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>

#include <toml++/toml.h>

namespace tern::config {

namespace {

// A key knows how to parse its value from text (TOML scalars are turned into
// text first, so the file and --set share one parser) and how to show it.
struct Key {
    const char* name;
    std::function<void(Config&, std::string_view)> set;
    std::function<std::string(const Config&)> get;
};

[[noreturn]] void fail(std::string_view key, std::string_view value, std::string_view want) {
    throw ConfigError(std::string(key) + ": invalid value '" + std::string(value) + "' (expected " +
                      std::string(want) + ")");
}

uint64_t parse_uint(std::string_view key, std::string_view v, uint64_t lo, uint64_t hi) {
    uint64_t x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || v.empty() || x < lo || x > hi)
        fail(key, v, "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return x;
}

bool parse_bool(std::string_view key, std::string_view v) {
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    fail(key, v, "true/false or 1/0");
}

template <class T>
Key uint_key(const char* name, T Config::*sect, uint32_t std::remove_reference_t<T>::*field,
             uint64_t lo, uint64_t hi) {
    return {name,
            [=](Config& c, std::string_view v) { (c.*sect).*field = uint32_t(parse_uint(name, v, lo, hi)); },
            [=](const Config& c) { return std::to_string((c.*sect).*field); }};
}

const std::vector<Key>& keys() {
    static const std::vector<Key> k = {
        {"engine.address",
         [](Config& c, std::string_view v) {
             auto a = net::parse_ipv4_cidr(v);
             if (!a || a->prefix == 0) fail("engine.address", v, "an IPv4 address in CIDR form, e.g. 198.18.0.2/24");
             c.engine.address = *a;
         },
         [](const Config& c) {
             return net::format_ipv4(c.engine.address.addr) + "/" + std::to_string(c.engine.address.prefix);
         }},
        uint_key("engine.mbufs", &Config::engine, &EngineConfig::mbufs, 1023, 1u << 26),
        uint_key("engine.mbuf_cache", &Config::engine, &EngineConfig::mbuf_cache, 0, 512),
        uint_key("engine.burst", &Config::engine, &EngineConfig::burst, 1, 512),
        uint_key("engine.max_conns", &Config::engine, &EngineConfig::max_conns, 16, 1u << 26),
        uint_key("engine.drain_ms", &Config::engine, &EngineConfig::drain_ms, 0, 600000),
        {"port.name", [](Config& c, std::string_view v) { c.port.name = std::string(v); },
         [](const Config& c) { return c.port.name; }},
        uint_key("port.rx_desc", &Config::port, &PortConfig::rx_desc, 32, 32768),
        uint_key("port.tx_desc", &Config::port, &PortConfig::tx_desc, 32, 32768),
        {"port.promiscuous",
         [](Config& c, std::string_view v) { c.port.promiscuous = parse_bool("port.promiscuous", v); },
         [](const Config& c) { return std::string(c.port.promiscuous ? "true" : "false"); }},
    };
    return k;
}

const Key& find_key(std::string_view name, std::string_view origin) {
    for (const auto& k : keys())
        if (name == k.name) return k;
    throw ConfigError(std::string(origin) + ": unknown key '" + std::string(name) + "'");
}

std::string scalar_text(const toml::node& n, std::string_view key) {
    if (auto s = n.as_string()) return s->get();
    if (auto i = n.as_integer()) return std::to_string(i->get());
    if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
    throw ConfigError(std::string(key) + ": expected a string, integer or boolean");
}

void apply_table(Config& c, const toml::table& t, const std::string& prefix, std::string_view origin) {
    for (auto&& [k, node] : t) {
        std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (auto sub = node.as_table()) {
            apply_table(c, *sub, name, origin);
        } else if (name == "eal.args") {
            auto arr = node.as_array();
            if (!arr) throw ConfigError(std::string(origin) + ": eal.args must be an array of strings");
            c.eal_args.clear();
            for (auto&& e : *arr) {
                auto s = e.as_string();
                if (!s) throw ConfigError(std::string(origin) + ": eal.args must be an array of strings");
                c.eal_args.push_back(s->get());
            }
        } else {
            find_key(name, origin).set(c, scalar_text(node, name));
        }
    }
}

}  // namespace

void apply_toml(Config& c, std::string_view text, std::string_view origin) {
    toml::table t;
    try {
        t = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << origin << ":" << e.source().begin.line << ": " << e.description();
        throw ConfigError(os.str());
    }
    apply_table(c, t, "", origin);
}

void apply_file(Config& c, const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("cannot read config file '" + path + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    apply_toml(c, ss.str(), path);
}

void apply_set(Config& c, std::string_view a) {
    auto eq = a.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw ConfigError("--set '" + std::string(a) + "': expected section.key=value");
    auto name = a.substr(0, eq);
    if (name == "eal.args") throw ConfigError("--set: eal.args cannot be set here; put EAL options before --");
    find_key(name, "--set").set(c, a.substr(eq + 1));
}

void validate(const Config& c) {
    if (c.engine.address.addr == 0)
        throw ConfigError("engine.address is not set (e.g. --set engine.address=198.18.0.2/24)");
    if (c.engine.burst > c.port.rx_desc)
        throw ConfigError("engine.burst must not exceed port.rx_desc");
}

std::vector<std::pair<std::string, std::string>> describe(const Config& c) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& k : keys()) out.emplace_back(k.name, k.get(c));
    return out;
}

}  // namespace tern::config
