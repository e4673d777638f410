#!/usr/bin/env bash
# Scale-out (docs/scale-out.md): two tern nodes behind one VIP, announced by
# ExaBGP on each node to BIRD 2 on a Linux router, which installs one ECMP
# route (L4 hash, net.ipv4.fib_multipath_hash_policy=1). Network namespaces
# only, addresses from 198.18.0.0/15 only:
#
#   client 198.18.3.2 -- 198.18.3.1 router 198.18.1.1 -- 198.18.1.2 node A
#                                          198.18.2.1 -- 198.18.2.2 node B
#   each node: its kernel forwards VIP 198.18.100.10 to tern on net_tap
#   (tern0, the kernel side 198.18.100.1/24); tern answers ARP for the VIP
#   and sends its replies to the frame's source MAC, the node's kernel,
#   which forwards them back to the router.
#
# The nodes run from scripts/scale-out/ (tern-node.toml, exabgp-node.conf,
# tern-healthcheck.conf, bird-router.conf), rendered with this run's
# addresses and secret, so the operator's example files are the tested ones.
#
# Order (about 3 minutes): node A; while node B is not started yet (it must
# start at least 130 s after A: the cookie counter once came from uptime),
# (d) the negative control with a node B' whose tcp.syncookie_secret differs;
# then node B, and
#   (c) a handshake moved between nodes (also to B in tcp.syncookies=1,
#       which then sent no cookie itself): the router sends pure SYNs to A and
#       every other packet to B (and the other way round); curl (with and
#       without TCP timestamps) must get the body, A sent the cookie, B
#       validated it, and none of B's TSvals (in a capture on the client) is
#       older than A's SYN-ACK's, nor more than 5 s newer;
#   (a) 1,000 requests (curl, Connection: close) through the router: all
#       succeed, each node serves at least 30 %;
#   (b) SIGTERM to node A during a sequential run of requests: the route via
#       A is gone before A stops answering (draining), no request fails.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/scripts/lib/netns.sh"
tern_require_netadmin
for t in bird exabgp curl nft tcpdump; do
    if ! command -v "$t" >/dev/null; then
        [ "${CI:-}" = "true" ] && { echo "FAIL: scale_out: $t missing (scripts/setup.sh installs it)"; exit 1; }
        echo "SKIP: scale_out: $t missing (scripts/setup.sh installs it)"; exit 77
    fi
done

