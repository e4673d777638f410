"""One flat record per measured run, from tern-gen's and bench/linux's JSON.

Both tools report in their own shapes; everything downstream (medians,
ratios, targets, tables, plots) reads only these records:

  rate               the scenario's headline rate (connections/s for cps,
                     SYN-ACKs/s for synflood, legit connections/s for mixed)
  per_core           rate per fully busy server core (tern: rate / worker busy
                     share; Linux: bench/linux's per_busy_core_rate)
  server_busy        tern worker busy share / Linux server CPU share (ours)
  generator_busy     tern-gen's busy share (tern side only)
  tern_oncpu, generator_oncpu   share of the window each polling thread was on
                     its CPU (tern side only; < ~0.97: descheduled by other work)
  p99_handshake_us, p99_response_us, success_rate, syn_ack_rate, reply_ratio
"""


def dig(d, *path, default=None):
    """d[path[0]][path[1]]... or default when any step is missing."""
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def tern_record(scenario, gen_doc, window):
    """tern side of one run: tern-gen's results + tern's telemetry window."""
    r = gen_doc.get("results", {})
    busy = window.get("busy_share")
    if scenario == "cps":
        rate = r.get("connections_per_s")
        pre = ""
    elif scenario == "synflood":
        rate = r.get("syn_acks_per_s")
        pre = None
    else:  # mixed: the legitimate clients' rate is the headline, the flood rides along
        rate = r.get("legit_connections_per_s")
        pre = "legit_"
    rec = {
        "rate": rate,
        "server_busy": busy,
        # mixed: the worker's time also goes to the flood, so legit rate / busy
        # share would not be a capacity; it is left out.
        "per_core": rate / busy if rate and busy and scenario != "mixed" else None,
        "generator_busy": r.get("generator_busy_share"),
        "syn_ack_rate": r.get("syn_acks_per_s"),
        "reply_ratio": r.get("reply_ratio"),
        "tx_dropped": r.get("tx_dropped"),
        "tern_oncpu": (window.get("oncpu_share") or {}).get("tern_worker"),
        "generator_oncpu": (window.get("oncpu_share") or {}).get("generator"),
    }
    if pre is not None:
        rec.update({
            "success_rate": r.get(pre + "success_rate"),
            "failed": r.get(pre + "failed"),
            "p50_handshake_us": dig(r, pre + "handshake_us", "p50"),
            "p99_handshake_us": dig(r, pre + "handshake_us", "p99"),
            "p99_response_us": dig(r, pre + "response_us", "p99"),
        })
    return rec


def linux_record(scenario, run):
    """Linux side of one run: one element of bench/linux/run.sh's "runs"."""
    rec = {
        "rate": run.get("rate"),
        "server_busy": run.get("server_cpu_work"),
        "per_core": run.get("per_busy_core_rate"),
        "limited_by": run.get("limited_by"),
        "contaminated": run.get("contaminated"),
    }
    if scenario == "synflood":
        rec["syn_ack_rate"] = run.get("rate")
        rec["reply_ratio"] = run.get("reply_ratio")
    else:
        lat = run.get("latency_us") or {}
        rec["failed"] = run.get("failures")
        rec["p50_handshake_us"] = dig(lat, "connect", "p50_us")
        rec["p99_handshake_us"] = dig(lat, "connect", "p99_us")
        rec["p99_response_us"] = dig(lat, "response", "p99_us")
        completed = dig(run, "load", "completed")
        if completed is not None and rec["failed"] is not None and completed + rec["failed"] > 0:
            rec["success_rate"] = completed / (completed + rec["failed"])
    return rec
