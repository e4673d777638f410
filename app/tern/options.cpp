#include "app/tern/options.h"

#include <cstdlib>
#include <stdexcept>

namespace tern::cli {

const char* usage() {
    return "usage: tern [EAL options] -- [-c FILE.toml] [--set section.key=value ...]\n"
           "            [--stats-interval SEC] [--seconds SEC] [--dump-config]\n"
           "  -c, --config FILE       TOML configuration (e.g. drivers-config/net_tap.toml)\n"
           "  -s, --set K=V           override one key (repeatable), e.g. engine.address=198.18.0.2/24\n"
           "      --stats-interval S  print a counter summary every S seconds\n"
           "      --seconds S         run for S seconds, then shut down as on SIGTERM\n"
           "      --dump-config       print every key with its value and exit\n";
}

namespace {

double parse_seconds(const std::string& opt, const std::string& v) {
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end != '\0' || !(d >= 0) || d > 1e7)
        throw std::invalid_argument(opt + ": expected a number of seconds, got '" + v + "'");
    return d;
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
    Options o;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const std::string& opt) -> std::string {
            if (i + 1 >= args.size()) throw std::invalid_argument(opt + " needs a value");
            return args[++i];
        };
        // --opt=value is accepted as well as --opt value.
        std::string name = a, inline_v;
        bool has_inline = false;
        if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
            name = a.substr(0, a.find('='));
            inline_v = a.substr(a.find('=') + 1);
            has_inline = true;
        }
        auto val = [&]() { return has_inline ? inline_v : value(name); };
        if (name == "-c" || name == "--config") o.config_file = val();
        else if (name == "-s" || name == "--set") o.sets.push_back(val());
        else if (name == "--stats-interval") o.stats_interval = parse_seconds(name, val());
        else if (name == "--seconds") o.run_seconds = parse_seconds(name, val());
        else if (name == "--dump-config") o.dump_config = true;
        else if (name == "-h" || name == "--help") o.help = true;
        else throw std::invalid_argument("unknown option '" + a + "'");
    }
    return o;
}

}  // namespace tern::cli
