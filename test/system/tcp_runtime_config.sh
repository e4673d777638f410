#!/usr/bin/env bash
# Run-time configuration over the control channel: /tern/set changes a TCP
# tunable on every worker (tcp.syncookies 1 -> 2: the next SYN is answered
# with a cookie and the connection completes on it); keys that sized
# per-core structures, unknown keys and bad values are refused with a reason.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/netns.sh"
tern_require_netadmin
tern_ns_up "tern-sys-rtcfg-$$" --set listen.port=80 --set listen.app=http
fail() { echo "FAIL: $*" >&2; cat "$TERN_LOG" >&2; exit 1; }
stat() { tern_telemetry /tern/stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['/tern/stats']['$1'])"; }

[ "$(tern_ns curl -sS -m 5 "http://$TERN_ENGINE_IP/")" = "hello from tern" ] || fail "curl before"
[ "$(stat tcp_syncookies_sent)" = 0 ] || fail "cookies before the change"

out=$(tern_telemetry /tern/set,tcp.syncookies=2)
echo "$out"
echo "$out" | grep -q '"key": "tcp.syncookies", "value": "2"' || fail "set tcp.syncookies=2: $out"
[ "$(tern_ns curl -sS -m 5 "http://$TERN_ENGINE_IP/")" = "hello from tern" ] || fail "curl after"
[ "$(stat tcp_syncookies_sent)" = 1 ] || fail "the SYN after the change was not answered by a cookie"
[ "$(stat tcp_syncookies_ok)" = 1 ] || fail "the cookie ACK did not complete the handshake"

for bad in tcp.max_tw_buckets=128 tcp.nope=1 tcp.syncookies=7 engine.burst=8; do
    out=$(tern_telemetry "/tern/set,$bad")
    echo "$bad -> $out"
    echo "$out" | grep -q '"error"' || fail "$bad was accepted"
done
rc=0; tern_stop || rc=$?
[ $rc -eq 0 ] || fail "tern exited $rc"
echo PASS
