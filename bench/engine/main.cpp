// tern-bench-engine MODE [options]
//   MODE: synflood | cps | idle   (see README.md)
// EAL runs in process with two lcores (-l 0,1): the generator on the main
// lcore, the engine's Worker on the other. Hugepages are used when enough
// are free (bench/engine/hugepages.sh reserves them); otherwise --no-huge
// with a warning, since 4 KiB pages cost DPDK 3-4x per packet here.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common.h"
#include "common/hugepages.h"
#include "config/config.h"
#include "dpdk/eal.h"

namespace {

void usage() {
    std::fputs(
        "usage: tern-bench-engine synflood|cps|idle [options]\n"
        "  --seconds S        measured window (default 5; idle: time limit of the fill)\n"
        "  --warmup S         before the window (default 1)\n"
        "  --json FILE        write the results as JSON\n"
        "  --concurrency N    cps: clients in flight (default 2048)\n"
        "  --conns N          idle: connections to establish (default 1000000)\n"
        "  --timeout-ms MS    cps: a client without progress this long fails (default 1000)\n"
        "  --sample-every N   synflood: fully validate one SYN-ACK in N (default 64)\n"
        "  --ring-size N      RX/TX ring entries (power of two; default per mode)\n"
        "  --rx-csum good|sw  mark RX checksums good as a NIC would (default) or let the\n"
        "                     worker verify them in software\n"
        "  --tx-offload       the worker leaves TX checksums to the 'NIC' (the generator\n"
        "                     completes them, as a NIC would); default: software\n"
        "  --no-huge          never use hugepages\n"
        "  --lcores L         EAL -l list, generator first (default 0,1)\n"
        "  --set key=value    engine config override (repeatable)\n"
        "  --priority         nice -20 for this process and its scheduler autogroup (run it\n"
        "                     under setsid so that no other process shares the group): on a\n"
        "                     machine shared with compilers, the bench threads keep their CPUs\n",
        stderr);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tern;
    bench::Options o;
    std::string lcores = "0,1";
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "-h" || args[0] == "--help") {
        usage();
        return args.empty() ? 2 : 0;
    }
    o.mode = args[0];
    if (o.mode != "synflood" && o.mode != "cps" && o.mode != "idle") {
        usage();
        return 2;
    }
    try {
        for (size_t i = 1; i < args.size(); ++i) {
            const std::string& a = args[i];
            auto val = [&]() -> std::string {
                if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
                return args[++i];
            };
            if (a == "--seconds") o.seconds = std::stod(val());
            else if (a == "--warmup") o.warmup = std::stod(val());
            else if (a == "--json") o.json = val();
            else if (a == "--concurrency") o.concurrency = uint32_t(std::stoul(val()));
            else if (a == "--conns") o.conns = uint32_t(std::stoul(val()));
            else if (a == "--timeout-ms") o.timeout_ms = std::stod(val());
            else if (a == "--sample-every") o.sample_every = unsigned(std::stoul(val()));
            else if (a == "--ring-size") o.ring_size = uint32_t(std::stoul(val()));
            else if (a == "--rx-csum") {
                std::string v = val();
                if (v != "good" && v != "sw") throw std::runtime_error("--rx-csum good|sw");
                o.rx_csum_good = v == "good";
            } else if (a == "--tx-offload") o.tx_offload = true;
            else if (a == "--no-huge") o.no_huge = true;
            else if (a == "--priority") o.priority = true;
            else if (a == "--lcores") lcores = val();
            else if (a == "--set") o.sets.push_back(val());
            else if (a == "-h" || a == "--help") {
                usage();
                return 0;
            } else throw std::runtime_error("unknown option " + a);
        }
        if (o.ring_size && (o.ring_size & (o.ring_size - 1)))
            throw std::runtime_error("--ring-size must be a power of two");
    } catch (const std::exception& e) {
        fmt::print(stderr, "tern-bench-engine: {}\n", e.what());
        usage();
        return 2;
    }

    if (o.priority) {
        // Before EAL: its threads inherit the nice value. With autogroups
        // (kernel.sched_autogroup_enabled) nice only counts inside the
        // session's group, so the group's own nice is raised too -- only
        // when this process leads its session, so a shell is never boosted.
        if (setpriority(PRIO_PROCESS, 0, -20) != 0)
            fmt::print(stderr, "WARNING: --priority: setpriority failed (not root?)\n");
        if (getsid(0) == getpid()) {
            std::ofstream ag("/proc/self/autogroup");
            ag << "-20\n";
        } else {
            fmt::print(stderr, "WARNING: --priority without setsid: the scheduler autogroup is shared "
                               "with the shell and keeps its weight\n");
        }
    }
    const std::string prefix = "tern-bench-" + std::to_string(getpid());
    std::vector<std::string> eal{"tern-bench-engine", "-l", lcores, "--no-pci",
                                 "--file-prefix=" + prefix, "--log-level=*:warning",
                                 "--no-telemetry"};
    const uint64_t want_mb = 768;
    const uint64_t free_mb = o.no_huge ? 0 : bench::free_hugepage_mb();
    if (!o.no_huge && free_mb >= want_mb) {
        // Memory grows on demand (no -m: reserving it up front costs seconds of
        // page zeroing); unlinked at once, so a crash leaves no pages behind.
        eal.insert(eal.end(), {"--huge-unlink"});
    } else {
        if (!o.no_huge)
            fmt::print(stderr,
                       "WARNING: {} MiB of free hugepages (need {}): running with --no-huge -m 1024;\n"
                       "         4 KiB pages make DPDK 3-4x slower per packet on this machine.\n"
                       "         Reserve hugepages with bench/engine/hugepages.sh (root).\n",
                       free_mb, want_mb);
        o.no_huge = true;
        eal.insert(eal.end(), {"--no-huge", "-m", "1024"});
    }
    int rc = 1;
    try {
        dpdk::eal_init(eal);
    } catch (const std::exception& e) {
        fmt::print(stderr, "tern-bench-engine: EAL: {}\n", e.what());
        return 1;
    }
    try {
        if (o.mode == "synflood") rc = bench::run_synflood(o);
        else if (o.mode == "cps") rc = bench::run_cps(o);
        else rc = bench::run_idle(o);
    } catch (const std::exception& e) {
        fmt::print(stderr, "tern-bench-engine: {}\n", e.what());
        rc = 1;
    }
    dpdk::eal_cleanup();
    std::error_code ec;
    std::filesystem::remove_all("/var/run/dpdk/" + prefix, ec);
    return rc;
}
