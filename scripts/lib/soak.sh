# The soak, shared by test/system/soak.sh (CI: ~40 s of load) and
# bench/soak.sh (hours, before a release). Source after netns.sh, then call
# soak_run LOAD_S REPORT_EVERY MIN_ECHO; it returns the driver's status.
#
# tern on net_tap in a private namespace (tern_ns_up), two listeners from a
# small TOML file (http on 80, echo on 7), tcp.msl_ms=1000 and
# tcp.synack_retries=2; the load, the sampling and the checks are
# test/system/soak_load.py's (see its header), run inside the namespace
# pinned to CPU 0 (tern_ns_up gives tern -l 0,1: its worker is on CPU 1).
# Environment: SOAK_ECHO_LOSS (below), SOAK_TERN_ARGS (more tern options).
#
# The SYN flood's sources are spoofed from 198.19.0.0/16: tern's SYN-ACKs to
# them come back over tern0 and must die quietly in the namespace. They are
# routed to tern0 (as in tcp_synflood.sh; forwarding is off in a new
# namespace, so they go nowhere) and the kernel's RSTs to 198.19.0.0/16 are
# dropped by nft; the kernel clients' own RSTs to 198.18.0.2 still go out.

SOAK_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOAK_DRIVER=$SOAK_HERE/../../test/system/soak_load.py
SOAK_MSL_MS=1000
SOAK_SYNACK_RETRIES=2
# A half-open entry's life after its SYN: SYN-ACK at 0, retransmissions
# after 1 and 2 more seconds, dropped 4 s after the last: 1+2+4 = 7 s
# (2^(retries+1) - 1 with the 1 s initial RTO).
SOAK_SYNACK_GIVEUP_S=$(((1 << (SOAK_SYNACK_RETRIES + 1)) - 1))
# Per mille of the kernel's segments to the echo port lost on the way (see
# soak_run; 0 = none). net_tap on one host loses nothing by itself, and
# without a loss the echo data never arrives out of order: issue 14's
# oversized SACK frame, which made tern deaf, then never happens here.
SOAK_ECHO_LOSS=${SOAK_ECHO_LOSS:-5}
SOAK_TMP=""
SOAK_DRIVER_PID=""

soak_cleanup() {
    local st=$?
    set +e
    if [ -n "$SOAK_DRIVER_PID" ]; then
        kill -TERM "$SOAK_DRIVER_PID" 2>/dev/null
        # The driver stops its own clients (by PID) on SIGTERM: let it.
        for _ in $(seq 1 50); do kill -0 "$SOAK_DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SOAK_DRIVER_PID" 2>/dev/null
    fi
    [ -n "$SOAK_TMP" ] && rm -rf "$SOAK_TMP"
    (exit $st)
    tern_cleanup
    exit $st
}

# soak_run LOAD_S REPORT_EVERY MIN_ECHO
soak_run() {
    local load_s=$1 report_every=$2 min_echo=$3 t
    tern_require_netadmin
    for t in wrk taskset curl ping nft; do
        command -v "$t" >/dev/null || { echo "FAIL: soak: $t not found (scripts/setup.sh)"; return 1; }
    done
    SOAK_TMP=$(mktemp -d /tmp/tern-soak.XXXXXX)
    cat >"$SOAK_TMP/soak.toml" <<EOF
[listen]
port = 80
app = "http"

[[listeners]]
port = 7
app = "echo"

[tcp]
msl_ms = $SOAK_MSL_MS
synack_retries = $SOAK_SYNACK_RETRIES
EOF
    TERN_LOG=$SOAK_TMP/tern.log
    # SOAK_TERN_ARGS: more tern options, split on spaces (e.g. "--set
    # engine.mbufs=1023" for a smaller pool than the default's).
    # shellcheck disable=SC2086
    if ! tern_ns_up "tern-soak-$$" -c "$SOAK_TMP/soak.toml" ${SOAK_TERN_ARGS:-}; then
        rm -rf "$SOAK_TMP"
        exit 1  # tern_ns_up's EXIT trap removes the namespace
    fi
    trap soak_cleanup EXIT
    tern_ns ip route add 198.19.0.0/16 dev "$TERN_IFACE" ||
        { echo "FAIL: soak: no route for 198.19.0.0/16"; return 1; }
    tern_ns nft -f - <<'EOF' || { echo "FAIL: soak: nft rules not loaded"; return 1; }
table ip tern_soak {
    chain out {
        type filter hook output priority 0; policy accept;
        ip daddr 198.19.0.0/16 tcp flags & rst == rst drop
    }
}
EOF
    # SOAK_ECHO_LOSS: per mille of the kernel's segments to the echo port
    # lost on the way, so that tern receives data out of order (and answers
    # with SACK blocks), as on a real network. The loss must be one the
    # kernel's TCP does not see: a drop in an output or egress hook is
    # reported to it, and it sends the segment again, in order. So the
    # chosen segments are marked and routed to lo instead (a transmission
    # that succeeds), and dropped as they come in on lo.
    if [ "$SOAK_ECHO_LOSS" -gt 0 ]; then
        { tern_ns ip rule add fwmark 0x7e table 126 &&
          tern_ns ip route add "$TERN_ENGINE_IP/32" dev lo table 126 &&
          tern_ns nft -f - <<EOF
table ip tern_soak_loss {
    chain out {
        type route hook output priority mangle; policy accept;
        ip daddr $TERN_ENGINE_IP tcp dport 7 numgen random mod 1000 < $SOAK_ECHO_LOSS meta mark set 0x7e counter
    }
    chain pre {
        type filter hook prerouting priority raw; policy accept;
        iif "lo" ip daddr $TERN_ENGINE_IP counter drop
    }
}
EOF
        } || { echo "FAIL: soak: the echo loss (SOAK_ECHO_LOSS) could not be set up"; return 1; }
    fi
    # The driver in the background (so that a signal reaches the trap at
    # once), bounded: the load, 20 s for the clients to end, the quiet
    # bound and 60 s for the checks. Not through tern_ns: a function in the
    # background is a subshell, and its PID would not be the driver's (ip,
    # env and taskset exec; timeout passes a SIGTERM on).
    ip netns exec "$TERN_NS" env TERN_PREFIX="$TERN_PREFIX" TERN_PID="$TERN_PID" PYTHONPATH="$(dirname "$SOAK_DRIVER")" \
        taskset -c 0 timeout $((load_s + 20 + 2 * SOAK_MSL_MS / 1000 + SOAK_SYNACK_GIVEUP_S + 60)) \
        /usr/bin/python3 "$SOAK_DRIVER" run --load-s "$load_s" --report-every "$report_every" \
        --min-echo "$min_echo" --msl-ms "$SOAK_MSL_MS" --synack-giveup-s "$SOAK_SYNACK_GIVEUP_S" &
    SOAK_DRIVER_PID=$!
    local rc=0
    wait "$SOAK_DRIVER_PID" || rc=$?
    SOAK_DRIVER_PID=""
    local stop_rc=0
    tern_stop || stop_rc=$?
    if [ "$stop_rc" -ne 0 ]; then
        echo "FAIL: soak: tern exited $stop_rc on SIGTERM (want 0)"
        rc=1
    else
        echo "PASS: soak: tern exited 0 on SIGTERM"
    fi
    if [ "$rc" -ne 0 ]; then
        echo "--- tern log (last lines)"
        tail -5 "$TERN_LOG"
    fi
    return "$rc"
}
