#!/usr/bin/env bash
# tern on net_tap in a fresh namespace: the kernel's ping and arping get
# answers from the engine, malformed frames are dropped and counted by
# reason while it keeps answering, SIGTERM exits 0, the namespace is gone.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/netns.sh"
tern_require_netadmin
NS=tern-sys-ping-$$
tern_ns_up "$NS"

fail() { echo "FAIL: $*" >&2; cat "$TERN_LOG" >&2; exit 1; }

tern_ns ping -c 5 -i 0.2 -W 2 "$TERN_ENGINE_IP" || fail "ping got no replies"
out=$(tern_ns arping -c 3 -w 5 -I "$TERN_IFACE" "$TERN_ENGINE_IP") || fail "arping: $out"
echo "$out" | grep -qi "reply from $TERN_ENGINE_IP \[$TERN_ENGINE_MAC\]" ||
    fail "arping reply does not carry the engine MAC: $out"

# Malformed frames from the kernel side, each of a known drop reason.
tern_ns /usr/bin/python3 - "$TERN_IFACE" "$TERN_ENGINE_MAC" "$TERN_KERNEL_MAC" <<'PY'
import sys
from scapy.all import Ether, IP, ICMP, TCP, Raw, sendp, raw
iface, emac, kmac = sys.argv[1:4]
eth = Ether(src=kmac, dst=emac)
src, dst = "198.18.0.1", "198.18.0.2"
frames = []
# 2x bad checksum: IPv4 header checksum, then ICMP checksum.
frames.append(eth / IP(src=src, dst=dst, chksum=0x1234) / ICMP())
frames.append(eth / IP(src=src, dst=dst) / ICMP(chksum=0x1234) / Raw(b"x" * 8))
# 2x truncated: IPv4 total length beyond the frame; a TCP header cut short.
b = bytearray(raw(eth / IP(src=src, dst=dst) / ICMP() / Raw(b"y" * 40)))
frames.append(Ether(bytes(b[:14 + 20 + 10])))
frames.append(eth / IP(src=src, dst=dst, proto=6) / Raw(b"\x00" * 12))
# 1x fragment.
frames.append(eth / IP(src=src, dst=dst, flags="MF") / ICMP() / Raw(b"z" * 16))
# 1x malformed: IP version 5.
frames.append(eth / IP(src=src, dst=dst, version=5) / ICMP())
# 1x land (source is the engine's own address).
frames.append(eth / IP(src=dst, dst=dst) / ICMP())
for f in frames:
    sendp(f, iface=iface, verbose=False)
PY
sleep 0.5
tern_ns ping -c 2 -i 0.2 -W 2 "$TERN_ENGINE_IP" || fail "no ping replies after malformed frames"

stats=$(tern_telemetry /tern/stats)
echo "telemetry: $stats"
echo "$stats" | grep -q '"drop_bad_checksum": 2' || fail "drop_bad_checksum != 2"
echo "$stats" | grep -q '"drop_truncated": 2' || fail "drop_truncated != 2"
echo "$stats" | grep -q '"drop_fragment": 1' || fail "drop_fragment != 1"
echo "$stats" | grep -q '"drop_malformed": 1' || fail "drop_malformed != 1"
echo "$stats" | grep -q '"drop_bad_address": 1' || fail "drop_bad_address != 1"
echo "$stats" | grep -q '"icmp_echo_replies": 7' || fail "icmp_echo_replies != 7"

rc=0; tern_stop || rc=$?
[ "$rc" -eq 0 ] || fail "tern exited $rc on SIGTERM"
grep -q '^tern: final ' "$TERN_LOG" || fail "no final counters"
[ "$(tern_counter icmp_echo_replies)" = 7 ] || fail "final icmp_echo_replies != 7"
tern_cleanup
ip netns list | grep -q "$NS" && fail "namespace $NS left behind"
echo "PASS"
