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

// EAL 22.11's options that take a value as the next token when not given
// as `--name=value` / `-xVALUE` (eal_common_options.c's table).
bool takes_value(std::string_view name) {
    static constexpr std::string_view kWithValue[] = {
        "c", "l", "n", "m", "a", "b", "d", "r", "S", "s",
        "lcores", "socket-mem", "socket-limit", "file-prefix", "vdev", "proc-type",
        "huge-dir", "log-level", "iova-mode", "base-virtaddr", "main-lcore",
        "master-lcore", "service-corelist", "service-coremask", "allow", "block",
        "pci-whitelist", "pci-blacklist", "driver-path", "mbuf-pool-ops-name",
        "vfio-intr", "vfio-vf-token", "trace", "trace-dir", "trace-bufsz", "trace-mode"};
    return std::find(std::begin(kWithValue), std::end(kWithValue), name) != std::end(kWithValue);
}

// Aliases share one key; options EAL takes many times have none, except
// --vdev, which is one option per device.
std::string key_of(std::string_view name, std::string_view value) {
    if (name == "l" || name == "c" || name == "lcores") return "lcores";
    if (name == "m" || name == "socket-mem") return "memory";
    if (name == "S" || name == "s" || name == "service-corelist" || name == "service-coremask")
        return "service-cores";
    if (name == "main-lcore" || name == "master-lcore") return "main-lcore";
    if (name == "vdev") return "vdev:" + std::string(value.substr(0, value.find(',')));
    static constexpr std::string_view kRepeatable[] = {
        "a", "b", "d", "allow", "block", "pci-whitelist", "pci-blacklist", "driver-path",
        "log-level", "trace"};
    if (std::find(std::begin(kRepeatable), std::end(kRepeatable), name) != std::end(kRepeatable))
        return "";
    return std::string(name);
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
        if (!inline_value && takes_value(name) && i + 1 < args.size()) {
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
