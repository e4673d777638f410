#!/usr/bin/env bash
# SYN flood with spoofed sources from 198.19.0.0/16 only (each of the
# FLOOD_N SYNs from its own address, sent for FLOOD_S seconds from an
# AF_PACKET socket) while 50 curl requests (5 waves of 10 in parallel, one
# wave a second) and a ping run against the engine, with tcp.syncookies=1
# (cookies once the half-open queue, tcp.max_syn_backlog, is full).
#
# Asserted: every curl request succeeds with the exact body and needs no
# SYN retransmission (the kernel sent exactly 50 SYNs), every ping is
# answered, the counters show the flood (the half-open queue filled, the
# rest answered with cookies, nothing dropped) and add up exactly: each SYN
# that reached the engine was admitted or answered by a cookie, exactly 50
# connections were established (half-open or cookie), every other half-open
# entry timed out after one SYN-ACK retransmission (tcp.synack_retries=1),
# every segment the stack produced was sent (no Outbox overflow, no TX
# drop), and nothing is left once the half-open entries are gone.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
tern_require_netadmin
NS=tern-sys-flood-$$
FLOOD_N=${FLOOD_N:-25000}
FLOOD_S=${FLOOD_S:-5}
BACKLOG=4096
tern_ns_up "$NS" --set listen.port=80 --set listen.app=http \
    --set tcp.synack_retries=1 --set tcp.max_syn_backlog=$BACKLOG --set tcp.syncookies=1
# SYN-ACKs to the spoofed sources go back over tern0; the kernel must never
# answer anything with a RST. The counter sees the kernel's own SYNs to port
# 80 (curl's, retransmissions included); AF_PACKET frames bypass it.
tern_ns ip route add 198.19.0.0/16 dev "$TERN_IFACE"
tern_ns nft -f - <<'EOF'
table ip tern_test {
    chain out {
        type filter hook output priority 0; policy accept;
        tcp flags & rst == rst drop
        ip daddr 198.18.0.2 tcp dport 80 tcp flags & (syn | ack) == syn counter
    }
}
EOF
export TERN_PREFIX
rc=0
fail() { echo "FAIL: tcp_synflood: $*"; rc=1; }
TMP=$(mktemp -d /tmp/tern-synflood.XXXXXX)
flood_pid="" ping_pid="" curl_pids=()
# On any exit: stop what this script started (by PID), then the namespace.
trap 'st=$?; set +e; for p in $flood_pid $ping_pid ${curl_pids[*]:-}; do kill "$p" 2>/dev/null; done
      rm -rf "$TMP"; (exit $st); tern_cleanup; exit $st' EXIT

