#!/usr/bin/env bash
# On hugepages, DPDK secondary processes can attach to a running tern:
# dpdk-dumpcap captures the engine's own ARP and ICMP replies on its port
# (pdump is initialised by tern). With --no-huge they cannot, which is why
# this test runs tern on hugepages (scripts/setup.sh reserves them).
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib/netns.sh"
tern_require_netadmin
if [ "$(cat /proc/sys/vm/nr_hugepages)" -lt 64 ] || ! grep -q hugetlbfs /proc/mounts; then
    [ "${CI:-}" = "true" ] && { echo "FAIL: no hugepages (scripts/setup.sh reserves them)"; exit 1; }
    echo "SKIP: no hugepages"; exit 77
fi
NS=tern-sys-pdump-$$
TERN_NS=$NS; TERN_PREFIX=$NS
TERN_LOG=$(mktemp); PCAP=$(mktemp --suffix=.pcapng)
trap 'tern_cleanup; rm -f "$PCAP"' EXIT
ip netns add "$NS"
ip netns exec "$NS" "$TERN_BIN" -m 256 --no-pci -l 0,1 --file-prefix="$NS" \
    --vdev="net_tap0,iface=$TERN_IFACE,mac=$TERN_ENGINE_MAC" -- \
    --set engine.address="$TERN_ENGINE_IP/24" >"$TERN_LOG" 2>&1 &
TERN_PID=$!
for _ in $(seq 1 100); do grep -q "worker(s)" "$TERN_LOG" && break; sleep 0.1; done
grep -q "worker(s)" "$TERN_LOG" || { cat "$TERN_LOG"; echo "FAIL: tern did not start"; exit 1; }
tern_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1
tern_ns ip link set "$TERN_IFACE" address "$TERN_KERNEL_MAC"
tern_ns ip addr add "$TERN_KERNEL_IP/24" dev "$TERN_IFACE"
tern_ns ip link set "$TERN_IFACE" up

timeout 30 dpdk-dumpcap --file-prefix="$NS" -i net_tap0 -f icmp -c 4 -w "$PCAP" >/dev/null 2>&1 &
dc=$!
sleep 2
tern_ns ping -c 2 -i 0.3 -W 2 "$TERN_ENGINE_IP" >/dev/null || { echo "FAIL: ping"; exit 1; }
rc=0; wait $dc || rc=$?
[ $rc -eq 0 ] || { echo "FAIL: dpdk-dumpcap exited $rc"; exit 1; }
out=$(tcpdump -nn -r "$PCAP" 2>/dev/null)
echo "$out"
[ "$(echo "$out" | grep -c 'ICMP echo request')" -eq 2 ] || { echo "FAIL: requests not captured"; exit 1; }
[ "$(echo "$out" | grep -c "$TERN_ENGINE_IP > $TERN_KERNEL_IP: ICMP echo reply")" -eq 2 ] ||
    { echo "FAIL: the engine's replies were not captured"; exit 1; }
rc=0; tern_stop || rc=$?
[ $rc -eq 0 ] || { echo "FAIL: tern exited $rc"; exit 1; }
echo PASS
