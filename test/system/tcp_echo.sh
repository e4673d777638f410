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
import hashlib, os, socket, threading, time
from tcp_sys import *

c = Checks("tcp_echo")
SIZE = 10 * 1024 * 1024
LIMIT = 40.0
payload = os.urandom(SIZE)
want = hashlib.sha256(payload).hexdigest()
s0 = stats()

s = socket.create_connection((ENGINE_IP, 7), timeout=10)
s.settimeout(LIMIT)
t0 = time.monotonic()
send_err = []

def sender():
    try:
        mv = memoryview(payload)
        for off in range(0, SIZE, 65536):
            s.sendall(mv[off:off + 65536])
            if time.monotonic() - t0 > LIMIT:
                raise TimeoutError("sending took more than %.0f s" % LIMIT)
        s.shutdown(socket.SHUT_WR)
    except Exception as e:
        send_err.append(repr(e))

th = threading.Thread(target=sender, daemon=True)
th.start()
h = hashlib.sha256()
got = 0
eof = False
recv_err = None
try:
    while time.monotonic() - t0 < LIMIT:
        b = s.recv(1 << 20)
        if not b:
            eof = True
            break
        h.update(b)
        got += len(b)
except Exception as e:
    recv_err = repr(e)
dt = time.monotonic() - t0
th.join(timeout=5)
s.close()
c.ok(not send_err, "sender finished without error %s" % send_err)
c.ok(recv_err is None, "reader finished without error (%s)" % recv_err)
c.eq(got, SIZE, "bytes echoed back")
c.eq(h.hexdigest(), want, "SHA-256 of the echoed bytes")
complete = got == SIZE and not send_err and recv_err is None
c.ok(eof and complete, "EOF (tern's FIN) after the whole echo, no error")
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
