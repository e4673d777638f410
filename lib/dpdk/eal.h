// EAL start-up and the engine's log type.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tern::dpdk {

struct DpdkError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// rte_eal_init over args (args[0] is the program name). Throws DpdkError.
void eal_init(const std::vector<std::string>& args);
void eal_cleanup();

// The registered `tern` rte_log type (--log-level=tern:debug).
int log_type();

}  // namespace tern::dpdk

#define TERN_LOG(level, ...) \
    rte_log(RTE_LOG_##level, ::tern::dpdk::log_type(), "TERN: " __VA_ARGS__)
