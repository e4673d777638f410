#!/usr/bin/env bash
# bench/pktgen: the committed pcaps are exactly what make_pcaps.py writes
# (regenerated into a temp dir, compared byte for byte), and they contain what
# bench/pktgen/README.md says:
#   synflood.pcap: 4096 frames; handshake_request.pcap: 254 frames, clients
#   198.18.1.1 .. 198.18.1.254 in order, sports 32768..60999;
#   every frame 74 bytes: Ethernet II dst 02:00:c6:12:00:02 src
#   02:00:c6:13:00:01, IPv4 ihl 5, DF, TTL 64, dst 198.18.0.2, sources in
#   198.19.0.0/16 (flood, distinct, sports 1024..65535) or 198.18.1.0/24,
#   every address in 198.18.0.0/15, TCP dport 80, flags exactly SYN, ack 0,
#   window 64240, options MSS 1460, SAckOK, Timestamp(x, 0), NOP, WScale 7 in
#   that order, no payload, valid IP and TCP checksums (recomputed by scapy),
#   no 4-tuple twice.
# The Lua scripts parse (luac -p, when a luac is installed: Debian lua5.4),
# and every *.pcap they or the README name exists in bench/pktgen.
# Needs /usr/bin/python3 with scapy; no root, no network; never skips.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(cd "$HERE/../../bench/pktgen" && pwd)
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$PY" "$DIR/make_pcaps.py" "$TMP"
for f in synflood.pcap handshake_request.pcap; do
    cmp "$DIR/$f" "$TMP/$f" || { echo "FAIL: $f differs from make_pcaps.py output" >&2; exit 1; }
done
echo "ok: pcaps regenerate byte-identical"

"$PY" - "$DIR" <<'PYEOF'
import ipaddress, sys
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.utils import rdpcap

d = sys.argv[1]
BENCH = ipaddress.ip_network("198.18.0.0/15")
OPTS = ["MSS", "SAckOK", "Timestamp", "NOP", "WScale"]

def fail(msg):
    sys.exit("FAIL: " + msg)

def check(name, count, net, sport_lo, sport_hi):
    pkts = rdpcap(f"{d}/{name}")
    if len(pkts) != count:
        fail(f"{name}: {len(pkts)} frames, README says {count}")
    tuples, srcs = set(), []
    for i, p in enumerate(pkts):
        where = f"{name} frame {i}"
        raw = bytes(p)
        if len(raw) != 74:
            fail(f"{where}: {len(raw)} bytes, expected 74")
        e = Ether(raw)
        if e.dst != "02:00:c6:12:00:02" or e.src != "02:00:c6:13:00:01" or e.type != 0x0800:
            fail(f"{where}: Ethernet {e.dst} {e.src} {e.type:#x}")
        ip, tcp = e[IP], e[TCP]
        src, dst = ipaddress.ip_address(ip.src), ipaddress.ip_address(ip.dst)
        if src not in net or src not in BENCH or dst not in BENCH:
            fail(f"{where}: source {src} outside {net} (or outside {BENCH})")
        if str(dst) != "198.18.0.2" or tcp.dport != 80:
            fail(f"{where}: destination {dst}:{tcp.dport}")
        if ip.ihl != 5 or ip.ttl != 64 or ip.flags != "DF" or ip.frag != 0 or ip.proto != 6:
            fail(f"{where}: IP header ihl {ip.ihl} ttl {ip.ttl} flags {ip.flags}")
        if int(tcp.flags) != 0x02:
            fail(f"{where}: TCP flags {tcp.flags}, expected exactly S")
        if tcp.ack != 0 or tcp.window != 64240 or len(tcp.payload) != 0:
            fail(f"{where}: ack {tcp.ack} window {tcp.window} payload {len(tcp.payload)}")
        if not sport_lo <= tcp.sport <= sport_hi:
            fail(f"{where}: source port {tcp.sport} outside {sport_lo}..{sport_hi}")
        names = [o[0] for o in tcp.options]
        if names != OPTS:
            fail(f"{where}: options {names}, expected {OPTS}")
        o = dict((k, v) for k, v in tcp.options)
        if o["MSS"] != 1460 or o["WScale"] != 7 or o["Timestamp"][1] != 0:
            fail(f"{where}: option values {tcp.options}")
        # Checksums: let scapy recompute them and compare with the stored ones.
        ic, tc = ip.chksum, tcp.chksum
        ip2 = IP(raw[14:]); del ip2.chksum; del ip2[TCP].chksum
        ip2 = IP(bytes(ip2))
        if ip2.chksum != ic:
            fail(f"{where}: IP checksum {ic:#x}, recomputed {ip2.chksum:#x}")
        if ip2[TCP].chksum != tc:
            fail(f"{where}: TCP checksum {tc:#x}, recomputed {ip2[TCP].chksum:#x}")
        t = (ip.src, tcp.sport, ip.dst, tcp.dport)
        if t in tuples:
            fail(f"{where}: 4-tuple {t} repeated")
        tuples.add(t)
        srcs.append(src)
    print(f"ok: {name}: {count} SYNs from {net} to 198.18.0.2:80, checksums and options valid")
    return srcs

