// tern [EAL options] -- [tern options]
// Builds the configuration snapshot, starts EAL and the engine, then keeps
// the main lcore as the control thread: signals, stats, telemetry.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "app/tern/options.h"
#include "config/config.h"
#include "config/eal_args.h"
#include "dpdk/eal.h"
#include "engine/engine.h"
#include "util/hex_key.h"
#include "util/random.h"
#include "util/syncookie_epochs.h"

namespace {

std::atomic<int> g_signals{0};
static_assert(std::atomic<int>::is_always_lock_free);

void on_signal(int) { g_signals.fetch_add(1); }

// Bad configuration ends with exactly one line and exit code 2.
int config_error(const std::string& msg) {
    fmt::print(stderr, "tern: error: {}\n", msg);
    return 2;
}

using Clock = std::chrono::steady_clock;

// The SYN-cookie epoch: wall-clock based, so nodes sharing a master secret agree.
uint64_t cookie_epoch(const tern::config::Config& cfg) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    return uint64_t(s) / cfg.syncookie_rotate_s;
}

void control_loop(tern::engine::Engine& eng, const tern::config::Config& cfg,
                  const tern::util::SipKey& master, const tern::cli::Options& o) {
    uint64_t epoch = cookie_epoch(cfg);
    auto start = Clock::now(), next_stats = start;
    auto interval = std::chrono::duration<double>(o.stats_interval);
    while (g_signals.load() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto now = Clock::now();
        double t = std::chrono::duration<double>(now - start).count();
        if (o.run_seconds > 0 && t >= o.run_seconds) break;
        if (uint64_t e = cookie_epoch(cfg); e != epoch) {
            epoch = e;
            if (!eng.set_cookie_secrets(tern::util::syncookie::secrets_for_epoch(master, epoch),
                                        !cfg.syncookie_secret.empty()))
                fmt::print(stderr, "tern: warning: a worker missed the SYN-cookie rotation\n");
        }
        if (o.stats_interval > 0 && now - next_stats >= interval) {
            next_stats += std::chrono::duration_cast<Clock::duration>(interval);
            fmt::print("tern: stats t={:.1f}s {}\n", t, tern::engine::format_counters(eng.totals()));
            std::fflush(stdout);
        }
    }
}

// Leaving a VIP served by several nodes: the health check reports the node
// down (its BGP speaker withdraws the route) while it keeps serving whatever
// still arrives, for engine.withdraw_ms; then the caller drains. A second
// signal cuts the wait short.
void withdraw(tern::engine::Engine& eng, const tern::config::Config& cfg) {
    if (cfg.engine.withdraw_ms == 0) return;
    eng.set_health(tern::engine::Health::withdrawing);
    fmt::print("tern: withdrawing: health reports down, serving for {} ms before draining\n",
               cfg.engine.withdraw_ms);
    std::fflush(stdout);
    const int signals = g_signals.load();
    const auto end = Clock::now() + std::chrono::milliseconds(cfg.engine.withdraw_ms);
    while (Clock::now() < end && g_signals.load() == signals)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace

int main(int argc, char** argv) {
    using namespace tern;
    std::vector<std::string> eal_cli, ours;
    bool after = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (!after && a == "--") after = true;
        else (after ? ours : eal_cli).push_back(a);
    }

    cli::Options opt;
    config::Config cfg;
    try {
        opt = cli::parse_options(ours);
        if (opt.help) {
            fmt::print("{}", cli::usage());
            return 0;
        }
        if (!opt.config_file.empty()) config::apply_file(cfg, opt.config_file);
        for (auto& s : opt.sets) config::apply_set(cfg, s);
        if (opt.dump_config) {
            for (auto& [k, v] : config::describe(cfg)) fmt::print("{} = {}\n", k, v);
            return 0;
        }
        config::validate(cfg);
    } catch (const std::exception& e) {
        return config_error(e.what());
    }

    std::vector<std::string> eal_args{argv[0]};
    for (auto& a : config::merge_eal_args(cfg.eal_args, eal_cli)) eal_args.push_back(std::move(a));
    try {
        dpdk::eal_init(eal_args);
    } catch (const std::exception& e) {
        return config_error(e.what());
    }

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    int rc = 0;
    try {
        engine::Engine eng(cfg);
        engine::register_telemetry(&eng);
        fmt::print("tern: {} worker(s), address {}/{}", eng.nb_workers(),
                   net::format_ipv4(cfg.engine.address.addr), cfg.engine.address.prefix);
        for (auto& p : eng.ports()) fmt::print(", port {} {} mac {}", p.id, p.name, p.mac.str());
        fmt::print("\n");
        std::fflush(stdout);
        util::SipKey master = cfg.syncookie_secret.empty() ? util::random_key()
                                                           : *util::parse_key_hex(cfg.syncookie_secret);
        eng.set_cookie_secrets(util::syncookie::secrets_for_epoch(master, cookie_epoch(cfg)),
                               !cfg.syncookie_secret.empty());
        eng.launch();
        eng.set_health(engine::Health::up);
        control_loop(eng, cfg, master, opt);
        withdraw(eng, cfg);
        eng.set_health(engine::Health::draining);
        if (eng.nb_workers() > 0 && cfg.engine.drain_ms > 0) {
            auto t0 = Clock::now();
            uint64_t left = eng.drain(std::chrono::milliseconds(cfg.engine.drain_ms));
            fmt::print("tern: drained in {:.0f} ms, {} connection(s) left\n",
                       std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), left);
        }
        eng.stop_and_wait();
        fmt::print("tern: final {}\n", engine::format_counters(eng.totals()));
        std::fflush(stdout);
    } catch (const config::ConfigError& e) {
        rc = config_error(e.what());
    } catch (const std::exception& e) {
        fmt::print(stderr, "tern: error: {}\n", e.what());
        rc = 1;
    }
    dpdk::eal_cleanup();
    return rc;
}
