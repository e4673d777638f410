#include "config/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>

#include <toml++/toml.h>

#include "app/apps.h"
#include "util/hex_key.h"

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

// Numeric key bound to a field through an accessor. `scale` converts the
// unit operators know (Linux counts these sysctls in seconds) to the field's.
template <class Field>
Key num(const char* name, Field& (*field)(Config&), uint64_t lo, uint64_t hi, uint64_t scale = 1) {
    return {name,
            [=](Config& c, std::string_view v) { field(c) = Field(parse_uint(name, v, lo, hi) * scale); },
            [=](const Config& c) { return std::to_string(uint64_t(field(const_cast<Config&>(c))) / scale); }};
}

Key flag(const char* name, bool& (*field)(Config&)) {
    return {name, [=](Config& c, std::string_view v) { field(c) = parse_bool(name, v); },
            [=](const Config& c) { return std::string(field(const_cast<Config&>(c)) ? "true" : "false"); }};
}

Key text(const char* name, std::string& (*field)(Config&)) {
    return {name, [=](Config& c, std::string_view v) { field(c) = std::string(v); },
            [=](const Config& c) { return field(const_cast<Config&>(c)); }};
}

// Keys of one listener, shared by [listen] and each [[listeners]] entry.
void set_listener_key(ListenerConfig& l, std::string_view key, std::string_view full, std::string_view v) {
    if (key == "port") l.port = uint16_t(parse_uint(full, v, 1, 65535));
    else if (key == "app") {
        if (!app::is_app_name(v)) fail(full, v, "one of " + app::app_name_list());
        l.app = std::string(v);
    } else if (key == "backlog") l.backlog = uint32_t(parse_uint(full, v, 0, 1u << 20));
    else if (key == "keepalive") l.keepalive = parse_bool(full, v);
    else throw ConfigError("unknown key '" + std::string(full) + "'");
}

Key listen_key(const char* name, std::string (*get)(const ListenerConfig&)) {
    std::string_view n(name);
    auto key = n.substr(n.find('.') + 1);
    return {name, [=](Config& c, std::string_view v) { set_listener_key(c.listen, key, n, v); },
            [=](const Config& c) { return get(c.listen); }};
}

#define F(expr) +[](Config& c) -> auto& { return expr; }

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
        num("engine.mbufs", F(c.engine.mbufs), 1023, 1u << 26),
        num("engine.mbuf_cache", F(c.engine.mbuf_cache), 0, 512),
        num("engine.burst", F(c.engine.burst), 1, kMaxBurst),
        // Full connections (TCBs) per worker: the Stack's pool, sized at start.
        num("engine.max_conns", F(c.tcp.max_tcbs), 16, 1u << 26),
        num("engine.drain_ms", F(c.engine.drain_ms), 0, 600000),
        num("engine.tx_stall_us", F(c.engine.tx_stall_us), 100, 10000000),
        num("engine.withdraw_ms", F(c.engine.withdraw_ms), 0, 600000),
        text("port.name", F(c.port.name)),
        num("port.rx_desc", F(c.port.rx_desc), 32, 32768),
        num("port.tx_desc", F(c.port.tx_desc), 32, 32768),
        flag("port.promiscuous", F(c.port.promiscuous)),
        listen_key("listen.port", [](const ListenerConfig& l) { return std::to_string(l.port); }),
        listen_key("listen.app", [](const ListenerConfig& l) { return l.app; }),
        listen_key("listen.backlog", [](const ListenerConfig& l) { return std::to_string(l.backlog); }),
        listen_key("listen.keepalive", [](const ListenerConfig& l) { return std::string(l.keepalive ? "true" : "false"); }),
        text("http.body", F(c.http_body)),
        // Linux sysctl names; Linux's seconds stay seconds here.
        num("tcp.max_tw_buckets", F(c.tcp.max_tw_buckets), 16, 1u << 26),
        num("tcp.send_chunks", F(c.tcp.send_chunks), 16, 1u << 26),
        num("tcp.mss", F(c.tcp.mss), 536, 9000),
        num("tcp.rcv_wnd", F(c.tcp.rcv_wnd), 1024, 1u << 30),
        num("tcp.wmem", F(c.tcp.wmem), 2048, 1u << 30),
        num("tcp.ooo_max_segments", F(c.tcp.ooo_max_segments), 0, 64),
        flag("tcp.timestamps", F(c.tcp.timestamps)),
        flag("tcp.window_scaling", F(c.tcp.window_scaling)),
        flag("tcp.sack", F(c.tcp.sack)),
        num("tcp.msl_ms", F(c.tcp.msl_ms), 1, 600000),
        num("tcp.fin_timeout", F(c.tcp.fin_timeout_ms), 1, 86400, 1000),
        num("tcp.synack_retries", F(c.tcp.synack_retries), 0, 20),
        num("tcp.syn_retries", F(c.tcp.syn_retries), 1, 20),
        flag("tcp.synack_fail_rst", F(c.tcp.synack_fail_rst)),
        num("tcp.rto_min_ms", F(c.tcp.rto_min_ms), 1, 60000),
        num("tcp.rto_max_ms", F(c.tcp.rto_max_ms), 100, 600000),
        num("tcp.retries2", F(c.tcp.retries2), 1, 100),
        num("tcp.keepalive_time", F(c.tcp.keepalive_time_ms), 1, 32767, 1000),
        num("tcp.keepalive_intvl", F(c.tcp.keepalive_intvl_ms), 1, 32767, 1000),
        num("tcp.keepalive_probes", F(c.tcp.keepalive_probes), 1, 127),
        num("tcp.max_syn_backlog", F(c.tcp.max_syn_backlog), 1, 1u << 24),
        num("net.somaxconn", F(c.tcp.somaxconn), 1, 1u << 24),
        num("tcp.challenge_ack_limit", F(c.tcp.challenge_ack_limit), 1, 1u << 30),
        flag("tcp.rfc1337", F(c.tcp.rfc1337)),
        flag("tcp.abort_on_overflow", F(c.tcp.abort_on_overflow)),
        num("tcp.syncookies", F(c.tcp.syncookies), 0, 2),
        num("tcp.syn_rate_per_source", F(c.tcp.syn_rate_per_source), 0, 1u << 24),
        num("tcp.syn_burst_per_source", F(c.tcp.syn_burst_per_source), 1, 4294967),
        num("tcp.syn_limiter_sources", F(c.tcp.syn_limiter_sources), 4, 1u << 24),
        num("tcp.syn_flood_rate", F(c.tcp.syn_flood_rate), 0, 1u << 30),
        {"tcp.syncookie_secret",
         [](Config& c, std::string_view v) {
             if (!v.empty() && !util::parse_key_hex(v))
                 fail("tcp.syncookie_secret", "<hidden>", "32 hex digits (128 bits), or empty for random");
             c.syncookie_secret = std::string(v);
         },
         [](const Config& c) { return std::string(c.syncookie_secret.empty() ? "" : "<set>"); }},
        // Above the cookie lifetime (2 x 64 s), so a cookie survives one rotation.
        num("tcp.syncookie_rotate_s", F(c.syncookie_rotate_s), 130, 86400 * 7),
    };
    return k;
}

