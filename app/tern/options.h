// tern's own command line (after EAL's `--`). Namespace tern::cli: the program
// app/tern, apart from tern::app, the built-in applications of lib/app.
#pragma once

#include <string>
#include <vector>

namespace tern::cli {

struct Options {
    std::string config_file;
    std::vector<std::string> sets;  // section.key=value, in order
    double stats_interval = 0;      // seconds; 0 = no periodic line
    double run_seconds = 0;         // 0 = until SIGINT/SIGTERM
    bool dump_config = false;
    bool help = false;
};

// Throws std::invalid_argument with a one-line message.
Options parse_options(const std::vector<std::string>& args);
const char* usage();

}  // namespace tern::cli
