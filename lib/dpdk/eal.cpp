#include "dpdk/eal.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

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

namespace {

// A primary's hugepage files (<prefix>map_N in each hugetlbfs mount) keep
// their pages reserved after it exits, until an EAL with the same prefix
// starts again and clears them: tern's 512 MB would stay taken from every
// other program. The runtime directory (/var/run/dpdk/<prefix>) is left
// behind too. Both go once EAL is done with them; a secondary still
// attached (dpdk-dumpcap) keeps its own mappings.
void remove_runtime_files(const std::filesystem::path& runtime_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string prefix = runtime_dir.filename().string();
    if (prefix.empty()) return;
    std::ifstream mounts("/proc/mounts");
    std::string line;
    while (std::getline(mounts, line)) {
        std::istringstream f(line);
        std::string dev, dir, type;
        if (!(f >> dev >> dir >> type) || type != "hugetlbfs") continue;
        for (const auto& e : fs::directory_iterator(dir, ec)) {
            const std::string name = e.path().filename().string();
            if (name.rfind(prefix + "map_", 0) == 0) fs::remove(e.path(), ec);
        }
    }
    fs::remove_all(runtime_dir, ec);
}

}  // namespace

void eal_cleanup() {
    const bool primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
    const std::filesystem::path runtime_dir = rte_eal_get_runtime_dir();
    if (primary) rte_pdump_uninit();
    rte_eal_cleanup();
    if (primary) remove_runtime_files(runtime_dir);
}

int log_type() { return g_log_type; }

}  // namespace tern::dpdk
