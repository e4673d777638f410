# Shared by scripts/demo.sh and test/system: a private network namespace
# with tern on a net_tap port inside it. Addresses come from 198.18.0.0/15
# only; the namespace and everything started in it go away on every exit.
# Source this file, then call tern_ns_up; cleanup runs from an EXIT trap.

TERN_ROOT=${TERN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TERN_BIN=${TERN_BIN:-$TERN_ROOT/build/app/tern}
TERN_NS=""
TERN_PID=""
TERN_LOG=""
TERN_PREFIX=""
TERN_IFACE=tern0
TERN_ENGINE_IP=198.18.0.2
TERN_KERNEL_IP=198.18.0.1
TERN_ENGINE_MAC=02:00:c6:12:00:02
# net_tap's mac= devarg gives the kernel side that MAC too; a stack that sees
# its own MAC as a source may drop frames, so the kernel side gets another.
TERN_KERNEL_MAC=02:00:c6:12:00:01

# Root with CAP_NET_ADMIN is needed for namespaces. Outside CI a missing
# capability skips (exit 77, meson's "skipped"); under CI=true it fails.
tern_require_netadmin() {
    if [ "$(id -u)" -ne 0 ] || ! ip netns add "tern-capcheck-$$" 2>/dev/null; then
        if [ "${CI:-}" = "true" ]; then
            echo "FAIL: system tests need root with CAP_NET_ADMIN (CI=true)" >&2
            exit 1
        fi
        echo "SKIP: system tests need root with CAP_NET_ADMIN" >&2
        exit 77
    fi
    ip netns del "tern-capcheck-$$"
}

tern_cleanup() {
    local rc=$?
    if [ -n "$TERN_PID" ] && kill -0 "$TERN_PID" 2>/dev/null; then
        kill -TERM "$TERN_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$TERN_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$TERN_PID" 2>/dev/null || true
    fi
    [ -n "$TERN_NS" ] && ip netns del "$TERN_NS" 2>/dev/null || true
    if [ -n "$TERN_PREFIX" ]; then
        rm -rf "/var/run/dpdk/$TERN_PREFIX" 2>/dev/null || true
        # Hugepage-backed runs leave their page files behind: give them back.
        rm -f /dev/hugepages/"$TERN_PREFIX"map_* 2>/dev/null || true
    fi
    return $rc
}

# tern_ns_up NAME [extra tern options...]: namespace NAME, tern on net_tap in
# it, the kernel side of the tap addressed and up. Output goes to $TERN_LOG.
tern_ns_up() {
    TERN_NS=$1; shift
    TERN_PREFIX="$TERN_NS"
    TERN_LOG=${TERN_LOG:-$(mktemp /tmp/tern-log.XXXXXX)}
    trap tern_cleanup EXIT
    trap 'exit 130' INT TERM
    ip netns add "$TERN_NS"
    ip netns exec "$TERN_NS" ip link set lo up
    ip netns exec "$TERN_NS" "$TERN_BIN" \
        --no-huge -m 512 --no-pci -l 0,1 --file-prefix="$TERN_PREFIX" \
        --vdev="net_tap0,iface=$TERN_IFACE,mac=$TERN_ENGINE_MAC" -- \
        --set engine.address="$TERN_ENGINE_IP/24" "$@" >"$TERN_LOG" 2>&1 &
    TERN_PID=$!
    local i
    for i in $(seq 1 100); do
        grep -q "worker(s)" "$TERN_LOG" 2>/dev/null && break
        kill -0 "$TERN_PID" 2>/dev/null || { cat "$TERN_LOG" >&2; echo "tern exited early" >&2; return 1; }
        sleep 0.1
    done
    grep -q "worker(s)" "$TERN_LOG" || { cat "$TERN_LOG" >&2; echo "tern did not start in 10 s" >&2; return 1; }
    ip netns exec "$TERN_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$TERN_NS" ip link set "$TERN_IFACE" address "$TERN_KERNEL_MAC"
    ip netns exec "$TERN_NS" ip addr add "$TERN_KERNEL_IP/24" dev "$TERN_IFACE"
    ip netns exec "$TERN_NS" ip link set "$TERN_IFACE" up
}

# For raw-socket (scapy) clients: the namespace's kernel knows nothing of
# their connections and would answer the engine's segments with RSTs.
tern_ns_drop_kernel_rsts() {
    tern_ns nft -f - <<'NFT'
table ip tern_test {
    chain out { type filter hook output priority 0; policy accept; tcp flags & rst == rst drop; }
}
NFT
}

# Run a command on the kernel side of the tap.
tern_ns() { ip netns exec "$TERN_NS" "$@"; }

# Stop tern with SIGTERM and return its exit code (bounded wait).
tern_stop() {
    kill -TERM "$TERN_PID"
    local i
    for i in $(seq 1 100); do kill -0 "$TERN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$TERN_PID" 2>/dev/null; then echo "tern did not exit within 10 s of SIGTERM" >&2; return 1; fi
    local rc=0
    wait "$TERN_PID" || rc=$?
    TERN_PID=""
    return $rc
}

# The value of counter NAME in tern's last "final" (or stats) line.
tern_counter() {
    grep -E "^tern: (final|stats)" "$TERN_LOG" | tail -1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# Query a running tern's telemetry (e.g. /tern/stats) as JSON.
tern_telemetry() {
    echo "$1" | dpdk-telemetry.py -f "$TERN_PREFIX" 2>/dev/null | grep "^{"
}
