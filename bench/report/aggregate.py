#!/usr/bin/python3
"""Medians, ratios, "bounded by" and issue 6's targets from runs.jsonl.

  aggregate.py RUNS.jsonl OUT.json [--hugepages yes|no] [--command "..."]
               [--seconds S] [--warmup S] [--reps R] [--note TEXT ...]

OUT.json = {"tool", "date", "command", "machine", "config", "notes",
            "runs": [every run, raw JSON included], "summary": {scenario: ...}}.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# Thresholds of "bounded by" (bench/results/README.md explains them).
GEN_SATURATED = 0.95   # tern-gen's busy share at or above this: it could not offer more
TERN_SATURATED = 0.90  # tern's worker busy share below this: tern had time left

# Issue 6's targets: (scenario, label, summary key, comparison, goal).
TARGETS = [
    ("cps", "tern/Linux connections/s per busy core >= 20x", "ratio_per_core", ">=", 20.0),
    ("synflood", "tern/Linux SYN-ACKs/s per busy core >= 20x", "ratio_per_core", ">=", 20.0),
    ("mixed", "legit success rate >= 99.9 %", "tern.success_rate", ">=", 0.999),
    ("mixed", "legit p99 handshake < 1 ms", "tern.p99_handshake_us", "<", 1000.0),
]

SCENARIOS = ("cps", "synflood", "mixed")


def median_of(records, key):
    vals = [r[key] for r in records if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]
    return statistics.median(vals) if vals else None


def summarize_side(records):
    """Median of every numeric metric over the runs that produced metrics."""
    keys = sorted({k for r in records for k in r})
    out = {k: median_of(records, k) for k in keys}
    out = {k: v for k, v in out.items() if v is not None}
    out["runs"] = len(records)
    limited = [r["limited_by"] for r in records if r.get("limited_by")]
    if limited:
        out["limited_by_runs"] = {k: limited.count(k) for k in sorted(set(limited))}
    return out


def bounded_by(generator_busy, tern_busy):
    """Which side limited a tern run; see bench/results/README.md."""
    if generator_busy is None or tern_busy is None:
        return "unknown"
    gen_sat = generator_busy >= GEN_SATURATED
    tern_sat = tern_busy >= TERN_SATURATED
    if gen_sat and tern_sat:
        return "both"
    if gen_sat or not tern_sat:
        return "generator"
    return "tern"


def ratio(a, b):
    return a / b if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0 else None


def judge(value, op, goal):
    if value is None:
        return None
    return value >= goal if op == ">=" else value < goal


def summarize(runs, scenario):
    mine = [r for r in runs if r["scenario"] == scenario]
    tern = [r["metrics"] for r in mine if r["side"] == "tern" and "metrics" in r]
    linux = [r["metrics"] for r in mine if r["side"] == "linux" and "metrics" in r]
    s = {
        "tern": summarize_side(tern),
        "linux": summarize_side(linux) if linux else None,
        "failed_runs": {side: sum(1 for r in mine if r["side"] == side and "error" in r) for side in ("tern", "linux")},
    }
    t, l = s["tern"], s["linux"] or {}
    s["ratio_rate"] = ratio(t.get("rate"), l.get("rate"))
    s["ratio_per_core"] = ratio(t.get("per_core"), l.get("per_core"))
    s["bounded_by"] = bounded_by(t.get("generator_busy"), t.get("server_busy"))
    s["bounded_by_runs"] = [bounded_by(m.get("generator_busy"), m.get("server_busy")) for m in tern]
    s["targets"] = []
    for scen, label, key, op, goal in TARGETS:
        if scen != scenario:
            continue
        node = s
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        s["targets"].append({"label": label, "value": node, "op": op, "goal": goal, "met": judge(node, op, goal)})
    return s


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info(hugepages):
    model = ""
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    dirty = sh("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no")
    return {
        "cpu_model": model, "nproc": os.cpu_count(), "kernel": platform.release(),
        "dpdk_version": sh("pkg-config", "--modversion", "libdpdk"),
        "hugepages": hugepages,
        "git_commit": sh("git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"),
        "git_uncommitted_files": len(dirty.splitlines()) if dirty else 0,
        "hostname": platform.node(),
    }


def build(runs, machine, config, command, notes):
    present = [s for s in SCENARIOS if any(r["scenario"] == s for r in runs)]
    return {
        "tool": "bench/run.sh",
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command,
        "machine": machine,
        "config": config,
        "notes": notes,
        "runs": runs,
        "summary": {s: summarize(runs, s) for s in present},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("out")
    ap.add_argument("--hugepages", choices=("yes", "no"), default="yes")
    ap.add_argument("--command", default="")
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--warmup", type=float, default=0)
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--note", action="append", default=[])
    a = ap.parse_args()
    with open(a.runs) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    config = {"seconds": a.seconds, "warmup": a.warmup, "repetitions": a.reps}
    doc = build(runs, machine_info(a.hugepages == "yes"), config, a.command, a.note)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
