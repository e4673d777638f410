#!/usr/bin/env bash
# bench/soak.sh DURATION_S: the soak of test/system/soak.sh for DURATION_S
# seconds of load instead of 40 - for long runs before a release (hours:
# slow leaks, counters that wrap, timers that drift, a worker that goes deaf
# once in a while), never in CI. Needs root (a network namespace), wrk and
# the build in build/ (scripts/setup.sh).
#
# The same load (wrk close and keep-alive, the byte-exact echo client with
# 5 per mille of its segments lost, a 3,000/s spoofed SYN flood from
# 198.19.0.0/16, every client on CPU 0), a line a minute with the rates
# over that minute (rx/tx packets/s, new connections/s = tcp_established,
# cookies/s = tcp_syncookies_sent, rx and tx drops, frames tern0 could not
# hand to tern) and the gauges (live, TIME_WAIT, half-open, mbufs, chunks,
# RSS), then the same quiet and final checks as the CI test; exit status 0
# only if all pass. The logic is scripts/lib/soak.sh (SOAK_ECHO_LOSS,
# SOAK_TERN_ARGS) and test/system/soak_load.py, shared with the CI test.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bench/soak.sh DURATION_S   (seconds of load, e.g. 14400 for 4 hours)" >&2
    exit 2
fi
source "$HERE/../scripts/lib/netns.sh"
source "$HERE/../scripts/lib/soak.sh"
echo "soak: $1 s of load, a line a minute; started $(date -Is)"
rc=0
soak_run "$1" 60 "$1" || rc=$?
echo "soak: ended $(date -Is)"
if [ "$rc" -ne 0 ]; then echo "FAIL: soak"; exit 1; fi
echo "PASS: soak"
