#include "dpdk/eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pdump.h>

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
    // dpdk-dumpcap / dpdk-pdump attach as secondary processes; they can only
    // do so when this primary runs on hugepages (not with --no-huge).
    if (rte_eal_process_type() == RTE_PROC_PRIMARY && rte_pdump_init() < 0)
        TERN_LOG(WARNING, "pdump unavailable: %s\n", rte_strerror(rte_errno));
}

void eal_cleanup() {
    if (rte_eal_process_type() == RTE_PROC_PRIMARY) rte_pdump_uninit();
    rte_eal_cleanup();
}

int log_type() { return g_log_type; }

}  // namespace tern::dpdk
