#!/usr/bin/python3
"""Attribute CPU time to "our" work from a `perf record -e cpu-clock -g -C ...`
capture, for bench/linux/run.sh.

Why: this machine is shared (other people's builds, fuzzers and DPDK workers
land on the same two vCPUs) and its /proc/stat is tick-sampled (no
IRQ_TIME_ACCOUNTING), which under-counts softirq time in this guest. A
cpu-clock sample says exactly what each CPU was doing, so per CPU we count:

  task     samples whose comm is our program on that CPU
  softirq  samples of any other comm whose stack is inside softirq processing
           (network receive via RPS, TCP timers, ...): the kernel work our
           traffic causes, whichever task it interrupted
  idle     swapper samples outside softirq
  perf     the profiler itself
  foreign  everything else (other people's processes)

ours = task + softirq. Other people's softirq work on the same CPU (their own
network traffic, timers) is counted as ours: an over-estimate, so the
per-core rates err low.

The capture must use `-k CLOCK_MONOTONIC` and `perf script -F comm,cpu,time,ip,sym`;
only samples inside the load program's measured window (its "window_mono_ns",
CLOCK_MONOTONIC) are counted, so perf may start early and stop late.

usage: perf_attrib.py PERF_SCRIPT_OUTPUT START_NS END_NS CPU:COMM_PREFIX [CPU:COMM_PREFIX ...]
prints {"<cpu>": {"samples": n, "task": share, "softirq": share, "idle": ...,
"perf": ..., "foreign": ..., "ours": ..., "busy": ..., "top_foreign": [...]}}
"""
import collections
import json
import re
import sys

SOFTIRQ_MARKERS = ("handle_softirqs", "__do_softirq", "net_rx_action", "run_ksoftirqd",
                   "do_softirq")
HEADER = re.compile(r"^\s*(.*?)\s+\[(\d+)\]\s+(\d+)\.(\d+):?\s*$")


def samples(path):
    comm, cpu, t, stack = None, None, 0, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if comm is not None:
                    yield comm, cpu, t, stack
                comm, cpu, t, stack = None, None, 0, []
                continue
            if comm is None:
                m = HEADER.match(line)
                if m:
                    comm, cpu = m.group(1), int(m.group(2))
                    frac = m.group(4)
                    t = int(m.group(3)) * 10**9 + int(frac) * 10**(9 - len(frac))
                continue
            parts = line.split()
            stack.append(parts[1] if len(parts) > 1 else parts[0])
    if comm is not None:
        yield comm, cpu, t, stack


def main():
    path, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ours = {}
    for spec in sys.argv[4:]:
        cpu, prefix = spec.split(":", 1)
        ours[int(cpu)] = prefix
    counts = {c: collections.Counter() for c in ours}
    foreign = {c: collections.Counter() for c in ours}
    outside = 0
    for comm, cpu, t, stack in samples(path):
        if cpu not in ours:
            continue
        if not start <= t <= end:
            outside += 1
            continue
        c = counts[cpu]
        c["samples"] += 1
        in_softirq = any(any(m in s for m in SOFTIRQ_MARKERS) for s in stack)
        if comm.startswith(ours[cpu]):
            c["task"] += 1
        elif in_softirq:
            c["softirq"] += 1
        elif comm.startswith("swapper"):
            c["idle"] += 1
        elif comm == "perf" or comm.startswith("perf-"):
            c["perf"] += 1
        else:
            c["foreign"] += 1
            foreign[cpu][re.sub(r"[/:]\d.*$", "", comm)] += 1
    out = {}
    for cpu, c in counts.items():
        n = c["samples"] or 1
        d = {"samples": c["samples"]}
        for k in ("task", "softirq", "idle", "perf", "foreign"):
            d[k] = round(c[k] / n, 4)
        d["ours"] = round((c["task"] + c["softirq"]) / n, 4)
        d["busy"] = round(1 - c["idle"] / n, 4)
        d["top_foreign"] = [[k, round(v / n, 4)] for k, v in foreign[cpu].most_common(4)]
        out[str(cpu)] = d
    out["samples_outside_window"] = outside
    print(json.dumps(out))


if __name__ == "__main__":
    main()
