#!/usr/bin/python3
"""Prints one run of bench/run.sh as a JSON line (appended to runs.jsonl).

  record.py tern  --scenario S --rep N --seconds S --warmup W --loadavg "..."
                  [--gen GEN.json] [--telemetry SERIES.jsonl] [--setting k=v ...] [--error MSG]
  record.py linux --scenario S --rep N --loadavg "..." [--doc LINUX.json] [--error MSG]
  both: [--core-rtt BEFORE,AFTER]  (tern-corelat's ns between CPUs 0 and 1 around the run)

The line keeps the tool's raw JSON ("raw"), tern's telemetry window
("window", tern only) and the flat record of metrics.py ("metrics"). A run
that failed is still recorded, with "error" and no metrics, so that the
report shows it instead of quietly taking the median of fewer runs.
"""
import argparse
import json
import sys

from metrics import linux_record, tern_record
from window import busy_window, load_series


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": f"{path}: {e}"}


def core_rtt(text):
    """[before, after] in ns; None where tern-corelat gave nothing."""
    parts = (text.split(",") + ["", ""])[:2]
    out = []
    for p in parts:
        try:
            out.append(float(p))
        except ValueError:
            out.append(None)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("side", choices=("tern", "linux"))
    ap.add_argument("--scenario", required=True, choices=("cps", "synflood", "mixed"))
    ap.add_argument("--rep", type=int, required=True)
    ap.add_argument("--loadavg", default="")
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--warmup", type=float, default=0)
    ap.add_argument("--gen")
    ap.add_argument("--telemetry")
    ap.add_argument("--doc")
    ap.add_argument("--setting", action="append", default=[])
    ap.add_argument("--error")
    ap.add_argument("--core-rtt", default="")
    a = ap.parse_args()

    out = {"scenario": a.scenario, "rep": a.rep, "side": a.side,
           "loadavg_start": [float(x) for x in a.loadavg.split()[:3]],
           "core_rtt_ns": core_rtt(a.core_rtt)}
    if a.side == "tern":
        out["tern_settings"] = a.setting
        raw = read_json(a.gen) if a.gen else {"error": "no tern-gen output"}
        out["raw"] = raw
        series = load_series(a.telemetry) if a.telemetry else []
        out["telemetry_samples"] = len(series)
        res = raw.get("results") or {}
        gen_window = res.get("window_mono_ns")
        if gen_window is None and "window_begin_mono_ns" in res:
            gen_window = [res["window_begin_mono_ns"], res["window_end_mono_ns"]]
        win = busy_window(series, a.seconds, a.warmup, gen_window)
        out["window"] = win
        if "error" not in raw and "results" in raw:
            out["metrics"] = tern_record(a.scenario, raw, win)
    else:
        raw = read_json(a.doc) if a.doc else {"error": "no bench/linux output"}
        out["raw"] = raw
        runs = raw.get("runs") or []
        if runs:
            out["metrics"] = linux_record(a.scenario, runs[0])
    err = a.error or raw.get("error")
    if err or "metrics" not in out:
        out["error"] = err or "no results in the tool's JSON"
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
