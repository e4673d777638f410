#!/bin/bash
# perf profile of the worker lcore: starts tern-bench-engine MODE with
# --priority under setsid and `perf record -e cpu-clock -g`, and prints the
# worker thread's top functions (warm-up included; start-up is on the main
# thread, so it does not show).
#   bench/engine/profile.sh [-b BUILD_DIR] MODE [extra args]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$here/../../build
if [ "${1:-}" = "-b" ]; then build=$2; shift 2; fi
mode=${1:?usage: profile.sh [-b BUILD_DIR] synflood|cps [args]}; shift
bin=$build/bench/engine/tern-bench-engine
data=/tmp/tern-bench-perf-$mode.data
"$here/hugepages.sh" 1024 >/dev/null || true
# perf cannot attach to a running process in this VM (ESRCH), so it starts
# the bench; setsid makes the bench its own session leader for --priority.
perf record -q -e cpu-clock -g -o "$data" -- setsid -w "$bin" "$mode" --priority --warmup 1 --seconds 4 "$@" \
    > /tmp/tern-bench-perf-$mode.txt 2>&1 || true
grep -E "syn_acks_per_s|connections_per_s|worker_busy_share|worker_on_cpu" /tmp/tern-bench-perf-$mode.txt || true
echo "worker thread (rte-worker-*), self time, % of the worker's samples:"
perf report -i "$data" --comm "$(perf report -i "$data" --sort comm --stdio 2>/dev/null |
    awk '/rte-worker/ {print $NF; exit}')" --no-children --percentage relative --sort sym -g none --stdio 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -${TOP:-30}
