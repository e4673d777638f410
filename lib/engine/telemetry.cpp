// DPDK telemetry endpoints. /tern/stats is answered from relaxed counter
// reads; /tern/states and /tern/conns ask each worker for a snapshot over
// its control channel, so no worker is ever stopped, locked or read from
// another thread.
#include <rte_telemetry.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "engine/engine.h"
#include "net/ipv4.h"
#include "tcp/state.h"

namespace tern::engine {

namespace {

std::atomic<Engine*> g_engine{nullptr};
bool g_registered = false;
constexpr auto kWorkerTimeout = std::chrono::milliseconds(500);

int stats_cb(const char*, const char*, rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    Engine* e = g_engine.load();
    if (!e) return 0;
    for (auto& [k, v] : e->totals()) rte_tel_data_add_dict_u64(d, k.c_str(), v);
    rte_tel_data_add_dict_u64(d, "workers", e->nb_workers());
    // Whether tern was saturated: each worker's busy share, in per mille.
    for (size_t w = 0; w < e->nb_workers(); ++w) {
        std::string k = "worker" + std::to_string(w) + "_busy_permille";
        rte_tel_data_add_dict_u64(d, k.c_str(), uint64_t(e->worker(w).busy_share() * 1000));
        // Raw TSC counts too: a benchmark takes deltas over its own window.
        const std::string p = "worker" + std::to_string(w);
        rte_tel_data_add_dict_u64(d, (p + "_busy_cycles").c_str(), e->worker(w).busy_cycles());
        rte_tel_data_add_dict_u64(d, (p + "_total_cycles").c_str(), e->worker(w).total_cycles());
    }
    return 0;
}

// {"worker0": {"ESTABLISHED": n, ...}, ..., "total": {...}}
int states_cb(const char*, const char*, rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    Engine* e = g_engine.load();
    if (!e) return 0;
    std::array<uint64_t, tcp::kStateCount> total{};
    for (size_t w = 0; w < e->nb_workers(); ++w) {
        rte_tel_data* per = rte_tel_data_alloc();
        if (!per) return -ENOMEM;
        rte_tel_data_start_dict(per);
        bool ok = e->worker_mut(w).control().call({ControlOp::snapshot}, kWorkerTimeout,
                                                  [&](const Snapshot& s) {
            for (int st = 0; st < tcp::kStateCount; ++st) {
                if (st == int(tcp::State::Listen)) continue;
                rte_tel_data_add_dict_u64(per, tcp::state_name(tcp::State(st)), s.per_state[st]);
                total[st] += s.per_state[st];
            }
        });
        if (!ok) rte_tel_data_add_dict_string(per, "error", "worker did not answer");
        std::string name = "worker" + std::to_string(w);
        rte_tel_data_add_dict_container(d, name.c_str(), per, 0);
    }
    rte_tel_data* tot = rte_tel_data_alloc();
    if (!tot) return -ENOMEM;
    rte_tel_data_start_dict(tot);
    for (int st = 0; st < tcp::kStateCount; ++st)
        if (st != int(tcp::State::Listen))
            rte_tel_data_add_dict_u64(tot, tcp::state_name(tcp::State(st)), total[st]);
    rte_tel_data_add_dict_container(d, "total", tot, 0);
    return 0;
}

// A bounded listing like `ss -tan`: "/tern/conns,N" lists at most N (default
// 64) as strings "STATE local remote timer=KIND:ms worker=W".
int conns_cb(const char*, const char* params, rte_tel_data* d) {
    rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
    Engine* e = g_engine.load();
    if (!e) return 0;
    long limit = 64;
    if (params && *params) limit = std::strtol(params, nullptr, 10);
    if (limit <= 0 || limit > long(Snapshot::kMaxConns)) limit = 64;
    static const char* const kTimer[] = {"-", "syn", "synack", "rto", "fin_wait2", "keepalive"};
    long listed = 0;
    for (size_t w = 0; w < e->nb_workers() && listed < limit; ++w) {
        e->worker_mut(w).control().call({ControlOp::snapshot}, kWorkerTimeout, [&](const Snapshot& s) {
            for (uint32_t i = 0; i < s.listed && listed < limit; ++i, ++listed) {
                const ConnInfo& c = s.conns[i];
                std::string line = std::string(tcp::state_name(c.state)) + " " +
                                   net::format_ipv4(c.tuple.local_addr) + ":" +
                                   std::to_string(c.tuple.local_port) + " " +
                                   net::format_ipv4(c.tuple.remote_addr) + ":" +
                                   std::to_string(c.tuple.remote_port) + " timer=" +
                                   (c.timer < 6 ? kTimer[c.timer] : "?") + ":" +
                                   std::to_string(c.timer_ms) + "ms worker=" + std::to_string(w);
                rte_tel_data_add_array_string(d, line.c_str());
            }
        });
    }
    return 0;
}

// {"status": "up" | "starting" | "withdrawing" | "draining" | "stopped", "withdraw_ms": N}:
// what a BGP speaker's health check asks (scripts/tern-health).
int health_cb(const char*, const char*, rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    Engine* e = g_engine.load();
    // No engine: it has stopped (telemetry is registered only once it exists).
    rte_tel_data_add_dict_string(d, "status", e ? health_name(e->health()) : "stopped");
    if (e) rte_tel_data_add_dict_u64(d, "withdraw_ms", e->live_config().engine.withdraw_ms);
    return 0;
}

// "/tern/set,tcp.synack_retries=3": a run-time change of one TCP tunable.
// Answers {"key": ..., "value": ...} or {"error": ...}.
int set_cb(const char*, const char* params, rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    Engine* e = g_engine.load();
    if (!e) return 0;
    std::string a = params ? params : "";
    try {
        e->set_runtime(a);
        std::string key = a.substr(0, a.find('='));
        for (auto& [k, v] : config::describe(e->live_config()))
            if (k == key) {
                rte_tel_data_add_dict_string(d, "key", k.c_str());
                rte_tel_data_add_dict_string(d, "value", v.c_str());
            }
    } catch (const std::exception& ex) {
        rte_tel_data_add_dict_string(d, "error", ex.what());
    }
    return 0;
}

}  // namespace

void register_telemetry(Engine* e) {
    g_engine.store(e);
    if (g_registered) return;
    g_registered = true;
    rte_telemetry_register_cmd("/tern/stats", stats_cb, "tern counters summed over workers");
    rte_telemetry_register_cmd("/tern/states", states_cb,
                               "connections per TCP state, per worker and in total");
    rte_telemetry_register_cmd("/tern/set", set_cb,
                               "change a TCP tunable at run time. Parameters: key=value");
    rte_telemetry_register_cmd("/tern/health", health_cb,
                               "whether this node wants new flows: up, withdrawing, draining");
    rte_telemetry_register_cmd("/tern/conns", conns_cb,
                               "bounded connection listing like ss -tan. Parameters: int max");
}

}  // namespace tern::engine
