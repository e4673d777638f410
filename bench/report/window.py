"""tern's busy share over the window tern-gen measured, from a sampled series.

The sampler (telemetry_sampler.py) reads /tern/stats every ~0.25 s while
tern-gen runs. tern-gen measures `seconds` after `warmup`, counted from its
first packet; tern does not know when that is, so the series tells us: the
first sample in which tern's rx_packets moved marks the start of the
traffic (within one sampling interval). When tern-gen reports its own window
in CLOCK_MONOTONIC ("window_mono_ns": [start, end], as bench/linux's load
programs do) that is used instead.

busy share = delta worker0_busy_cycles / delta worker0_total_cycles between
the samples nearest to the window's ends (raw TSC counters, cumulative).
on-CPU share = delta of a thread's schedstat run time / wall time, over the
same window: below ~0.97 the thread was descheduled (other work on its CPU)
and its busy share counts time it did not run.
"""
import json

# Counters whose per-second rates over the window are worth keeping beside
# tern-gen's own figures (they cross-check it from the server's side).
RATE_COUNTERS = (
    "rx_packets", "tx_packets", "tx_full_drops", "tx_no_mbuf", "tcp_passive_opens",
    "tcp_established", "tcp_syncookies_sent", "tcp_syncookies_ok", "tcp_syncookies_failed",
    "tcp_syn_backlog_drops", "tcp_pool_exhausted", "tcp_conn_closed", "tcp_conn_reset",
    "tcp_rst_sent", "tcp_tw_created", "tcp_tw_pool_exhausted", "tcp_synack_retransmits",
    "tcp_flow_table_full", "tcp_accept_queue_overflow",
)


def load_series(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def traffic_start(series):
    """Time of the first sample whose rx_packets exceeds the first sample's."""
    if not series:
        return None
    rx0 = series[0]["stats"].get("rx_packets", 0)
    for s in series:
        if s["stats"].get("rx_packets", 0) > rx0:
            return s["t"]
    return None


def nearest(series, t):
    return min(series, key=lambda s: abs(s["t"] - t))


def busy_cycles(stats, key):
    """Sum over workers of worker<i>_<key>_cycles."""
    return sum(stats.get(f"worker{w}_{key}_cycles", 0) for w in range(int(stats.get("workers", 1))))


# (process, thread) pairs whose on-CPU share is reported: tern's worker
# lcore thread and tern-gen's main thread (its only lcore).
ONCPU_THREADS = {"tern_worker": ("tern", "rte-worker-1"), "generator": ("gen", "tern-gen")}


def oncpu_share(series, start, end, proc, thread):
    have = [s for s in series if thread in s.get("oncpu_ns", {}).get(proc, {})]
    if not have:
        return None
    a, b = nearest(have, start), nearest(have, end)
    dt = b["t"] - a["t"]
    if dt < 0.5 * (end - start) or dt <= 0:
        return None  # the thread was not seen over most of the window
    ns = b["oncpu_ns"][proc][thread] - a["oncpu_ns"][proc][thread]
    return round(ns / (dt * 1e9), 4)


def busy_window(series, seconds, warmup, gen_window_ns=None):
    """Busy share and counter rates over tern-gen's window (see module doc)."""
    if gen_window_ns:
        start, end = gen_window_ns[0] / 1e9, gen_window_ns[1] / 1e9
        how = "tern-gen window_mono_ns"
    else:
        t0 = traffic_start(series)
        if t0 is None:
            return {"error": "tern received nothing during the run"}
        start, end = t0 + warmup, t0 + warmup + seconds
        how = "first rx sample + warm-up (+-1 sampling interval)"
    a, b = nearest(series, start), nearest(series, end)
    dt = b["t"] - a["t"]
    if dt <= 0:
        return {"error": "no telemetry samples inside the window"}
    busy = busy_cycles(b["stats"], "busy") - busy_cycles(a["stats"], "busy")
    total = busy_cycles(b["stats"], "total") - busy_cycles(a["stats"], "total")
    rates = {k: round((b["stats"].get(k, 0) - a["stats"].get(k, 0)) / dt, 1)
             for k in RATE_COUNTERS if k in b["stats"]}
    return {
        "busy_share": round(busy / total, 4) if total > 0 else None,
        "window_s": round(dt, 3),
        "window_offset_s": round(abs(a["t"] - start) + abs(b["t"] - end), 3),
        "how": how,
        "oncpu_share": {k: oncpu_share(series, start, end, *v) for k, v in ONCPU_THREADS.items()},
        "counters_per_s": rates,
        "live_conns_at_end": b["stats"].get("live_conns"),
        "time_wait_conns_at_end": b["stats"].get("time_wait_conns"),
    }
