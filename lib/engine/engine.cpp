#include "engine/engine.h"

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include <thread>

#include "dpdk/eal.h"
#include "engine/ports.h"

namespace tern::engine {

const char* health_name(Health h) {
    switch (h) {
        case Health::starting: return "starting";
        case Health::up: return "up";
        case Health::withdrawing: return "withdrawing";
        case Health::draining: return "draining";
    }
    return "?";
}

Engine::Engine(const config::Config& cfg) : cfg_(cfg), live_(cfg) {
    unsigned lc;
    RTE_LCORE_FOREACH_WORKER(lc) lcores_.push_back(lc);
    if (lcores_.empty())
        throw config::ConfigError(
            "no worker lcore: give EAL at least two (e.g. -l 0,1); the main lcore runs control");

    ports_ = start_ports(cfg, uint16_t(lcores_.size()));

    // Worker i polls queue i of every port that has one.
    size_t max_q = 0;
    for (auto& p : ports_) max_q = std::max<size_t>(max_q, p.nb_queues);
    if (max_q < lcores_.size())
        TERN_LOG(NOTICE, "%zu worker lcore(s) but at most %zu queue(s): %zu worker(s) idle\n",
                 lcores_.size(), max_q, lcores_.size() - max_q);
    lcores_.resize(max_q);
    for (size_t w = 0; w < max_q; ++w) {
        std::vector<QueueRef> qs;
        for (auto& p : ports_) {
            if (w >= p.nb_queues) continue;
            QueueRef q;
            q.port = p.id;
            q.queue = uint16_t(w);
            q.local.mac = p.mac;
            q.local.ip = cfg.engine.address.addr;
            q.local.broadcast = cfg.engine.address.broadcast();
            q.pool = p.pool;
            q.tx_csum = p.tx_csum;
            q.max_frame = uint32_t(p.mtu) + net::eth::kHdrLen;
            qs.push_back(q);
        }
        workers_.push_back(std::make_unique<Worker>(unsigned(w), cfg, std::move(qs)));
    }
}

Engine::~Engine() {
    register_telemetry(nullptr);
    stop_and_wait();
    for (auto& p : ports_) dpdk::stop_port(p);
}

void Engine::launch() {
    launch_args_.clear();
    for (auto& w : workers_) launch_args_.push_back({w.get(), &stop_});
    for (size_t i = 0; i < workers_.size(); ++i)
        rte_eal_remote_launch(
            [](void* a) -> int {
                auto* arg = static_cast<LaunchArg*>(a);
                arg->w->run(*arg->stop);
                return 0;
            },
            &launch_args_[i], lcores_[i]);
    launched_ = true;
}

int Engine::post_to_all(const ControlRequest& r) {
    int silent = -1;
    for (auto& w : workers_)
        if (!w->control().call(r, std::chrono::milliseconds(500), [](const Snapshot&) {}) &&
            silent < 0)
            silent = int(w->id());
    return silent;
}

uint64_t Engine::drain(std::chrono::milliseconds budget) {
    auto deadline = std::chrono::steady_clock::now() + budget;
    if (int w = post_to_all({ControlOp::drain}); w >= 0)
        TERN_LOG(WARNING, "worker %d did not answer the drain request\n", w);
    uint64_t live = 0;
    do {
        live = 0;
        for (auto& w : workers_) live += w->counters().live_conns.get();
        if (live == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return live;
}

bool Engine::set_cookie_secrets(const util::syncookie::CookieSecrets& s, bool shared) {
    if (!launched_) {
        for (auto& w : workers_) w->stack().set_cookie_secrets(s, shared);
        return true;
    }
    ControlRequest r{ControlOp::set_cookie_secrets};
    r.secrets = s;
    r.secrets_shared = shared;
    return post_to_all(r) < 0;
}

namespace {

// Keys whose values were used to size or build per-core structures.
// A run-time change reaches the workers as their TCP tunables only
// (set_tunables), and not those the pools and tables were built from
// (tcp::keep_sizing's list, the one list of them): a change to anything
// else needs a restart.
bool runtime_changeable(const config::Config& live, const config::Config& next) {
    config::Config rest = next;
    rest.tcp = live.tcp;
    return rest == live && tcp::same_sizing(live.tcp, next.tcp);
}

}  // namespace

void Engine::set_runtime(std::string_view assignment) {
    std::lock_guard<std::mutex> g(live_mutex_);
    auto key = assignment.substr(0, assignment.find('='));
    config::Config next = live_;
    config::apply_set(next, assignment);
    if (!runtime_changeable(live_, next))
        throw config::ConfigError(std::string(key) + " cannot change at run time (restart tern)");
    config::validate(next);
    ControlRequest r{ControlOp::set_tunables};
    r.tunables = next.tcp;
    if (int w = post_to_all(r); w >= 0)
        throw config::ConfigError("worker " + std::to_string(w) + " did not answer");
    live_ = next;
}

config::Config Engine::live_config() const {
    std::lock_guard<std::mutex> g(live_mutex_);
    return live_;
}

void Engine::stop_and_wait() {
    stop_.store(true, std::memory_order_relaxed);
    if (launched_) {
        for (unsigned lc : lcores_) rte_eal_wait_lcore(lc);
        launched_ = false;
    }
}

CounterList Engine::totals() const {
    std::vector<const WorkerCounters*> ws;
    for (auto& w : workers_) ws.push_back(&w->counters());
    CounterList l = sum_counters(ws);
    // The TCP stacks' counters, summed in declaration order, prefixed tcp_.
    size_t first = l.size();
    for (size_t i = 0; i < workers_.size(); ++i) {
        size_t k = first;
        workers_[i]->stack().counters().for_each([&](const char* name, uint64_t v) {
            if (i == 0) l.emplace_back(std::string("tcp_") + name, v);
            else l[k++].second += v;
        });
    }
    // Pool occupancy: a leak shows as a gauge that does not come back.
    // rte_mempool_in_use_count leaves out the mbufs in lcore caches.
    uint64_t mbufs = 0, mbufs_in_use = 0;
    for (const auto& p : ports_) {
        const unsigned in_use = rte_mempool_in_use_count(p.pool);
        l.emplace_back(std::string("mbufs_in_use_") + p.pool->name, in_use);
        mbufs_in_use += in_use;
        mbufs += p.pool->size;
    }
    l.emplace_back("mbufs_in_use", mbufs_in_use);
    l.emplace_back("mbufs_total", mbufs);
    const uint64_t w = workers_.size();
    l.emplace_back("tcbs_total", w * cfg_.tcp.max_tcbs);
    l.emplace_back("time_wait_total", w * cfg_.tcp.max_tw_buckets);
    l.emplace_back("chunks_total", w * cfg_.tcp.send_chunks);
    return l;
}

}  // namespace tern::engine