srcs = check("synflood.pcap", 4096, ipaddress.ip_network("198.19.0.0/16"), 1024, 65535)
if len(set(srcs)) != 4096:
    fail("synflood.pcap: sources not all distinct")
for s in srcs:
    if str(s) in ("198.19.0.0", "198.19.255.255"):
        fail(f"synflood.pcap: source {s} is the network or broadcast address")
srcs = check("handshake_request.pcap", 254, ipaddress.ip_network("198.18.1.0/24"), 32768, 60999)
if [str(s) for s in srcs] != [f"198.18.1.{h}" for h in range(1, 255)]:
    fail("handshake_request.pcap: clients are not 198.18.1.1 .. 198.18.1.254 in order")
PYEOF

# Every pcap the scripts or the README name must exist.
for f in $(grep -ohE '[A-Za-z0-9_.-]+\.pcap' "$DIR"/*.lua "$DIR/README.md" | sort -u); do
    [[ $f == mine.pcap || $f == pktgen.pcap ]] && continue  # tcprewrite example; the pktgen.pcap() call
    [[ -f $DIR/$f ]] || { echo "FAIL: $f is named but not in bench/pktgen" >&2; exit 1; }
done
grep -q 'synflood.pcap' "$DIR/synflood.lua" || { echo "FAIL: synflood.lua does not name synflood.pcap" >&2; exit 1; }
echo "ok: every pcap named by the scripts and README exists"

# The pktgen API names the scripts call (checked against app/lpktgenlib.c of
# Pktgen-DPDK); a typo here would only show on a machine with pktgen.
known='^(pktgen\.(screen|clr|set|pcap|start|stop|sleep|delay|quit|portStats|set_proto|set_tcp_flags|set_range|run)|pktgen\.range\.(dst_mac|src_ip|dst_ip|ip_proto|src_port|dst_port|pkt_size))$'
for f in "$DIR"/*.lua; do
    for call in $(grep -v '^ *--' "$f" | grep -oE 'pktgen(\.[A-Za-z_]+)+' | sort -u); do
        [[ $call =~ $known ]] || { echo "FAIL: $(basename "$f") calls unknown $call" >&2; exit 1; }
    done
    grep -q 'pktgen.quit()' "$f" || { echo "FAIL: $(basename "$f") never quits" >&2; exit 1; }
done
echo "ok: Lua scripts call only known pktgen API names and quit"

LUAC=
for c in luac luac5.4 luac5.3 luac5.1; do
    if command -v "$c" >/dev/null; then LUAC=$c; break; fi
done
if [[ -n $LUAC ]]; then
    for f in "$DIR"/*.lua; do "$LUAC" -p "$f"; done
    echo "ok: Lua scripts parse ($LUAC -p)"
else
    echo "note: no luac installed (Debian package lua5.4); Lua syntax not checked"
fi
echo "PASS"
