#!/usr/bin/env bash
# HTTP load from real Linux clients. 1,000 sequential curl requests, each
# on its own connection ("Connection: close": curl's num_connects = 1 for
# every one; tern closes first, so 1,000 TIME_WAIT records on its side),
# every body exact. Then 200 concurrent python connections, all established
# at once (live gauge and /tern/states say 200 ESTABLISHED), then each sends
# one GET: the even ones with "Connection: close" (read to tern's FIN: tern
# closes first), the odd ones keep-alive (read the response, then the client
# closes first and tern follows: no TIME_WAIT on tern's side); every
# response exact, zero errors. After 2*MSL (tcp.msl_ms=300) + margin the
# live and TIME_WAIT gauges and /tern/states are 0, and the counters add up:
# 1,200 established and closed, 1,100 TIME_WAIT records created and all
# ended (by 2MSL, or by RFC 6191 reuse when the kernel picks a port again),
# no RST, no abort.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
tern_require_netadmin
NS=tern-sys-http-$$
MSL_MS=300
tern_ns_up "$NS" --set listen.port=80 --set listen.app=http --set tcp.msl_ms=$MSL_MS
export TERN_PREFIX
rc=0
fail() { echo "FAIL: tcp_http_load: $*"; rc=1; }

before=$(tern_telemetry /tern/stats)

# 1. 1,000 sequential curl requests (URL globbing: one curl process), each
# on a new connection, bounded at 60 s.
t0=$(date +%s.%N)
tern_ns timeout 60 curl -s --max-time 5 -H "Connection: close" \
    -w '|%{http_code}|%{num_connects}\n' "http://$TERN_ENGINE_IP/r[1-1000]" >"$TERN_LOG.curl" ||
    fail "curl exited $? (60 s bound)"
t1=$(date +%s.%N)
ok=$(grep -c -x '|200|1' "$TERN_LOG.curl" || true)
bodies=$(grep -c -x 'hello from tern' "$TERN_LOG.curl" || true)
lines=$(wc -l <"$TERN_LOG.curl")
echo "curl: $ok of 1000 answered 200 on a fresh connection, $bodies exact bodies," \
    "$lines lines, $(echo "$t1 - $t0" | bc) s"
for _ in $(seq 1 1000); do printf 'hello from tern\n|200|1\n'; done >"$TERN_LOG.want"
if cmp -s "$TERN_LOG.want" "$TERN_LOG.curl"; then
    echo "PASS: tcp_http_load: 1000 sequential curl requests, each its own connection, exact body"
else
    fail "sequential curl: output differs from 1000 x 'hello from tern\n|200|1'" \
        "(first lines: $(head -4 "$TERN_LOG.curl" | tr '\n' ' '))"
fi
rm -f "$TERN_LOG.curl" "$TERN_LOG.want"

# 2. 200 concurrent connections, then the gauges and counters.
tern_ns env PYTHONPATH="$HERE" MSL_MS=$MSL_MS BEFORE="$before" timeout 50 /usr/bin/python3 - <<'PY' || rc=1
import json, os, socket, threading, time
from tcp_sys import *

c = Checks("tcp_http_load")
N = 200
REQ_CLOSE = b"GET / HTTP/1.1\r\nHost: 198.18.0.2\r\nConnection: close\r\n\r\n"
REQ_KEEP = b"GET / HTTP/1.1\r\nHost: 198.18.0.2\r\n\r\n"
RESP_CLOSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
              b"Connection: close\r\n\r\nhello from tern\n")
RESP_KEEP = RESP_CLOSE.replace(b"Connection: close", b"Connection: keep-alive")
s0 = Stats(json.loads(os.environ["BEFORE"])["/tern/stats"])
connected = threading.Barrier(N + 1, timeout=20)
go = threading.Barrier(N + 1, timeout=20)
results = [None] * N

