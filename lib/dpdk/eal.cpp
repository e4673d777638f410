#include "dpdk/eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

namespace tern::dpdk {

namespace {
int g_log_type = RTE_LOGTYPE_USER1;
}

void eal_init(const std::vector<std::string>& args) {
    std::vector<std::string> copy = args;  // EAL may permute argv
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (rte_eal_init(int(copy.size()), argv.data()) < 0)
        throw DpdkError(std::string("EAL initialisation failed: ") + rte_strerror(rte_errno));
    int t = rte_log_register_type_and_pick_level("tern", RTE_LOG_INFO);
    if (t >= 0) g_log_type = t;
}

void eal_cleanup() { rte_eal_cleanup(); }

int log_type() { return g_log_type; }

}  // namespace tern::dpdk
