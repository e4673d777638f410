// tern-gen [EAL args] -- cps|synflood|mixed [options]
// A DPDK primary process that drives a separate tern over one port
// (normally net_memif, tern being the memif server): see README.md.
//
// Exit status: 0 the run completed (its figures say how well), 1 it could
// not run (EAL, port, link, ARP), 2 bad options, 3 the hard wall-clock
// limit had to end it.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/hugepages.h"
#include "dpdk/eal.h"
#include "generator.h"
#include "net/ipv4.h"
#include "options.h"
#include "report.h"

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_alarms{0};  // lock-free: safe in a handler

void on_stop(int) { g_stop.store(true); }

// The hard limit: the first alarm asks the loop to stop; if the process is
// still there two seconds later (stuck outside the loop), it ends now.
void on_alarm(int) {
    g_stop.store(true);
    if (g_alarms.fetch_add(1) > 0) _exit(3);
    alarm(2);
}

// Re-exec marker: the hugepage fallback is tried once.
constexpr const char* kRetryEnv = "TERN_GEN_NO_HUGE_RETRY";
// Below this, a hugepage run would fail part-way (port pool + memif regions).
constexpr uint64_t kMinHugeMb = 128;

bool has_arg(const std::vector<std::string>& v, const std::string& prefix) {
    for (const auto& a : v)
        if (a.rfind(prefix, 0) == 0) return true;
    return false;
}

[[noreturn]] void reexec_without_hugepages(char** argv, const std::vector<std::string>& eal_cli,
                                           const std::vector<std::string>& ours) {
    std::vector<std::string> args{argv[0]};
    for (const auto& a : eal_cli)
        if (a != "--huge-unlink") args.push_back(a);
    args.insert(args.end(), {"--no-huge", "-m", "1024", "--"});
    args.insert(args.end(), ours.begin(), ours.end());
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    setenv(kRetryEnv, "1", 1);
    execv("/proc/self/exe", cargs.data());
    fmt::print(stderr, "tern-gen: re-exec failed: {}\n", std::strerror(errno));
    _exit(1);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tern;
    // EAL's arguments, then ours after `--` (without it, all are ours).
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto dash = std::find(args.begin(), args.end(), "--");
    const bool has_dash = dash != args.end();
    const std::vector<std::string> eal_cli(args.begin(), has_dash ? dash : args.begin());
    const std::vector<std::string> ours(has_dash ? dash + 1 : args.begin(), args.end());

    std::optional<gen::Options> parsed;
    try {
        parsed = gen::parse_options(ours);
    } catch (const gen::UsageError& e) {
        fmt::print(stderr, "tern-gen: error: {}\n", e.what());
        gen::print_usage();
        return 2;
    }
    if (!parsed) {
        gen::print_usage();
        return 0;
    }
    gen::Options o = *parsed;

    std::vector<std::string> eal{"tern-gen"};
    eal.insert(eal.end(), eal_cli.begin(), eal_cli.end());
    std::string prefix = "rte";  // EAL's default
    for (size_t i = 0; i < eal_cli.size(); ++i) {
        if (eal_cli[i].rfind("--file-prefix=", 0) == 0) prefix = eal_cli[i].substr(14);
        else if (eal_cli[i] == "--file-prefix" && i + 1 < eal_cli.size()) prefix = eal_cli[i + 1];
    }
    if (!has_arg(eal_cli, "--file-prefix")) {
        prefix = "tern-gen-" + std::to_string(getpid());
        eal.push_back("--file-prefix=" + prefix);
    }
    o.hugepages = !has_arg(eal_cli, "--no-huge");
    const bool retried = std::getenv(kRetryEnv) != nullptr;
    if (o.hugepages) {
        const uint64_t free_mb = bench::free_hugepage_mb();
        if (free_mb < kMinHugeMb) {
            fmt::print(stderr,
                       "tern-gen: WARNING: {} MiB of free hugepages (want {}): running with --no-huge "
                       "-m 1024,\n          3-4x slower per packet on this machine\n",
                       free_mb, kMinHugeMb);
            o.hugepages = false;
            eal.insert(eal.end(), {"--no-huge", "-m", "1024"});
        } else if (!has_arg(eal_cli, "--huge-unlink")) {
            // Unlinked at once: a crash leaves no page files behind.
            eal.push_back("--huge-unlink");
        }
    }

    std::signal(SIGINT, on_stop);
    std::signal(SIGTERM, on_stop);
    std::signal(SIGALRM, on_alarm);
    alarm(unsigned(o.hard_limit_s()) + 1);

    try {
        dpdk::eal_init(eal);
    } catch (const std::exception& e) {
        if (o.hugepages && !retried) {
            fmt::print(stderr, "tern-gen: WARNING: {} on hugepages; retrying with --no-huge -m 1024\n",
                       e.what());
            reexec_without_hugepages(argv, eal_cli, ours);
        }
        fmt::print(stderr, "tern-gen: {}\n", e.what());
        return 1;
    }

    int rc = 0;
    try {
        gen::Generator g(o);
        fmt::print("tern-gen: link up, mac {}\n", g.mac().str());
        std::fflush(stdout);  // a script may wait for this line
        if (!g.resolve_target(g_stop)) {
            fmt::print(stderr, "tern-gen: no ARP reply from {} within {} s\n",
                       net::format_ipv4(o.dst_ip), o.arp_timeout_s);
            rc = 1;
        } else {
            const gen::RunResult r = g.run(g_stop);
            gen::report(o, r);
            if (g_alarms.load() > 0) rc = 3;
            // DPDK 22.11's memif PMD unmaps the shared rings when the peer
            // disconnects, under a peer that may still be polling them: the
            // side that polls last must close last. So the report is out,
            // this side has stopped polling, and the peer closes first.
            if (o.linger_s > 0 && !gen::wait_link_down(g.port_id(), o.linger_s, g_stop))
                fmt::print(stderr, "tern-gen: the peer kept the link up for --linger {} s\n",
                           o.linger_s);
        }
    } catch (const std::exception& e) {
        fmt::print(stderr, "tern-gen: {}\n", e.what());
        rc = 1;
    }
    alarm(0);
    dpdk::eal_cleanup();
    // This primary created its runtime directory: nothing may attach to it now.
    std::error_code ec;
    std::filesystem::remove_all("/var/run/dpdk/" + prefix, ec);
    return rc;
}
