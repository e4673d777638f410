#!/usr/bin/python3
"""Write the pcaps that bench/pktgen/*.lua replay with DPDK pktgen.

Deterministic: a fixed random seed and fixed timestamps, so running this
again writes byte-identical files (test/system/pktgen_pcaps.sh checks it).

  synflood.pcap           SYN_COUNT SYNs, each from its own address drawn
                          from 198.19.0.0/16, random source port and ISN,
                          to 198.18.0.2:80, Linux SYN options.
  handshake_request.pcap  one SYN per client 198.18.1.1 .. 198.18.1.254
                          to 198.18.0.2:80 (SYN only: see README.md).

Usage: make_pcaps.py [OUTDIR]   (default: this script's directory)
"""
import os
import random
import sys

from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.utils import wrpcap

SEED = 0x7E2E
SYN_COUNT = 4096
# Placeholders: set TERN_MAC to tern's port MAC (or rewrite the pcaps, e.g.
# tcprewrite --enet-dmac=...); GEN_MAC is the pktgen port (locally
# administered, never on the wire unless you replay these files as they are).
TERN_MAC = "02:00:c6:12:00:02"
GEN_MAC = "02:00:c6:13:00:01"
DST_IP = "198.18.0.2"
DST_PORT = 80
FLOOD_NET = (198 << 24) | (19 << 16)       # 198.19.0.0/16
CLIENT_NET = (198 << 24) | (18 << 16) | (1 << 8)  # 198.18.1.0/24
TIME0 = 1700000000                          # fixed pcap timestamps


def ip_str(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def linux_syn(rng, src, sport):
    """A SYN as Linux 6.x sends it: MSS 1460, SACK permitted, timestamps,
    NOP, window scale 7; window 64240; DF; TTL 64."""
    opts = [("MSS", 1460), ("SAckOK", b""),
            ("Timestamp", (rng.getrandbits(32), 0)), ("NOP", None), ("WScale", 7)]
    pkt = (Ether(dst=TERN_MAC, src=GEN_MAC) /
           IP(src=src, dst=DST_IP, ttl=64, flags="DF", id=rng.getrandbits(16)) /
           TCP(sport=sport, dport=DST_PORT, flags="S", seq=rng.getrandbits(32),
               window=64240, options=opts))
    # Build once so the checksums and lengths are computed and frozen.
    return Ether(bytes(pkt))


def synflood(rng):
    hosts = rng.sample(range(1, 65535), SYN_COUNT)  # 198.19.0.1 .. 198.19.255.254
    pkts = []
    for i, h in enumerate(hosts):
        p = linux_syn(rng, ip_str(FLOOD_NET | h), rng.randint(1024, 65535))
        p.time = TIME0 + i * 1e-6
        pkts.append(p)
    return pkts


def handshake_request(rng):
    pkts = []
    for i, h in enumerate(range(1, 255)):           # 198.18.1.1 .. 198.18.1.254
        p = linux_syn(rng, ip_str(CLIENT_NET | h), rng.randint(32768, 60999))
        p.time = TIME0 + i * 1e-3
        pkts.append(p)
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(SEED)
    wrpcap(os.path.join(out, "synflood.pcap"), synflood(rng))
    wrpcap(os.path.join(out, "handshake_request.pcap"), handshake_request(rng))


if __name__ == "__main__":
    main()
