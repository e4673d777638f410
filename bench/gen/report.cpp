#include "report.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <variant>
#include <stdexcept>

#include "json.h"

namespace tern::gen {

namespace {

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

JsonObject percentiles(const LatencyHistogram* h, uint64_t hz) {
    auto us = [&](double q) { return h ? h->quantile(q) * 1e6 / double(hz) : 0.0; };
    return JsonObject().num("p50", us(0.50)).num("p99", us(0.99)).num("p999", us(0.999));
}

// The cps figures; `p` is "" or "legit_" (mixed).
void client_results(JsonObject& j, const std::string& p, const RunResult& r, double secs) {
    const ClientCounters& a = r.begin.clients;
    const ClientCounters& b = r.end.clients;
    const double completed = double(b.completed - a.completed);
    const double failed = double(b.failed() - a.failed());
    j.num(p + "connections_per_s", ratio(completed, secs))
        .num(p + "completed", completed)
        .num(p + "failed", failed)
        .num(p + "failed_timeout", double(b.failed_timeout - a.failed_timeout))
        .num(p + "failed_reset", double(b.failed_reset - a.failed_reset))
        .num(p + "failed_bad_response", double(b.failed_bad_response - a.failed_bad_response))
        .num(p + "success_rate", ratio(completed, completed + failed))
        .obj(p + "handshake_us", percentiles(r.handshake, r.hz))
        .obj(p + "response_us", percentiles(r.response, r.hz));
}

void flood_results(JsonObject& j, const RunResult& r, double secs) {
    const double sent = double(r.end.syns_sent - r.begin.syns_sent);
    const double acks = double(r.end.flood.syn_acks - r.begin.flood.syn_acks);
    j.num("syns_sent_per_s", ratio(sent, secs))
        .num("syn_acks_per_s", ratio(acks, secs))
        .num("reply_ratio", ratio(acks, sent))
        .num("bad_replies", double(r.end.flood.bad_replies - r.begin.flood.bad_replies));
}

JsonObject diagnostics(const Options& o, const RunResult& r) {
    const Snapshot &a = r.begin, &b = r.end;
    // The loop's TSC accounting cannot see it being descheduled; schedstat
    // can: below ~0.97 the machine took CPU time from the generator.
    const double wall_ns = double(b.mono_ns - a.mono_ns);
    JsonObject d;
    d.num("generator_on_cpu_share", ratio(double(b.sched.run_ns - a.sched.run_ns), wall_ns))
        .num("generator_runqueue_wait_share", ratio(double(b.sched.wait_ns - a.sched.wait_ns), wall_ns))
        .num("stage_drops", double(b.stage_drops - a.stage_drops))
        .num("port_oerrors", double(b.port.oerrors - a.port.oerrors))
        .num("port_imissed", double(b.port.imissed - a.port.imissed))
        .num("stray_frames", double(b.stray - a.stray))
        .num("arp_replies", double(b.arp_replies - a.arp_replies));
    if (o.has_clients()) {
        d.num("started", double(b.clients.started - a.clients.started))
            .num("unexpected_segments", double(b.clients.unexpected - a.clients.unexpected))
            .num("stale_segments", double(b.clients.stale - a.clients.stale))
            .num("bad_checksums", double(b.clients.bad_checksum - a.clients.bad_checksum))
            .num("time_wait_waits", double(b.clients.tw_waits - a.clients.tw_waits))
            .num("client_alloc_failures", double(b.clients.alloc_failures - a.clients.alloc_failures))
            .num("handshakes_measured", double(r.handshake ? r.handshake->count() : 0))
            .num("responses_measured", double(r.response ? r.response->count() : 0));
    }
    if (o.has_flood()) {
        d.num("flood_replies_checksummed", double(b.flood.sampled - a.flood.sampled))
            .num("flood_alloc_failures", double(b.flood.alloc_failures - a.flood.alloc_failures));
    }
    return d;
}

void print_section(const std::string& title, const JsonObject& j) {
    fmt::print("{}:\n", title);
    j.visit([](const std::string& k, const std::string& v) { fmt::print("  {:<32} {}\n", k, v); });
}

}  // namespace

void report(const Options& o, const RunResult& r) {
    const double secs = double(r.end.tsc - r.begin.tsc) / double(r.hz);
    JsonObject cfg;
    for (const auto& [k, v] : o.describe()) {
        if (const double* d = std::get_if<double>(&v)) cfg.num(k, *d);
        else cfg.str(k, std::get<std::string>(v));
    }
    JsonObject res;
    res.num("seconds", secs)
        .num("window_begin_mono_ns", double(r.begin.mono_ns))
        .num("window_end_mono_ns", double(r.end.mono_ns))
        .num("generator_busy_share", ratio(double(r.end.busy_cycles - r.begin.busy_cycles),
                                           double(r.end.total_cycles - r.begin.total_cycles)))
        .num("tx_packets", double(r.end.port.opackets - r.begin.port.opackets))
        .num("rx_packets", double(r.end.port.ipackets - r.begin.port.ipackets))
        .num("tx_dropped", double((r.end.stage_drops - r.begin.stage_drops) +
                                  (r.end.port.oerrors - r.begin.port.oerrors)));
    if (o.has_clients()) client_results(res, o.mode == Mode::mixed ? "legit_" : "", r, secs);
    if (o.has_flood()) flood_results(res, r, secs);

    const JsonObject diag = diagnostics(o, r);
    fmt::print("\n== tern-gen {} ({}) ==\n", mode_name(o.mode), o.hugepages ? "hugepages" : "no hugepages");
    if (!r.window_opened) fmt::print("(stopped before the measured window opened)\n");
    print_section("results", res);
    print_section("diagnostics", diag);
    std::fflush(stdout);
    JsonObject top;
    top.str("tool", "tern-gen")
        .str("mode", mode_name(o.mode))
        .boolean("hugepages", o.hugepages)
        .obj("config", cfg)
        .obj("results", res)
        .obj("diagnostics", diag);
    if (!o.json.empty()) {
        const std::string json = top.dump() + "\n";
        std::ofstream f(o.json);
        if (!(f << json)) throw std::runtime_error("cannot write " + o.json);
    }
}

}  // namespace tern::gen
