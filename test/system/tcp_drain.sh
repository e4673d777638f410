#!/usr/bin/env bash
# Graceful shutdown: on SIGTERM tern stops accepting (a new SYN gets a RST:
# connection refused), sends FIN on established connections (the clients
# read EOF), waits for them within engine.drain_ms, then exits 0.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/netns.sh"
tern_require_netadmin
tern_ns_up "tern-sys-drain-$$" --set listen.port=80 --set listen.app=http --set engine.drain_ms=3000
fail() { echo "FAIL: $*" >&2; cat "$TERN_LOG" >&2; exit 1; }

out=$(mktemp)
# Three idle keep-alive connections, then (after SIGTERM) a new connect.
tern_ns /usr/bin/python3 - "$TERN_ENGINE_IP" >"$out" 2>&1 <<'PY' &
import socket, sys, time
host = sys.argv[1]
conns = [socket.create_connection((host, 80), timeout=5) for _ in range(3)]
for c in conns:   # one request each, keep-alive: the conn stays ESTABLISHED
    c.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    c.recv(4096)
print("held", flush=True)
time.sleep(1.5)   # SIGTERM arrives meanwhile
eofs = 0
for c in conns:
    c.settimeout(3)
    if c.recv(4096) == b"":
        eofs += 1
print("eofs", eofs, flush=True)
# The new connection is tried while the last held one is still open on our
# side: tern ends its drain as soon as no connection is left, and a SYN sent
# after it exits gets no answer at all.
conns[0].close()
conns[1].close()
try:
    socket.create_connection((host, 80), timeout=2)
    print("new: accepted", flush=True)
except ConnectionRefusedError:
    print("new: refused", flush=True)
except OSError as e:
    print("new:", e, flush=True)
conns[2].close()
PY
client=$!
for _ in $(seq 1 50); do grep -q held "$out" && break; sleep 0.1; done
grep -q held "$out" || fail "clients did not connect: $(cat "$out")"
kill -TERM "$TERN_PID"
wait "$client" || true
cat "$out"
grep -q "eofs 3" "$out" || fail "not every held connection got a FIN"
grep -q "new: refused" "$out" || fail "a new connection during the drain was not refused"
rc=0; tern_stop || rc=$?
[ "$rc" -eq 0 ] || fail "tern exited $rc"
grep -q "tern: drained in .* 0 connection(s) left" "$TERN_LOG" || fail "drain did not finish cleanly"
grep '^tern: drained' "$TERN_LOG"
echo PASS
