// DPDK telemetry endpoints, answered on the telemetry thread from relaxed
// counter reads: no worker is ever stopped or locked to serve them.
#include <rte_telemetry.h>

#include "engine/engine.h"

namespace tern::engine {

namespace {

std::atomic<const Engine*> g_engine{nullptr};
bool g_registered = false;

int stats_cb(const char*, const char*, rte_tel_data* d) {
    rte_tel_data_start_dict(d);
    const Engine* e = g_engine.load();
    if (!e) return 0;
    for (auto& [k, v] : e->totals()) rte_tel_data_add_dict_u64(d, k.c_str(), v);
    rte_tel_data_add_dict_u64(d, "workers", e->nb_workers());
    return 0;
}

}  // namespace

void register_telemetry(const Engine* e) {
    g_engine.store(e);
    if (g_registered) return;
    g_registered = true;
    rte_telemetry_register_cmd("/tern/stats", stats_cb, "tern counters summed over workers");
}

}  // namespace tern::engine
