#!/usr/bin/env bash
# echo app: 10 MB of random bytes through one connection and back, byte-
# exact (SHA-256 and length of what came back = what was sent), the client
# sending and reading at the same time; then the client's FIN is answered
# by tern's (EOF), within 40 s in all. Counters: one connection, 10 MB
# delivered, no abort, RST or reset; gauges back to 0.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
tern_require_netadmin
NS=tern-sys-echo-$$
tern_ns_up "$NS" --set listen.port=7 --set listen.app=echo
export TERN_PREFIX
rc=0

tern_ns env PYTHONPATH="$HERE" timeout 60 /usr/bin/python3 - <<'PY' || rc=1
import hashlib, os, socket, time
from tcp_sys import *

c = Checks("tcp_echo")
SIZE = 10 * 1024 * 1024
LIMIT = 40.0
payload = os.urandom(SIZE)
want = hashlib.sha256(payload).hexdigest()
s0 = stats()

s = socket.create_connection((ENGINE_IP, 7), timeout=10)
t0 = time.monotonic()
r = echo_roundtrip(s, payload, t0 + LIMIT)
dt = time.monotonic() - t0
s.close()
c.ok(r.send_err is None, "sender finished without error (%s)" % r.send_err)
c.ok(r.recv_err is None, "reader finished without error (%s)" % r.recv_err)
c.eq(r.got, SIZE, "bytes echoed back")
c.eq(r.sha256, want, "SHA-256 of the echoed bytes")
complete = r.got == SIZE and r.send_err is None and r.recv_err is None
c.ok(r.eof and complete, "EOF (tern's FIN) after the whole echo, no error")
c.ok(complete and dt < LIMIT, "10 MB round trip in %.2f s (%.1f MB/s each way; limit %.0f s)" % (
    dt, SIZE / dt / 1e6, LIMIT))
time.sleep(0.3)
s1 = stats()
c.counters(s0, s1, {"tcp_established": 1, "tcp_conn_closed": 1, "tcp_bytes_delivered": SIZE,
                    "tcp_conn_aborted": 0, "tcp_conn_reset": 0, "tcp_rst_sent": 0,
                    "tcp_send_chunks_exhausted": 0})
c.gauge(s1, GAUGE_LIVE, 0)
for n in ["tcp_retransmits", "tcp_out_of_window", "tcp_ooo_queued", "tcp_ooo_dropped",
          "tcp_segments_in", "tcp_segments_out"]:
    if n in s1:
        print("info: delta %s = %d" % (n, s1[n] - s0[n]))
c.finish()
PY

stop_rc=0; tern_stop || stop_rc=$?
[ "$stop_rc" -eq 0 ] || { echo "FAIL: tcp_echo: tern exited $stop_rc on SIGTERM"; rc=1; }
if [ "$rc" -ne 0 ]; then echo "--- tern log"; tail -5 "$TERN_LOG"; echo "FAIL: tcp_echo"; exit 1; fi
echo "PASS: tcp_echo"
