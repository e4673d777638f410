#!/usr/bin/env bash
# tern on net_null for a bounded time: it runs at full speed, prints its
# counters and exits 0. net_null frames are all-zero (destination MAC
# 00:00:00:00:00:00), so every one is counted as not_for_us. The lcore list
# is given again on the command line: it replaces the profile's (EAL alone
# refuses a repeated -l).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=tern-sys-null-$$
trap 'rm -rf /var/run/dpdk/$PREFIX' EXIT
out=$(timeout 30 "$ROOT/build/app/tern" -l 0,1 --file-prefix=$PREFIX -- \
    -c "$ROOT/drivers-config/net_null.toml" --seconds 2 --stats-interval 1 2>&1) || {
    echo "$out"; echo "FAIL: tern exited $?"; exit 1; }
echo "$out" | grep '^tern:'
final=$(echo "$out" | grep '^tern: final ')
val() { echo "$final" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
rx=$(val rx_packets); nfu=$(val drop_not_for_us)
[ "$rx" -gt 100000 ] || { echo "FAIL: only $rx packets in 2 s"; exit 1; }
[ "$rx" = "$nfu" ] || { echo "FAIL: rx_packets=$rx but drop_not_for_us=$nfu"; exit 1; }
[ "$(val tx_packets)" = 0 ] || { echo "FAIL: answered a net_null frame"; exit 1; }
echo "$out" | grep -q '^tern: stats t=1' || { echo "FAIL: no stats line"; exit 1; }
echo "PASS: $rx packets"
