// The engine: ports started from the configuration, one Worker per worker
// lcore, launched and stopped together. The main lcore keeps the control
// role (stats, telemetry, signals) and never touches a worker's state.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "dpdk/port.h"
#include "engine/worker.h"

namespace tern::engine {

// Whether this node wants new flows, for the BGP speaker's health check
// (scripts/tern-health, telemetry /tern/health): only `up` is announced.
// SIGTERM goes up -> withdrawing (engine.withdraw_ms: still serving
// everything that arrives while routers move new flows away) -> draining.
enum class Health : uint8_t { starting, up, withdrawing, draining };
const char* health_name(Health h);

class Engine {
public:
    // Starts the configured ports; throws config::ConfigError / dpdk::DpdkError.
    explicit Engine(const config::Config& cfg);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void launch();          // run every worker on its lcore
    // Hands every worker the SYN-cookie secret pair: directly before
    // launch(), through the control channels after. False if a worker did
    // not answer. `shared`: derived from a master other nodes hold too
    // (tcp.syncookie_secret), see tcp::Stack::set_cookie_secrets.
    bool set_cookie_secrets(const util::syncookie::CookieSecrets& s, bool shared);
    // Run-time configuration change of one key ("tcp.synack_retries=3"):
    // checked on a copy of the live configuration, then pushed to every
    // worker. Only TCP tunables that need no reallocation may change;
    // anything else throws config::ConfigError with the reason.
    void set_runtime(std::string_view assignment);
    config::Config live_config() const;
    // Graceful shutdown: workers stop accepting and close their conns; waits
    // until no live conn is left or `budget` has passed. Returns the live
    // conns left (0 = drained).
    uint64_t drain(std::chrono::milliseconds budget);
    void stop_and_wait();   // ask workers to stop, wait, flush

    void set_health(Health h) { health_.store(h, std::memory_order_relaxed); }
    Health health() const { return health_.load(std::memory_order_relaxed); }

    CounterList totals() const;
    const std::vector<dpdk::Port>& ports() const { return ports_; }
    size_t nb_workers() const { return workers_.size(); }
    const Worker& worker(size_t i) const { return *workers_[i]; }
    // For the control plane: only the worker's ControlChannel may be used.
    Worker& worker_mut(size_t i) { return *workers_[i]; }

private:
    // Sends r to every worker and waits for each answer; the id of the
    // first worker that did not answer in time, or -1.
    int post_to_all(const ControlRequest& r);

    const config::Config& cfg_;
    mutable std::mutex live_mutex_;
    config::Config live_;  // cfg_ plus run-time changes (control side only)
    std::vector<dpdk::Port> ports_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<unsigned> lcores_;
    std::atomic<bool> stop_{false};
    std::atomic<Health> health_{Health::starting};
    struct LaunchArg {
        Worker* w;
        std::atomic<bool>* stop;
    };
    std::vector<LaunchArg> launch_args_;
    bool launched_ = false;
};

// Registers /tern/stats for dpdk-telemetry.py; the engine must outlive it.
void register_telemetry(Engine* e);

}  // namespace tern::engine
