#!/usr/bin/env bash
# The main demo: tern on a DPDK net_tap port inside a private network
# namespace; the namespace's kernel (198.18.0.1) talks to the engine
# (198.18.0.2). Runs until Ctrl-C, or --seconds N.
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
tern_ns_up "tern-demo-$$" --stats-interval 5
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "tern is up on net_tap in namespace $TERN_NS"
sed -n '/^TERN: port/p;/^tern: /p' "$TERN_LOG"
step "kernel side: $TERN_IFACE $TERN_KERNEL_IP -> engine $TERN_ENGINE_IP ($TERN_ENGINE_MAC)"
tern_ns arping -c 3 -w 5 -I "$TERN_IFACE" "$TERN_ENGINE_IP" || true
tern_ns ping -c 5 -i 0.2 -W 2 "$TERN_ENGINE_IP" || true
step "engine counters (dpdk-telemetry.py /tern/stats)"
tern_telemetry /tern/stats | tr ',' '\n' | sed 's/^[ {]*/  /;s/}*$//'

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