#undef F

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
        if (name == "listeners") {
            auto arr = node.as_array();
            if (!arr) throw ConfigError(std::string(origin) + ": listeners must be [[listeners]] tables");
            for (auto&& e : *arr) {
                auto tbl = e.as_table();
                if (!tbl) throw ConfigError(std::string(origin) + ": listeners must be [[listeners]] tables");
                ListenerConfig l;
                for (auto&& [lk, lv] : *tbl) {
                    std::string full = "listeners." + std::string(lk.str());
                    try {
                        set_listener_key(l, lk.str(), full, scalar_text(lv, full));
                    } catch (const ConfigError& ce) {
                        throw ConfigError(std::string(origin) + ": " + ce.what());
                    }
                }
                if (l.port == 0) throw ConfigError(std::string(origin) + ": a [[listeners]] entry needs a port");
                c.listeners.push_back(l);
            }
        } else if (auto sub = node.as_table()) {
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

std::vector<ListenerConfig> Config::all_listeners() const {
    std::vector<ListenerConfig> out;
    if (listen.port != 0) out.push_back(listen);
    out.insert(out.end(), listeners.begin(), listeners.end());
    return out;
}

void validate(const Config& c) {
    auto ls = c.all_listeners();
    for (size_t i = 0; i < ls.size(); ++i)
        for (size_t j = i + 1; j < ls.size(); ++j)
            if (ls[i].port == ls[j].port)
                throw ConfigError("port " + std::to_string(ls[i].port) + " has two listeners");
    if (c.tcp.rto_min_ms > c.tcp.rto_max_ms) throw ConfigError("tcp.rto_min_ms exceeds tcp.rto_max_ms");
    if (c.engine.address.addr == 0)
        throw ConfigError("engine.address is not set (e.g. --set engine.address=198.18.0.2/24)");
    if (c.engine.burst > c.port.rx_desc)
        throw ConfigError("engine.burst must not exceed port.rx_desc");
    app::AppOptions ao;
    ao.http_body = c.http_body;
    for (const auto& l : ls)
        if (const char* why = app::check_app_options(l.app, ao)) throw ConfigError(why);
}

std::vector<std::pair<std::string, std::string>> describe(const Config& c) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& k : keys()) out.emplace_back(k.name, k.get(c));
    return out;
}

}  // namespace tern::config
