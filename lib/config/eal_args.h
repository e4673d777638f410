// The EAL arguments tern starts DPDK with: a driver profile's `eal.args`,
// then those given on the command line, where an option given on the
// command line replaces the profile's (DPDK refuses some repeated options,
// `-l` among them, and silently keeps the first of others). No DPDK here:
// only the option names EAL 22.11 accepts.
#pragma once

#include <string>
#include <vector>

namespace tern::config {

// Profile options overridden by the command line's:
//  - single-valued options by name, with their aliases counted as one
//    (`-l`, `-c` and `--lcores`; `-m` and `--socket-mem`);
//  - `--vdev` per device name (`--vdev=net_tap0,iface=x` replaces the
//    profile's net_tap0, another device is added);
//  - repeated flags are given once.
// Options that EAL takes many times (`-a`, `-b`, `-d`, `--log-level`, a
// `--vdev` of another device) are kept from both. Order: the profile's
// surviving options, then the command line's.
std::vector<std::string> merge_eal_args(const std::vector<std::string>& profile,
                                        const std::vector<std::string>& cli);

}  // namespace tern::config
