#!/usr/bin/env bash
# tern-gen (bench/gen) against a real tern over net_memif: tern is the memif
# server, tern-gen the client, both --no-huge with their own --file-prefix
# and a socket in a private temp dir. Runs cps, synflood and mixed for ~2 s
# each and checks their JSON:
#   cps       completed > 0 and failed == 0
#   synflood  reply_ratio > 0.9 (tern answers every SYN with a cookie)
#   mixed     legit_success_rate >= 0.999
# failed == 0 holds with no slack: memif loses nothing (a full ring pushes
# back on the sender), tern answers every segment, so the only failure left
# is a client starved of replies for --timeout-ms. That is set to 5 s here
# (a shared 2-vCPU machine can deschedule tern's worker for a second), so a
# failure means a real loss, reset or bad response. Flood rates are fixed
# (not "as fast as possible") for the same reason: the test checks
# correctness; bench/run.sh measures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TERN_BIN=${TERN_BIN:-$ROOT/build/app/tern}
TERN_GEN=${TERN_GEN:-$ROOT/build/bench/gen/tern-gen}
[ -x "$TERN_GEN" ] || { echo "FAIL: no tern-gen at $TERN_GEN (ninja bench/gen/tern-gen)"; exit 1; }

DIR=$(mktemp -d /tmp/tern-gen-smoke.XXXXXX)
TP=tern-sys-gen-srv-$$
GP=tern-sys-gen-cli-$$
SOCK=$DIR/memif.sock
TERN_PID=""
GEN_PID=""

# Only what this script started, by PID; TERM first, then KILL.
stop_pid() {
    local pid=$1 i
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    [ -n "$GEN_PID" ] && stop_pid "$GEN_PID"
    [ -n "$TERN_PID" ] && stop_pid "$TERN_PID"
    rm -rf "$DIR" "/var/run/dpdk/$TP" "/var/run/dpdk/$GP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# tern: one worker on CPU 1, control on CPU 0; 198.18.0.0/15 on-link. A
# fresh tern per mode. DPDK 22.11's memif PMD unmaps the shared regions when
# the peer disconnects, even while its own side polls them: so tern-gen
# reports, stops polling and lingers (--linger) until tern, stopped first,
# has closed the link.
start_tern() {
    "$TERN_BIN" --no-huge -m 512 --no-pci -l 0,1 --file-prefix="$TP" \
        --vdev="net_memif0,role=server,id=0,socket=$SOCK" -- \
        --set port.name=net_memif0 --set engine.address=198.18.0.1/15 \
        --set listen.port=80 --set listen.app=http --set tcp.syncookies=2 \
        --set tcp.msl_ms=100 --set engine.drain_ms=200 >"$DIR/tern.log" 2>&1 &
    TERN_PID=$!
    for _ in $(seq 1 100); do
        grep -q "worker(s)" "$DIR/tern.log" && break
        kill -0 "$TERN_PID" 2>/dev/null || break
        sleep 0.1
    done
    grep -q "worker(s)" "$DIR/tern.log" || { cat "$DIR/tern.log"; echo "FAIL: tern did not start"; exit 1; }
}
stop_tern() {
    local rc=0
    kill -TERM "$TERN_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$TERN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$TERN_PID" 2>/dev/null; then
        stop_pid "$TERN_PID"; rc=124
    else
        wait "$TERN_PID" || rc=$?
    fi
    TERN_PID=""
    rm -rf "/var/run/dpdk/$TP" "$SOCK"
    [ $rc -eq 0 ] || { tail -20 "$DIR/tern.log"; echo "FAIL: tern exited $rc"; exit 1; }
}

# run_gen MODE [options]: a tern, then tern-gen on CPU 0, 0.5 s warm-up + 2 s
# measured.
run_gen() {
    local mode=$1 rc=0; shift
    start_tern
    timeout 30 "$TERN_GEN" --no-huge -m 256 --no-pci -l 0 --file-prefix="$GP" \
        --vdev="net_memif0,role=client,id=0,socket=$SOCK" -- \
        "$mode" --warmup 0.5 --seconds 2 --linger 20 --json "$DIR/$mode.json" "$@" >"$DIR/$mode.log" 2>&1 &
    GEN_PID=$!
    # Its report written, tern-gen waits for tern to go first (see above).
    for _ in $(seq 1 300); do
        [ -s "$DIR/$mode.json" ] && break
        kill -0 "$GEN_PID" 2>/dev/null || break
        sleep 0.1
    done
    stop_tern
    wait "$GEN_PID" || rc=$?
    GEN_PID=""
    rm -rf "/var/run/dpdk/$GP"
    if [ $rc -ne 0 ] || [ ! -s "$DIR/$mode.json" ]; then
        cat "$DIR/$mode.log"; echo "FAIL: tern-gen $mode exited $rc"; exit 1
    fi
    sed -n '/^results:/,$p' "$DIR/$mode.log"
}
# r MODE KEY: a field of MODE's results.
r() { jq -r ".results.$2" "$DIR/$1.json"; }
check() {  # check MODE 'jq condition on .results' WHAT
    jq -e ".results | $2" "$DIR/$1.json" >/dev/null || { echo "FAIL: $1: $3"; exit 1; }
}

run_gen cps --concurrency 64 --timeout-ms 5000
check cps '.completed > 0' "no connection completed"
check cps '.failed == 0' "$(r cps failed) failed connections"
check cps '.handshake_us.p50 > 0 and .response_us.p50 >= .handshake_us.p50' "latencies"
jq -e '.tool == "tern-gen" and .mode == "cps" and .hugepages == false' "$DIR/cps.json" >/dev/null ||
    { echo "FAIL: JSON header"; exit 1; }

run_gen synflood --rate 200000
check synflood '.reply_ratio > 0.9' "reply ratio $(r synflood reply_ratio)"
check synflood '.bad_replies == 0' "$(r synflood bad_replies) bad replies"

run_gen mixed --rate 50000 --concurrency 64 --timeout-ms 5000
check mixed '.legit_success_rate >= 0.999' "legit success rate $(r mixed legit_success_rate)"
check mixed '.legit_completed > 0 and .syn_acks_per_s > 0' "nothing measured"

echo "PASS: cps $(r cps connections_per_s)/s, synflood reply ratio $(r synflood reply_ratio)," \
     "mixed legit success $(r mixed legit_success_rate)"
