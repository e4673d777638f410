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

# tern_kill PID: SIGTERM, up to 5 s, then SIGKILL (for cleanup paths).
tern_kill() {
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

# tern_prefix_rm PREFIX: what a tern run with --file-prefix PREFIX leaves.
tern_prefix_rm() {
    [ -n "$1" ] || return 0
    rm -rf "/var/run/dpdk/$1" 2>/dev/null || true
    # Hugepage-backed runs leave their page files behind: give them back.
    rm -f /dev/hugepages/"$1"map_* 2>/dev/null || true
}

tern_cleanup() {
    local rc=$?
    tern_kill "$TERN_PID"
    [ -n "$TERN_NS" ] && ip netns del "$TERN_NS" 2>/dev/null || true
    tern_prefix_rm "$TERN_PREFIX"
    return $rc
}

# tern_start NS PREFIX ENGINE_MAC LOG [tern options...]: tern in the existing
# namespace NS on a net_tap port (tern0, MAC ENGINE_MAC), --file-prefix
# PREFIX, output to LOG; returns once its workers run (10 s at most).
# TERN_STARTED_PID is its PID, even when it failed to start.
TERN_STARTED_PID=""
tern_start() {
    local ns=$1 pfx=$2 mac=$3 log=$4
    shift 4
    ip netns exec "$ns" "$TERN_BIN" \
        --no-huge -m 512 --no-pci -l 0,1 --file-prefix="$pfx" \
        --vdev="net_tap0,iface=$TERN_IFACE,mac=$mac" -- "$@" >"$log" 2>&1 &
    TERN_STARTED_PID=$!
    local i
    for i in $(seq 1 100); do
        grep -q "worker(s)" "$log" 2>/dev/null && return 0
        kill -0 "$TERN_STARTED_PID" 2>/dev/null || { cat "$log" >&2; echo "tern exited early" >&2; return 1; }
        sleep 0.1
    done
    cat "$log" >&2; echo "tern did not start in 10 s" >&2; return 1
}

# tern_tap_up NS KERNEL_MAC ADDR/LEN: the kernel side of tern0 in NS
# (another MAC than the engine's), addressed and up; no IPv6 chatter.
tern_tap_up() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$1" ip link set "$TERN_IFACE" address "$2"
    ip netns exec "$1" ip addr add "$3" dev "$TERN_IFACE"
    ip netns exec "$1" ip link set "$TERN_IFACE" up
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
    local rc=0
    tern_start "$TERN_NS" "$TERN_PREFIX" "$TERN_ENGINE_MAC" "$TERN_LOG" \
        --set engine.address="$TERN_ENGINE_IP/24" "$@" || rc=$?
    TERN_PID=$TERN_STARTED_PID
    [ "$rc" -eq 0 ] || return "$rc"
    tern_tap_up "$TERN_NS" "$TERN_KERNEL_MAC" "$TERN_KERNEL_IP/24"
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
    local rc=0
    tern_stop_pid "$TERN_PID" || rc=$?
    kill -0 "$TERN_PID" 2>/dev/null || TERN_PID=""  # still there: cleanup kills it
    return $rc
}

# tern_stop_pid PID: SIGTERM to that tern (a child of this shell), its exit
# code once it is gone; 1 if it is still there after 10 s.
tern_stop_pid() {
    kill -TERM "$1"
    local i
    for i in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$1" 2>/dev/null; then echo "tern did not exit within 10 s of SIGTERM" >&2; return 1; fi
    local rc=0
    wait "$1" || rc=$?
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
