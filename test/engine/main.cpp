// Engine tests run inside one EAL instance (no hugepages, own file prefix),
// with ports made of rte_rings that the tests feed and drain.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <unistd.h>

#include <string>

#include "dpdk/eal.h"

int main(int argc, char** argv) {
    std::string prefix = "--file-prefix=tern-engine-test-" + std::to_string(getpid());
    tern::dpdk::eal_init({"engine-tests", "--no-huge", "-m", "256", "--no-pci", "-l", "0",
                          prefix, "--log-level=*:warning", "--no-telemetry"});
    int rc = Catch::Session().run(argc, argv);
    tern::dpdk::eal_cleanup();
    return rc;
}
