#!/usr/bin/env bash
# Soak (issue 14, item 4): for SOAK_LOAD_S (40) seconds at once, against tern
# on net_tap with http on port 80 and echo on port 7 (tcp.msl_ms=1000,
# tcp.synack_retries=2): wrk with "Connection: close" (64 connections), wrk
# keep-alive (32), an echo client checking 200 KB transfers byte-exact, and
# a spoofed SYN flood of 3,000/s from 198.19.0.0/16; every client on CPU 0.
# 5 per mille of the echo client's segments are lost on the way to tern
# (SOAK_ECHO_LOSS, scripts/lib/soak.sh), so that its data arrives out of
# order and tern's replies carry SACK blocks (issue 14's deaf case).
# Then quiet until the gauges are back (bounded: 2 x MSL + the 7 s SYN-ACK
# give-up + 3 s), and the checks: curl and ping still answered, no wrk
# socket error or non-2xx, every echo transfer exact (at least one a
# second), live/TIME_WAIT/half-open gauges at 0, mbufs_in_use and
# chunks_in_use back to their values before the load (mbufs within one
# burst, 32), VmRSS grown by less than 4 MiB, and never deaf: no 3-second
# window during the load in which rx_packets or tx_packets stood still.
# tx_refused, tx_stall_drops and tx_frame_too_big are printed. The logic is
# scripts/lib/soak.sh and test/system/soak_load.py, shared with bench/soak.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
source "$HERE/../../scripts/lib/soak.sh"
LOAD_S=${SOAK_LOAD_S:-40}
rc=0
soak_run "$LOAD_S" 10 "$LOAD_S" || rc=$?
if [ "$rc" -ne 0 ]; then echo "FAIL: soak"; exit 1; fi
echo "PASS: soak"
