#include "common/hugepages.h"

#include <cstdio>
#include <fstream>
#include <string>

namespace tern::bench {

uint64_t free_hugepage_mb() {
    bool mounted = false;
    std::ifstream mounts("/proc/mounts");
    std::string line;
    while (std::getline(mounts, line))
        if (line.find(" hugetlbfs ") != std::string::npos) mounted = true;
    if (!mounted) return 0;
    std::ifstream mi("/proc/meminfo");
    uint64_t free_pages = 0, page_kb = 0;
    while (std::getline(mi, line)) {
        unsigned long long v;
        if (std::sscanf(line.c_str(), "HugePages_Free: %llu", &v) == 1) free_pages = v;
        if (std::sscanf(line.c_str(), "Hugepagesize: %llu kB", &v) == 1) page_kb = v;
    }
    return free_pages * page_kb / 1024;
}

}  // namespace tern::bench
