#include "config/eal_args.h"

#include <algorithm>
#include <string_view>

namespace tern::config {

namespace {

// One option as EAL sees it: the tokens it spans and what makes two of
// them the same option ("" for one that may repeat).
struct EalOption {
    std::vector<std::string> tokens;
    std::string key;
};

// EAL 22.11's options that take a value (as the next token unless given as
// `--name=value` / `-xVALUE`; eal_common_options.c's table), with what makes
// two of them the same option: aliases share a key, "" is an option EAL
// takes many times, and a --vdev is one option per device. Any other name
// is a flag, its own key.
struct ValueOption {
    std::string_view name;
    std::string_view key;
};
constexpr ValueOption kWithValue[] = {
    {"c", "lcores"}, {"l", "lcores"}, {"lcores", "lcores"},
    {"m", "memory"}, {"socket-mem", "memory"},
    {"S", "service-cores"}, {"s", "service-cores"},
    {"service-corelist", "service-cores"}, {"service-coremask", "service-cores"},
    {"main-lcore", "main-lcore"}, {"master-lcore", "main-lcore"},
    {"vdev", "vdev:"},
    {"a", ""}, {"b", ""}, {"d", ""}, {"allow", ""}, {"block", ""}, {"pci-whitelist", ""},
    {"pci-blacklist", ""}, {"driver-path", ""}, {"log-level", ""}, {"trace", ""},
    {"n", "n"}, {"r", "r"}, {"socket-limit", "socket-limit"}, {"file-prefix", "file-prefix"},
    {"proc-type", "proc-type"}, {"huge-dir", "huge-dir"}, {"iova-mode", "iova-mode"},
    {"base-virtaddr", "base-virtaddr"}, {"mbuf-pool-ops-name", "mbuf-pool-ops-name"},
    {"vfio-intr", "vfio-intr"}, {"vfio-vf-token", "vfio-vf-token"}, {"trace-dir", "trace-dir"},
    {"trace-bufsz", "trace-bufsz"}, {"trace-mode", "trace-mode"}};

const ValueOption* with_value(std::string_view name) {
    for (const ValueOption& o : kWithValue)
        if (o.name == name) return &o;
    return nullptr;
}

std::string key_of(std::string_view name, std::string_view value) {
    const ValueOption* o = with_value(name);
    if (!o) return std::string(name);
    if (o->key == "vdev:") return "vdev:" + std::string(value.substr(0, value.find(',')));
    return std::string(o->key);
}

std::vector<EalOption> split(const std::vector<std::string>& args) {
    std::vector<EalOption> out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        EalOption o{{a}, ""};
        std::string_view name, value;
        bool inline_value = false;
        if (a.rfind("--", 0) == 0) {
            const size_t eq = a.find('=');
            name = std::string_view(a).substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
            if (eq != std::string::npos) {
                value = std::string_view(a).substr(eq + 1);
                inline_value = true;
            }
        } else if (a.size() >= 2 && a[0] == '-') {
            name = std::string_view(a).substr(1, 1);
            if (a.size() > 2) {
                value = std::string_view(a).substr(2);
                inline_value = true;
            }
        } else {
            out.push_back(o);  // a stray word: kept where it is, EAL judges it
            continue;
        }
        if (!inline_value && with_value(name) && i + 1 < args.size()) {
            o.tokens.push_back(args[++i]);
            value = o.tokens.back();
        }
        o.key = key_of(name, value);
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace

std::vector<std::string> merge_eal_args(const std::vector<std::string>& profile,
                                        const std::vector<std::string>& cli) {
    const std::vector<EalOption> from_cli = split(cli);
    std::vector<std::string> out;
    for (const EalOption& p : split(profile)) {
        const bool overridden =
            !p.key.empty() && std::any_of(from_cli.begin(), from_cli.end(),
                                          [&](const EalOption& c) { return c.key == p.key; });
        if (!overridden) out.insert(out.end(), p.tokens.begin(), p.tokens.end());
    }
    for (const std::string& t : cli) out.push_back(t);
    return out;
}

}  // namespace tern::config
