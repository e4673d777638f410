// tern-micro-dpdk: micro-benchmarks that need EAL up (rte_hash, ...).
// Brings up a private EAL on lcore 0, then runs Google Benchmark with the
// remaining arguments (--benchmark_filter=REGEX etc.).
//
// EAL memory: 2 MB hugepages when /dev/hugepages is mounted and has 256
// free pages (unlinked at start, nothing left behind), else --no-huge.
// TERN_MICRO_NO_HUGE=1 forces --no-huge, to compare at equal page size with
// heap tables (4 KB pages, or THP with GLIBC_TUNABLES=glibc.malloc.hugetlb=1).
#include <benchmark/benchmark.h>
#include <rte_eal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// flow_table_bench.cpp: frees its cached rte_hash.
void tern_micro_flow_table_release();

namespace {

bool hugepages_usable() {
    const char* force = std::getenv("TERN_MICRO_NO_HUGE");
    if (force != nullptr && std::strcmp(force, "0") != 0) return false;
    bool mounted = false;
    std::ifstream mounts("/proc/mounts");
    for (std::string dev, dir, type, rest; mounts >> dev >> dir >> type && std::getline(mounts, rest);)
        if (type == "hugetlbfs" && dir == "/dev/hugepages") mounted = true;
    if (!mounted) return false;
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        unsigned long free_pages = 0;
        if (std::sscanf(line.c_str(), "HugePages_Free: %lu", &free_pages) == 1) return free_pages >= 256;
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    const bool huge = hugepages_usable();
    std::vector<std::string> eal = {argv[0], "-l", "0", "--no-pci", "-m", "512",
                                    "--file-prefix=tern-micro-" + std::to_string(getpid()),
                                    "--log-level=*:warning", huge ? "--huge-unlink" : "--no-huge"};
    std::vector<char*> eal_argv;
    for (auto& a : eal) eal_argv.push_back(a.data());
    if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0) {
        std::fprintf(stderr, "tern-micro-dpdk: rte_eal_init failed\n");
        return 1;
    }
    benchmark::AddCustomContext("eal_memory", huge ? "hugepages 2M" : "no-huge");
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    benchmark::AddCustomContext("glibc_tunables", tunables != nullptr ? tunables : "");

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    tern_micro_flow_table_release();
    rte_eal_cleanup();
    return 0;
}