def client(i):
    s = None
    try:
        s = socket.create_connection((ENGINE_IP, 80), timeout=10)
        connected.wait()
        go.wait()
        keep = i % 2 == 1
        want = RESP_KEEP if keep else RESP_CLOSE
        s.sendall(REQ_KEEP if keep else REQ_CLOSE)
        data = b""
        while len(data) < len(want):  # the whole response, then (close) EOF
            b = s.recv(4096)
            if not b:
                break
            data += b
        if keep and data == want:
            s.shutdown(socket.SHUT_WR)  # we close first; tern answers with its FIN
        tail = b""
        while len(tail) < 4096:
            b = s.recv(4096)
            if not b:
                break
            tail += b
        results[i] = ("ok" if data == want and not tail
                      else "wrong response %r + %r" % (data[:200], tail[:100]))
    except Exception as e:
        results[i] = "error %r" % e
        for b in (connected, go):
            b.abort()
    finally:
        if s:
            s.close()

threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(N)]
t0 = time.monotonic()
for t in threads:
    t.start()
try:
    connected.wait()
    time.sleep(0.1)  # the engine refreshes its gauges once per poll loop
    st = stats()
    c.gauge(st, GAUGE_LIVE, N)
    states = telemetry("/tern/states")
    c.eq(states.get("total", {}).get("ESTABLISHED"), N, "/tern/states total ESTABLISHED")
    go.wait()
except threading.BrokenBarrierError:
    c.ok(False, "a client failed before all %d were connected" % N)
for t in threads:
    t.join(timeout=max(0.1, 30 - (time.monotonic() - t0)))
t_done = time.monotonic()
errors = [r for r in results if r != "ok"]
c.ok(not errors, "%d concurrent connections, exact response then EOF (%d bad%s) in %.2f s" % (
    N, len(errors), (": " + "; ".join(str(e) for e in errors[:3])) if errors else "",
    t_done - t0))

# 2*MSL after the last close, plus margin: nothing left on tern's side.
time.sleep(2 * int(os.environ["MSL_MS"]) / 1000.0 + 0.5)
s1 = stats()
c.gauge(s1, GAUGE_LIVE, 0)
c.gauge(s1, GAUGE_TW, 0)
TW = 1000 + N // 2  # tern closed first: curl's and the even python ones
c.counters(s0, s1, {"tcp_passive_opens": 1000 + N, "tcp_established": 1000 + N,
                    "tcp_conn_closed": 1000 + N, "tcp_tw_created": TW, "tcp_peer_fins": 1000 + N,
                    "tcp_tw_killed_by_rst": 0,
                    "tcp_tw_pool_exhausted": 0, "tcp_conn_reset": 0, "tcp_conn_aborted": 0,
                    "tcp_rst_sent": 0, "tcp_rto_timeouts": 0, "tcp_syn_backlog_drops": 0,
                    "tcp_accept_queue_overflow": 0, "tx_full_drops": 0, "tx_no_mbuf": 0})
# Every record ended by 2MSL, or earlier by a new SYN on its tuple: the
# kernel may pick a port again at once (its side of these closed without
# TIME_WAIT), which RFC 6191 lets reuse the record.
try:
    ended = ((s1["tcp_tw_expired"] - s0["tcp_tw_expired"])
             + (s1["tcp_tw_reuse"] - s0["tcp_tw_reuse"]))
    c.eq(ended, TW, "TIME_WAIT records ended: expired (%d) + reused by a new SYN (%d)" % (
        s1["tcp_tw_expired"] - s0["tcp_tw_expired"], s1["tcp_tw_reuse"] - s0["tcp_tw_reuse"]))
except MissingCounter as e:
    c.ok(False, str(e))
states = telemetry("/tern/states").get("total", {})
c.ok(states and all(v == 0 for v in states.values()), "/tern/states all zero: %s" % states)
for n in ["tcp_retransmits", "tcp_synack_retransmits", "tcp_out_of_window", "tcp_bytes_delivered"]:
    if n in s1:
        print("info: delta %s = %d" % (n, s1[n] - s0[n]))
c.finish()
PY

stop_rc=0; tern_stop || stop_rc=$?
[ "$stop_rc" -eq 0 ] || fail "tern exited $stop_rc on SIGTERM"
if [ "$rc" -ne 0 ]; then echo "--- tern log"; tail -5 "$TERN_LOG"; echo "FAIL: tcp_http_load"; exit 1; fi
echo "PASS: tcp_http_load"