tap_tx_dropped() {
    tern_ns ip -s -j link show "$TERN_IFACE" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])'
}
legit_syns() {
    tern_ns nft list chain ip tern_test out | sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

before=$(tern_telemetry /tern/stats)
drop0=$(tap_tx_dropped)

# The flood, in the background (bounded: FLOOD_S s plus a margin).
tern_ns env PYTHONPATH="$HERE" timeout $((FLOOD_S + 10)) /usr/bin/python3 - "$FLOOD_N" "$FLOOD_S" \
    >"$TMP/flood" 2>&1 <<'PY' &
import random, socket, sys, time
from tcp_sys import IFACE, syn_frame
n, secs = int(sys.argv[1]), float(sys.argv[2])
assert n <= 65000
sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sk.bind((IFACE, 0))
t0 = time.monotonic()
sent = 0
for i in range(n):
    if i % 50 == 0:
        d = t0 + i * secs / n - time.monotonic()
        if d > 0:
            time.sleep(d)
    a = i + 1  # 198.19.0.1 ... : one address per SYN, never repeated
    src = bytes([198, 19, (a >> 8) & 0xFF, a & 0xFF])
    sent += sk.send(syn_frame(src, 80, random.randint(1024, 65535), random.getrandbits(32), i)) > 0
print("sent %d SYNs in %.2f s" % (sent, time.monotonic() - t0))
PY
flood_pid=$!

# Ping through the flood.
tern_ns timeout $((FLOOD_S + 10)) ping -c $((FLOOD_S * 4)) -i 0.25 -W 2 "$TERN_ENGINE_IP" \
    >"$TMP/ping" 2>&1 &
ping_pid=$!

# 50 curl requests: 5 waves of 10 in parallel, one wave a second.
printf 'hello from tern\n' >"$TMP/want"
t0=$(date +%s.%N)
for wave in 0 1 2 3 4; do
    sleep 0.9
    for j in $(seq 1 10); do
        tern_ns curl -s --connect-timeout 25 --max-time 30 -o "$TMP/body.$wave.$j" \
            -w '%{http_code} %{time_connect} %{time_total}\n' "http://$TERN_ENGINE_IP/" \
            >"$TMP/curl.$wave.$j" 2>&1 &
        curl_pids+=($!)
    done
done
curl_fail=0
for p in "${curl_pids[@]}"; do wait "$p" || curl_fail=$((curl_fail + 1)); done
t1=$(date +%s.%N)
flood_rc=0; wait "$flood_pid" || flood_rc=$?
ping_rc=0; wait "$ping_pid" || ping_rc=$?
flood_pid="" ping_pid="" curl_pids=()  # all reaped: never signal a reused PID
cat "$TMP/flood"
[ "$flood_rc" -eq 0 ] || fail "flood sender exited $flood_rc"
flood_sent=$(sed -n 's/^sent \([0-9]*\) SYNs.*/\1/p' "$TMP/flood")
[ "${flood_sent:-0}" = "$FLOOD_N" ] || fail "flood sent ${flood_sent:-0} of $FLOOD_N SYNs"

ok=0; slowest=0
for wave in 0 1 2 3 4; do for j in $(seq 1 10); do
    read -r code tc tt <"$TMP/curl.$wave.$j" || true
    if [ "${code:-}" = 200 ] && cmp -s "$TMP/want" "$TMP/body.$wave.$j"; then
        ok=$((ok + 1))
        slowest=$(echo "if ($tt > $slowest) $tt else $slowest" | bc)
    else
        echo "curl $wave.$j: $(cat "$TMP/curl.$wave.$j")" \
            "body: $(head -c 100 "$TMP/body.$wave.$j" 2>/dev/null)"
    fi
done; done
echo "curl: $ok of 50 correct ($curl_fail exited non-zero), slowest ${slowest} s," \
    "all done $(echo "$t1 - $t0" | bc) s after the first wave"
if [ "$ok" = 50 ] && [ "$curl_fail" = 0 ]; then
    echo "PASS: tcp_synflood: 50 curl requests during the flood, exact body"
else
    fail "$ok of 50 curl requests correct"
fi
tail -2 "$TMP/ping"
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping")
if [ "${received:-0}" = $((FLOOD_S * 4)) ]; then
    echo "PASS: tcp_synflood: ping answered $received/$((FLOOD_S * 4)) during the flood"
else
    fail "ping answered ${received:-0}/$((FLOOD_S * 4)) during the flood"
fi

# Half-open entries die 1 + 2 s after their SYN: wait for the last ones.
sleep 3.5
drop1=$(tap_tx_dropped)
export BEFORE="$before" FLOOD_SENT="${flood_sent:-0}" LEGIT_SYNS="$(legit_syns)" \
    TAP_DROPS=$((drop1 - drop0)) BACKLOG
tern_ns env PYTHONPATH="$HERE" timeout 30 /usr/bin/python3 - <<'PY' || rc=1
import json, os
from tcp_sys import *
c = Checks("tcp_synflood")
s0 = Stats(json.loads(os.environ["BEFORE"])["/tern/stats"])
s1 = stats()
flood = int(os.environ["FLOOD_SENT"])
legit = int(os.environ["LEGIT_SYNS"] or 0)
tap_drops = int(os.environ["TAP_DROPS"])
backlog = int(os.environ["BACKLOG"])
names = ["rx_packets", "tx_packets", "tx_full_drops", "tx_no_mbuf", "tx_no_neighbor",
         "tx_neighbor_fallback", "tcp_passive_opens", "tcp_syn_backlog_drops",
         "tcp_synrcvd_dup_syn", "tcp_synack_retransmits", "tcp_synack_timeouts",
         "tcp_established", "tcp_conn_closed", "tcp_pool_exhausted", "tcp_flow_table_full",
         "tcp_rst_sent", "tcp_synrcvd_reset", "tcp_segments_out", "tcp_outbox_full",
         "tcp_syncookies_sent", "tcp_syncookies_ok", "tcp_syncookies_failed",
         "icmp_echo_replies", "arp_replies"]
try:
    d = {n: s1[n] - s0[n] for n in names}
except MissingCounter as e:
    c.ok(False, str(e))
    c.finish()
print("info: flood SYNs sent %d, curl SYNs (retransmissions included) %d, tap drops %d" % (
    flood, legit, tap_drops))
for n in names:
    print("info: delta %s = %d" % (n, d[n]))
c.eq(legit, 50, "SYNs sent by curl (50 requests, no SYN retransmission)")
c.ok(d["tcp_passive_opens"] >= backlog, "passive_opens = %d >= tcp.max_syn_backlog (%d)" % (
    d["tcp_passive_opens"], backlog))
c.ok(d["tcp_syncookies_sent"] >= flood - tap_drops - d["tcp_passive_opens"],
     "the rest answered with cookies: syncookies_sent = %d" % d["tcp_syncookies_sent"])
c.eq(d["tcp_passive_opens"] + d["tcp_syncookies_sent"] + d["tcp_syn_backlog_drops"]
     + d["tcp_synrcvd_dup_syn"], flood - tap_drops + legit,
     "SYNs admitted + cookies + dropped + duplicates (= SYNs sent - tap drops)")
c.eq(d["tcp_syn_backlog_drops"], 0, "SYNs dropped (cookies instead)")
c.eq(d["tcp_established"], 50, "connections established (the 50 curl requests)")
half_open_ok = 50 - d["tcp_syncookies_ok"]
c.eq(d["tcp_synack_timeouts"], d["tcp_passive_opens"] - half_open_ok,
     "half-open entries timed out (all but the curl ones that got a half-open entry)")
c.eq(d["tcp_conn_closed"], 50, "connections ended (app-visible ones: the curl requests)")
c.eq(d["tcp_synack_retransmits"], d["tcp_synack_timeouts"],
     "SYN-ACK retransmissions: one per timed-out entry (tcp.synack_retries=1)")
c.eq(d["tcp_syncookies_failed"], 0, "ACKs rejected as cookies")
c.eq(d["tx_packets"], d["tcp_segments_out"] + d["icmp_echo_replies"] + d["arp_replies"],
     "frames sent (= TCP segments + ICMP echo replies + ARP replies)")
# A retransmission burst larger than the Outbox (64) must still go out: the
# counters above claim every SYN-ACK retransmission was made.
c.counters(s0, s1, {"tcp_outbox_full": 0, "tx_full_drops": 0, "tx_no_mbuf": 0,
                    "tx_no_neighbor": 0, "tcp_pool_exhausted": 0, "tcp_flow_table_full": 0,
                    "tcp_synrcvd_reset": 0})
c.gauge(s1, GAUGE_LIVE, 0)
c.gauge(s1, GAUGE_TW, 0)
c.finish()
PY

stop_rc=0; tern_stop || stop_rc=$?
[ "$stop_rc" -eq 0 ] || fail "tern exited $stop_rc on SIGTERM"
if [ "$rc" -ne 0 ]; then echo "--- tern log"; tail -5 "$TERN_LOG"; echo "FAIL: tcp_synflood"; exit 1; fi
echo "PASS: tcp_synflood"
