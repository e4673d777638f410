#!/usr/bin/env bash
# The main demo: tern on a DPDK net_tap port inside a private network
# namespace, serving HTTP on port 80 (the built-in http app); the
# namespace's kernel (198.18.0.1) is the client of the engine (198.18.0.2).
# Shows ARP and ping answered, curl requests, a short concurrent load, and
# connections going through ESTABLISHED and TIME_WAIT to CLOSED.
# Runs until Ctrl-C, or --seconds N.
#   scripts/demo.sh [--seconds N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN_FOR=0
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) RUN_FOR=${2:?--seconds needs a value}; shift 2 ;;
        --seconds=*) RUN_FOR=${1#*=}; shift ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "demo: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ "$RUN_FOR" =~ ^[0-9]+$ ]] || { echo "demo: --seconds takes whole seconds" >&2; exit 2; }

"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/lib/netns.sh"
if [ "$(id -u)" -ne 0 ]; then echo "demo: needs root (network namespaces, tap devices)" >&2; exit 1; fi

TERN_LOG=$(mktemp /tmp/tern-demo.XXXXXX)
MSL_MS=2000  # short, so the demo sees TIME_WAIT (2*MSL) end
tern_ns_up "tern-demo-$$" --stats-interval 5 --set listen.port=80 --set listen.app=http \
    --set tcp.msl_ms=$MSL_MS
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "tern is up on net_tap in namespace $TERN_NS"
sed -n '/^TERN: port/p;/^tern: /p' "$TERN_LOG"
step "kernel side: $TERN_IFACE $TERN_KERNEL_IP -> engine $TERN_ENGINE_IP ($TERN_ENGINE_MAC)"
tern_ns arping -c 3 -w 5 -I "$TERN_IFACE" "$TERN_ENGINE_IP" || true
tern_ns ping -c 5 -i 0.2 -W 2 "$TERN_ENGINE_IP" || true
states() {  # the engine's connections per TCP state (nonzero ones), via telemetry
    tern_telemetry /tern/states | /usr/bin/python3 -c '
import json, sys
t = json.load(sys.stdin)["/tern/states"]["total"]
print("  " + (", ".join(f"{k} {v}" for k, v in t.items() if v) or "no connections"))'
}
step "curl http://$TERN_ENGINE_IP/ (keep-alive, then Connection: close)"
tern_ns curl -sS -m 5 -w '  -> HTTP %{http_code}, %{size_download} bytes in %{time_total}s\n' "http://$TERN_ENGINE_IP/" || true
tern_ns curl -sS -m 5 -H 'Connection: close' -o /dev/null \
    -w '  -> HTTP %{http_code} with Connection: close (tern closes first: TIME_WAIT is on its side)\n' \
    "http://$TERN_ENGINE_IP/" || true

step "concurrent load: 200 clients hold their connections open, then 2000 requests with Connection: close"
tern_ns /usr/bin/python3 "$ROOT/scripts/lib/http_load.py" --host "$TERN_ENGINE_IP" --hold 200 --hold-seconds 2 \
    --requests 2000 --concurrency 50 &
load=$!
sleep 1
echo "  while 200 connections are held open:"; states
wait $load || true
echo "  right after the load:"; states
sleep $(( (2 * MSL_MS + 999) / 1000 + 1 ))
echo "  after 2*MSL ($((2 * MSL_MS)) ms):"; states

step "engine counters (dpdk-telemetry.py /tern/stats, nonzero)"
tern_telemetry /tern/stats | tr ',' '\n' | sed 's/^[ {"]*/  /;s/[}]*$//;s/"//g' | grep -v ': 0$'

if [ "$RUN_FOR" -gt 0 ]; then
    step "running for $RUN_FOR s more (tern prints its counters every 5 s)"
else
    step "running until Ctrl-C (tern prints its counters every 5 s)"
fi
start=$(date +%s)
printed=$(wc -l <"$TERN_LOG")
while kill -0 "$TERN_PID" 2>/dev/null; do
    total=$(wc -l <"$TERN_LOG")
    if [ "$total" -gt "$printed" ]; then sed -n "$((printed + 1)),${total}p" "$TERN_LOG" | grep '^tern: stats' || true; printed=$total; fi
    if [ "$RUN_FOR" -gt 0 ] && [ $(( $(date +%s) - start )) -ge "$RUN_FOR" ]; then break; fi
    sleep 1
done
step "stopping tern (SIGTERM)"
rc=0; tern_stop || rc=$?
grep '^tern: final' "$TERN_LOG" || true
echo "tern exited with $rc; namespace $TERN_NS removed"
exit $rc
