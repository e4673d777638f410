#!/bin/bash
# Runs tern-bench-engine REPS times per mode and prints the medians.
#   bench/engine/run.sh [-b BUILD_DIR] [-r REPS] [-o OUT_DIR] [-p] [-- extra args] [MODES...]
#   -p: --priority (nice -20 for the bench's own session; see README.md)
# Needs root for hugepages (bench/engine/hugepages.sh is called first).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$here/../../build
reps=3
out=/tmp/tern-bench-engine-$(date +%Y%m%d-%H%M%S)
prio=()
while getopts "b:r:o:p" opt; do
    case $opt in
        b) build=$OPTARG ;;
        r) reps=$OPTARG ;;
        o) out=$OPTARG ;;
        p) prio=(--priority) ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
modes=()
extra=()
while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
    modes+=("$1"); shift
done
[ ${#modes[@]} -gt 0 ] || modes=(synflood cps idle)
bin=$build/bench/engine/tern-bench-engine
[ -x "$bin" ] || { echo "run.sh: $bin not built (ninja -C $build)" >&2; exit 1; }
mkdir -p "$out"
"$here/hugepages.sh" 1024 >/dev/null || echo "run.sh: no hugepages: results will be --no-huge" >&2

for mode in "${modes[@]}"; do
    for i in $(seq 1 "$reps"); do
        load=$(cut -d' ' -f1-3 /proc/loadavg)
        echo "$mode run $i (load average $load)"
        echo "$load" > "$out/$mode-$i.load"
        # setsid: the bench leads its own session, so --priority boosts it alone.
        setsid -w "$bin" "$mode" "${prio[@]}" --json "$out/$mode-$i.json" "${extra[@]}" \
            > "$out/$mode-$i.txt" 2>&1 || echo "  (exit status $?: see $out/$mode-$i.txt)"
    done
done

python3 - "$out" "$reps" "${modes[@]}" <<'PY'
import json, os, statistics, sys
out, reps, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
keys = {
    "synflood": ["syn_acks_per_s", "worker_busy_share", "worker_ns_per_syn", "worker_cycles_per_syn",
                 "capacity_syn_acks_per_s", "worker_cpu_ns_per_syn", "worker_on_cpu_share",
                 "generator_busy_share", "samples_bad"],
    "cps": ["connections_per_s", "failures", "worker_busy_share", "capacity_cps", "worker_ns_per_conn",
            "worker_cpu_ns_per_conn", "worker_on_cpu_share", "generator_busy_share", "conn_time_p99_us"],
    "idle": ["conns_established", "sizeof_tcb", "sizeof_time_wait", "bytes_per_conn",
             "flow_table_bytes_per_conn", "rss_before_worker_kb", "rss_filled_kb"],
}
print(f"\nmedians of {reps} runs ({out})")
for m in modes:
    runs = []
    for i in range(1, reps + 1):
        p = os.path.join(out, f"{m}-{i}.json")
        if os.path.exists(p):
            with open(p) as f:
                runs.append(json.load(f)["results"])
    loads = [open(os.path.join(out, f"{m}-{i}.load")).read().split()[0]
             for i in range(1, reps + 1) if os.path.exists(os.path.join(out, f"{m}-{i}.load"))]
    print(f"\n{m}: {len(runs)} runs, load average (1 min) at start: {', '.join(loads)}")
    for k in keys.get(m, []):
        vals = [r[k] for r in runs if isinstance(r.get(k), (int, float))]
        if not vals:
            continue
        med = statistics.median(vals)
        print(f"  {k:28s} {med:>14.4g}   runs: {', '.join(f'{v:.4g}' for v in vals)}")
PY