CONF=$ROOT/scripts/scale-out
PY=/usr/bin/python3
HELPER=$HERE/scale_out.py
VIP=198.18.100.10
URL=http://$VIP/
STAGGER=${SCALE_OUT_STAGGER:-131}   # node B starts this long after node A
ID=$$
NS_CL=tso-cl-$ID NS_RT=tso-rt-$ID
declare -A NS=([a]=tso-a-$ID [b]=tso-b-$ID)
declare -A NODE_IP=([a]=198.18.1.2 [b]=198.18.2.2)
declare -A ROUTER_IP=([a]=198.18.1.1 [b]=198.18.2.1)
declare -A ENGINE_MAC=([a]=02:00:c6:12:64:0a [b]=02:00:c6:12:64:0b)
declare -A KERNEL_MAC=([a]=02:00:c6:12:64:01 [b]=02:00:c6:12:64:02)
declare -A TERN=() BGP=()   # PID of each running tern (by its name, its --file-prefix), of ExaBGP per node
SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
OTHER_SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
TMP=$(mktemp -d /tmp/tern-scale-out.XXXXXX)
BIRD_PID="" LOAD_PID="" DUMP_PID="" MOVED=0
PREFIXES=()
rc=0
fail() { echo "FAIL: scale_out: $*"; rc=1; }
pass() { echo "PASS: scale_out: $*"; }
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.2f", a - b }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Every exit path: what this script started (by PID), then anything still in
# its namespaces, the namespaces, tern's runtime files and the temp dir.
so_cleanup() {
    local st=$? p ns
    set +e
    trap - EXIT INT TERM
    for p in $LOAD_PID $DUMP_PID; do kill "$p" 2>/dev/null; done
    for p in "${BGP[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${TERN[@]}"; do tern_kill "$p"; done
    [ -n "$BIRD_PID" ] && kill -TERM "$BIRD_PID" 2>/dev/null
    sleep 0.3
    for ns in "$NS_CL" "$NS_RT" "${NS[a]}" "${NS[b]}"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    for p in "${PREFIXES[@]}"; do tern_prefix_rm "$p"; done
    if [ "$st" -ne 0 ]; then
        for f in "$TMP"/*.log; do [ -f "$f" ] && { echo "--- $(basename "$f")"; tail -15 "$f"; }; done
    fi
    rm -rf "$TMP"
    exit "$st"
}
trap so_cleanup EXIT
trap 'exit 130' INT TERM

# so_render TEMPLATE OUT NAME=VALUE...: the template with each @NAME@ replaced.
so_render() {
    local src=$1 out=$2 kv
    shift 2
    local sedargs=()
    for kv in "$@"; do sedargs+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
    sed "${sedargs[@]}" "$src" >"$out"
    if grep -n '@[A-Z_]*@' "$out" >&2; then echo "scale_out: placeholder left in $out" >&2; return 1; fi
}

# so_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces.
so_veth() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"; ip -n "$1" link set "$2" up
    ip -n "$4" addr add "$6" dev "$5"; ip -n "$4" link set "$5" up
}

# so_wait SECONDS CMD...: until CMD succeeds (every 0.1 s), at most SECONDS.
so_wait() {
    local n=$(($1 * 10)) i
    shift
    for i in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
    return 1
}

# The router's route to the VIP: the next hops it has now.
route_hops() { ip -n "$NS_RT" route show "$VIP/32" | grep -o 'via [0-9.]*' | sort | tr '\n' ' '; }
route_is() { [ "$(route_hops)" = "$1" ]; }

counters() { "$PY" "$HELPER" counters "$@"; }

# node_tern NODE NAME SECRET: tern NAME (its --file-prefix) in NODE's
# namespace from scripts/scale-out/tern-node.toml with SECRET; the node's
# kernel routes the VIP to its tap.
node_tern() {
    local node=$1 name=$2 secret=$3 rrc=0
    so_render "$CONF/tern-node.toml" "$TMP/$name.toml" SYNCOOKIE_SECRET="$secret"
    PREFIXES+=("$name")
    tern_start "${NS[$node]}" "$name" "${ENGINE_MAC[$node]}" "$TMP/$name.log" -c "$TMP/$name.toml" || rrc=$?
    TERN[$name]=$TERN_STARTED_PID
    [ "$rrc" -eq 0 ] || return "$rrc"
    tern_tap_up "${NS[$node]}" "${KERNEL_MAC[$node]}" 198.18.100.1/24
    ip -n "${NS[$node]}" route replace "$VIP/32" dev "$TERN_IFACE"
}

# node_bgp NODE NAME: ExaBGP for tern NAME on NODE, from exabgp-node.conf.
node_bgp() {
    local node=$1 name=$2
    so_render "$CONF/exabgp-node.conf" "$TMP/exabgp-$node.conf" NODE_IP="${NODE_IP[$node]}" \
        ROUTER_IP="${ROUTER_IP[$node]}" TERN_PREFIX="$name" TERN_HEALTH="$ROOT/scripts/tern-health" \
        HEALTHCHECK_CONF="$CONF/tern-healthcheck.conf"
    # As root (its health check must reach tern's telemetry socket), no CLI pipes.
    ip netns exec "${NS[$node]}" env exabgp.daemon.drop=false exabgp.api.cli=false \
        exabgp.log.destination=stdout exabgp "$TMP/exabgp-$node.conf" >"$TMP/exabgp-$node.log" 2>&1 &
    BGP[$node]=$!
}

# steer SYN_NODE REST_NODE | steer off: in the router, pure SYNs to the VIP
# go to one node and every other packet to the VIP to the other (nft marks,
# fwmark rules, one routing table per node), whatever BGP installed.
steer() {
    ip -n "$NS_RT" rule del fwmark 1 table 101 2>/dev/null || true
    ip -n "$NS_RT" rule del fwmark 2 table 102 2>/dev/null || true
    ip netns exec "$NS_RT" nft delete table ip tso_steer 2>/dev/null || true
    [ "$1" = off ] && return 0
    ip -n "$NS_RT" route replace "$VIP/32" via "${NODE_IP[$1]}" table 101
    ip -n "$NS_RT" route replace "$VIP/32" via "${NODE_IP[$2]}" table 102
    ip -n "$NS_RT" rule add fwmark 1 table 101 priority 100
    ip -n "$NS_RT" rule add fwmark 2 table 102 priority 101
    ip netns exec "$NS_RT" nft -f - <<EOF
table ip tso_steer {
    chain pre {
        type filter hook prerouting priority mangle; policy accept;
        ip daddr $VIP meta mark set 2
        ip daddr $VIP tcp flags & (syn | ack) == syn meta mark set 1
    }
}
EOF
}

# moved NAME SYN_TERN ACK_TERN TS WANT: one curl request from the client
# (net.ipv4.tcp_timestamps=TS) while steered; WANT is ok or refused. Checks
# the outcome, the cookie counters of both terns and, with ok, the TSvals.
moved() {
    local what=$1 a=$2 b=$3 ts=$4 want=$5 out crc=0
    ip netns exec "$NS_CL" sysctl -qw net.ipv4.tcp_timestamps="$ts"
    local a0 b0 a1 b1 pcap=$TMP/moved-$((++MOVED)).pcap
    a0=($(counters "$a" tcp_syncookies_sent tcp_established))
    b0=($(counters "$b" tcp_syncookies_ok tcp_syncookies_failed tcp_established))
    rm -f "$TMP/tcpdump.log"  # not the last capture's "listening on"
    ip netns exec "$NS_CL" timeout 20 tcpdump -i c-rt --immediate-mode -U -n -w "$pcap" "tcp port 80" \
        >"$TMP/tcpdump.log" 2>&1 &
    DUMP_PID=$!
    so_wait 5 grep -qs "listening on" "$TMP/tcpdump.log" || true
    out=$(ip netns exec "$NS_CL" curl -sS --connect-timeout 3 --max-time 5 "$URL" 2>&1) || crc=$?
    sleep 0.3
    kill -INT "$DUMP_PID" 2>/dev/null || true
    wait "$DUMP_PID" 2>/dev/null || true
    DUMP_PID=""
    a1=($(counters "$a" tcp_syncookies_sent tcp_established))
    b1=($(counters "$b" tcp_syncookies_ok tcp_syncookies_failed tcp_established))
    local sent=$((a1[0] - a0[0])) a_est=$((a1[1] - a0[1])) ok=$((b1[0] - b0[0]))
    local failed=$((b1[1] - b0[1])) b_est=$((b1[2] - b0[2]))
    echo "info: $what: curl exit $crc, output '$(printf %s "$out" | head -c 80 | tr '\n' '|')';" \
        "$a: cookies sent +$sent, established +$a_est; $b: cookies ok +$ok, failed +$failed, established +$b_est"
    if [ "$want" = ok ]; then
        [ "$crc" -eq 0 ] && [ "$out" = "hello from tern" ] &&
            [ "$sent" -eq 1 ] && [ "$a_est" -eq 0 ] && [ "$ok" -eq 1 ] && [ "$failed" -eq 0 ] && [ "$b_est" -eq 1 ] &&
            pass "$what: curl got 'hello from tern', $a sent the cookie, $b completed the handshake from it" ||
            fail "$what: want the body, cookies sent 1 by $a, ok 1 and established 1 on $b"
        local tsw="no TSval from the VIP is older than the SYN-ACK's (PAWS)"
        [ "$ts" = 0 ] && tsw="no timestamp option from either node"
        "$PY" "$HELPER" tsvals "$pcap" "$VIP" && pass "$what: $tsw" || fail "$what: want $tsw"
    else
        [ "$crc" -ne 0 ] && [ "$out" != "hello from tern" ] && [ "$sent" -eq 1 ] && [ "$failed" -ge 1 ] &&
            [ "$ok" -eq 0 ] && [ "$b_est" -eq 0 ] &&
            pass "$what: refused (curl exit $crc), $b rejected the cookie of $a" ||
            fail "$what: want curl to fail, cookies sent 1 by $a, failed >= 1 and ok 0 on $b"
    fi
    ip netns exec "$NS_CL" sysctl -qw net.ipv4.tcp_timestamps=1
}

# ---- the network
T0=$(now)
for ns in "$NS_CL" "$NS_RT" "${NS[a]}" "${NS[b]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
        net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
ip netns exec "$NS_RT" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
so_veth "$NS_CL" c-rt 198.18.3.2/24 "$NS_RT" r-cl 198.18.3.1/24
ip -n "$NS_CL" route add default via 198.18.3.1
for n in a b; do
    so_veth "$NS_RT" "r-$n" "${ROUTER_IP[$n]}/24" "${NS[$n]}" n-rt "${NODE_IP[$n]}/24"
    ip -n "${NS[$n]}" route add default via "${ROUTER_IP[$n]}"
    ip netns exec "${NS[$n]}" sysctl -qw net.ipv4.ip_forward=1
done
ip netns exec "$NS_RT" bird -f -c "$CONF/bird-router.conf" -s "$TMP/bird.ctl" -P "$TMP/bird.pid" \
    >"$TMP/bird.log" 2>&1 &
BIRD_PID=$!

# ---- node A, announced
node_tern a tso-a-$ID "$SECRET"
A=tso-a-$ID
TA=$(now)
node_bgp a "$A"
if so_wait 20 route_is "via ${NODE_IP[a]} "; then
    pass "node A up and announced: the router routes $VIP via ${NODE_IP[a]} $(since "$TA") s after tern started"
else
    fail "no route via node A 20 s after it started: '$(route_hops)'"; exit 1
fi
out=$(ip netns exec "$NS_CL" curl -sS --connect-timeout 3 --max-time 5 "$URL" 2>&1) || true
[ "$out" = "hello from tern" ] && pass "curl through the router to node A alone" ||
    { fail "curl through the router to node A: '$out'"; exit 1; }

# ---- (d) while B is not started yet: B' with another secret refuses A's cookies
node_tern b tso-bx-$ID "$OTHER_SECRET"
BX=tso-bx-$ID
steer a b
moved "moved handshake to a node with another secret (d)" "$A" "$BX" 1 refused
moved "moved handshake to a node with another secret, no timestamps (d)" "$A" "$BX" 0 refused
steer off
stop_rc=0; tern_stop_pid "${TERN[$BX]}" || stop_rc=$?
unset 'TERN[$BX]'
[ "$stop_rc" -eq 0 ] || fail "node B' exited $stop_rc on SIGTERM"

# ---- node B, STAGGER seconds after A, announced: ECMP
wait_s=$(awk -v a="$TA" -v s="$STAGGER" -v n="$(now)" 'BEGIN { printf "%.1f", a + s - n }')
if lt 0 "$wait_s"; then
    echo "info: waiting $wait_s s: node B starts $STAGGER s after node A"
    sleep "$wait_s"
fi
node_tern b tso-b-$ID "$SECRET"
B=tso-b-$ID
echo "info: node B started $(since "$TA") s after node A"
node_bgp b "$B"
if so_wait 20 route_is "via ${NODE_IP[a]} via ${NODE_IP[b]} "; then
    pass "node B announced: the router's route to $VIP is ECMP over both nodes"
    ip -n "$NS_RT" route show "$VIP/32"
else
    fail "no ECMP route 20 s after node B started: '$(route_hops)'"; exit 1
fi

# ---- (c) a handshake moved from A to B (B started STAGGER s after A)
# With timestamps several times: each connection has its own TS offset, so
# a node whose TSvals were unrelated to the other's would go backwards (and
# be dropped by the client's PAWS check) about every other time.
steer a b
for i in 1 2 3; do moved "moved handshake A->B #$i, client timestamps (c)" "$A" "$B" 1 ok; done
moved "moved handshake A->B, no client timestamps (c)" "$A" "$B" 0 ok
# tcp.syncookies=1 on B (the default; B has sent no cookie): with the shared
# secret B still checks the stray ACK as a cookie and completes it.
"$PY" "$HELPER" set "$B" tcp.syncookies=1 >/dev/null || fail "cannot set tcp.syncookies=1 on $B"
moved "moved handshake A->B, B in tcp.syncookies=1 with the shared secret (c)" "$A" "$B" 1 ok
"$PY" "$HELPER" set "$B" tcp.syncookies=2 >/dev/null || fail "cannot set tcp.syncookies=2 on $B"
# and the other way round: B (the younger) sends the cookie, A completes it.
steer b a
for i in 1 2; do moved "moved handshake B->A #$i, client timestamps (c)" "$B" "$A" 1 ok; done
moved "moved handshake B->A, no client timestamps (c)" "$B" "$A" 0 ok
steer off

# ---- (a) 1,000 requests through the router, spread over both nodes
a0=$(counters "$A" tcp_established); b0=$(counters "$B" tcp_established)
t=$(now)
pids=()
for w in 1 2 3 4; do
    mkdir -p "$TMP/w$w"
    # 250 URLs each, one connection each (Connection: close), body to its own file.
    ip netns exec "$NS_CL" timeout 60 curl -s --connect-timeout 3 --max-time 5 -H 'Connection: close' \
        -o "$TMP/w$w/#1" -w '%{http_code}\n' "$URL?r=[1-250]" >"$TMP/w$w.codes" 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
dt=$(since "$t")
a1=$(counters "$A" tcp_established); b1=$(counters "$B" tcp_established)
codes=$(cat "$TMP"/w?.codes | grep -c '^200$' || true)
bodies=0
for f in "$TMP"/w?/*; do [ "$(cat "$f")" = "hello from tern" ] && bodies=$((bodies + 1)); done
na=$((a1 - a0)) nb=$((b1 - b0))
echo "info: 1000 requests in $dt s: $codes answered 200, $bodies exact bodies; node A served $na, node B $nb"
[ "$codes" -eq 1000 ] && [ "$bodies" -eq 1000 ] && pass "1000 requests through the router, all succeeded" ||
    fail "1000 requests: $codes answered 200, $bodies exact bodies"
[ "$((na + nb))" -eq 1000 ] && [ "$na" -ge 300 ] && [ "$nb" -ge 300 ] &&
    pass "each node served at least 30 %: A $na, B $nb" ||
    fail "the nodes served A $na, B $nb (want each >= 300, sum 1000)"

# ---- (b) SIGTERM to node A during a sequential run of requests
# The client: one request at a time, a new connection each, until told to
# stop (a file) or 2000 requests or 40 s, one line each: epoch, exit, output.
ip netns exec "$NS_CL" bash -c '
    end=$((SECONDS + 40))
    for i in $(seq 1 2000); do
        [ -e "$1" ] || [ $SECONDS -ge $end ] && break
        t=$EPOCHREALTIME
        out=$(curl -s --connect-timeout 3 --max-time 5 -H "Connection: close" "$2" 2>&1); c=$?
        echo "$t $c $(printf %s "$out" | head -c 40 | tr " \n" "_|")"
    done' seq "$TMP/stop-load" "$URL" >"$TMP/seq.out" 2>&1 &
LOAD_PID=$!
sleep 2
"$PY" "$HELPER" leave "${TERN[$A]}" "$A" "$NS_RT" "${NODE_IP[a]}" "$VIP" 1.5 >"$TMP/leave.out" 2>&1 || true
touch "$TMP/stop-load"
wait "$LOAD_PID" || true
LOAD_PID=""
a_rc=0; wait "${TERN[$A]}" || a_rc=$?
unset 'TERN[$A]'
cat "$TMP/leave.out"
ev() { awk -v k="$1" '$4 == k { print $2; exit }' "$TMP/leave.out"; }
ep() { awk -v k="$1" '$4 == k { print $3; exit }' "$TMP/leave.out"; }
# tern stops answering when it leaves "withdrawing": "draining" (often too
# short to be seen between two polls), then gone.
t_route=$(ev route=False) t_withdrawing=$(ev health=withdrawing)
t_draining=$(awk '$4 ~ /^health=/ && $4 != "health=withdrawing" && $4 != "health=up" { print $2; exit }' "$TMP/leave.out")
t_exit=$(ev process=False) e_route=$(ep route=False)
echo "info: after SIGTERM to node A: health withdrawing at t=${t_withdrawing:-?} s, route via A gone at" \
    "t=${t_route:-?} s, withdrawing over (stops answering) at t=${t_draining:-?} s, tern exited at t=${t_exit:-?} s (exit $a_rc)"
total=$(wc -l <"$TMP/seq.out")
bad=$(awk '$2 != 0 || $3 != "hello_from_tern"' "$TMP/seq.out" | wc -l)
after=0
[ -n "$e_route" ] && after=$(awk -v t="$e_route" '$1 > t' "$TMP/seq.out" | wc -l)
echo "info: sequential run: $total requests ($after after the route was gone), $bad failed"
awk '$2 != 0 || $3 != "hello_from_tern"' "$TMP/seq.out" | head -5
[ -n "$t_route" ] && [ -n "$t_draining" ] && lt "$t_route" "$t_draining" &&
    pass "the route via A was gone (t=$t_route s) before A stopped answering (t=$t_draining s)" ||
    fail "route gone at t=${t_route:-never}, draining at t=${t_draining:-never}: want the route gone first"
[ -n "$t_exit" ] && [ "$a_rc" -eq 0 ] && pass "node A exited 0 at t=$t_exit s" ||
    fail "node A: exit ${a_rc}, gone at t=${t_exit:-never}"
[ "$total" -ge 50 ] && [ "$bad" -eq 0 ] && [ "$after" -ge 10 ] &&
    pass "no request failed while node A left ($total requests, $after after the withdrawal)" ||
    fail "$bad of $total requests failed while node A left ($after after the withdrawal)"
out=$(ip netns exec "$NS_CL" curl -sS --connect-timeout 3 --max-time 5 "$URL" 2>&1) || true
[ "$out" = "hello from tern" ] && route_is "via ${NODE_IP[b]} " &&
    pass "afterwards: the route is via B alone and B answers" ||
    fail "afterwards: route '$(route_hops)', curl '$out'"

stop_rc=0; tern_stop_pid "${TERN[$B]}" || stop_rc=$?
unset 'TERN[$B]'
[ "$stop_rc" -eq 0 ] || fail "node B exited $stop_rc on SIGTERM"
echo "info: total $(since "$T0") s"
if [ "$rc" -ne 0 ]; then echo "FAIL: scale_out"; exit 1; fi
echo "PASS: scale_out"
