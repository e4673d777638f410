#!/usr/bin/env bash
# Instructions per full connection lifecycle through the TCP Stack (SYN;
# ACK + request; response + FIN; FIN/ACK; TIME_WAIT expiry), counted by
# callgrind: a figure that does not drift with machine load, unlike time.
# Only one_lifecycle() (bench/micro/tcp_bench.cpp) is collected, so set-up
# and Google Benchmark's own loop are not counted.
#   bench/micro/callgrind.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
BIN=$BUILD/bench/micro/tern-micro
[ -x "$BIN" ] || { echo "callgrind: $BIN not built (ninja -C $BUILD)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "callgrind: valgrind not installed" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
log=$(TERN_COUNT_LIFECYCLES=1 valgrind --tool=callgrind --toggle-collect='*one_lifecycle*' \
    --callgrind-out-file="$out" "$BIN" --benchmark_filter='^BM_Lifecycle$' \
    --benchmark_min_time=1 2>&1)
n=$(echo "$log" | sed -n 's/^lifecycles=//p')
ir=$(sed -n 's/^summary: *//p' "$out" | awk '{print $1}')
[ -n "$n" ] && [ "$n" -gt 0 ] && [ -n "$ir" ] || { echo "$log" >&2; echo "callgrind: no count" >&2; exit 1; }
echo "lifecycles: $n, instructions: $ir, per lifecycle: $((ir / n))"
