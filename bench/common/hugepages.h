// Whether a DPDK process can run on 2 MiB hugepages here.
#pragma once

#include <cstdint>

namespace tern::bench {

// MiB of free hugepages, 0 when no hugetlbfs is mounted.
uint64_t free_hugepage_mb();

}  // namespace tern::bench
