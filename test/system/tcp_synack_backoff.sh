#!/usr/bin/env bash
# SYN-ACK backoff on the wire: with tcp.synack_retries=3, one SYN that is
# never ACKed gets the SYN-ACK at 0 s and again at 1, 3 and 7 s (+-150 ms),
# every copy with the same seq and ack = ISN+1; the half-open entry is gone
# at 15 s (synack_timeouts, live gauge back to 0) and nothing more is sent;
# a late ACK of the old SYN-ACK then gets <SEQ=SEG.ACK><CTL=RST>.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
tern_require_netadmin
NS=tern-sys-synack-$$
tern_ns_up "$NS" --set listen.port=80 --set listen.app=http --set tcp.synack_retries=3
tern_ns_drop_kernel_rsts
export TERN_PREFIX

rc=0
tern_ns env PYTHONPATH="$HERE" timeout 60 /usr/bin/python3 - <<'PY' || rc=$?
import random, time
from tcp_sys import *
from scapy.all import IP, TCP

c = Checks("tcp_synack_backoff")
TOL = 0.150
w = Wire("tcp and src host %s and src port 80" % ENGINE_IP)
sport = random.randint(20000, 60000)
isn = random.getrandbits(32)
s0 = stats()
t_syn = w.send(IP(src=KERNEL_IP, dst=ENGINE_IP) /
               TCP(sport=sport, dport=80, flags="S", seq=isn, window=64240,
                   options=[("MSS", 1460)]))

first = w.recv(tcp_from(80, sport), timeout=1.0)
if not c.ok(first is not None, "SYN-ACK for the SYN"):
    c.finish()
t0 = float(first.time)
c.ok(0 <= t0 - t_syn < 0.2, "first SYN-ACK %.3f s after the SYN (0..0.2)" % (t0 - t_syn))

def collect_until(t_abs):
    left = t_abs - time.time()
    return w.drain(left) if left > 0 else []

got = [first] + collect_until(t0 + 14.6)
s1 = stats()  # entry must still be there (last backoff expires at 15 s)
got += collect_until(t0 + 15.6)
s2 = stats()  # entry gone
got += collect_until(t0 + 17.5)

for p in got:
    print("  " + fmt(p))
synacks = [p for p in got if TCP in p and p[TCP].dport == sport]
c.eq(len(got) - len(synacks), 0, "segments from port 80 to any other port")
c.eq(len(synacks), 4, "SYN-ACKs in 17.5 s (initial + synack_retries=3)")
c.ok(all(flags_of(p) == "SA" for p in synacks), "every copy has flags SA only")
c.eq(sorted({p[TCP].ack for p in synacks}), [(isn + 1) & 0xFFFFFFFF], "ack of every copy")
seqs = {p[TCP].seq for p in synacks}
c.eq(len(seqs), 1, "distinct seq values among the copies")
for i, want in enumerate([1.0, 3.0, 7.0], start=1):
    if i < len(synacks):
        c.near(float(synacks[i].time) - t0, want, TOL, "retransmission %d at" % i)

c.counters(s0, s1, {"tcp_passive_opens": 1, "tcp_synack_retransmits": 3,
                    "tcp_synack_timeouts": 0})
c.gauge(s1, GAUGE_LIVE, 1)
c.counters(s0, s2, {"tcp_synack_retransmits": 3, "tcp_synack_timeouts": 1, "tcp_established": 0})
c.gauge(s2, GAUGE_LIVE, 0)

# A late ACK of the dropped entry's SYN-ACK: the listener answers RST with
# seq = SEG.ACK and no ACK flag (RFC 9293 3.10.7.2).
y = first[TCP].seq
s3 = stats()
w.send(IP(src=KERNEL_IP, dst=ENGINE_IP) /
       TCP(sport=sport, dport=80, flags="A", seq=(isn + 1) & 0xFFFFFFFF,
           ack=(y + 1) & 0xFFFFFFFF, window=64240))
rst = w.recv(tcp_from(80, sport), timeout=1.0)
if c.ok(rst is not None, "reply to the late ACK"):
    print("  " + fmt(rst))
    c.eq(flags_of(rst), "R", "flags of the reply")
    c.eq(rst[TCP].seq, (y + 1) & 0xFFFFFFFF, "RST seq (= the ACK's ack number)")
more = w.drain(0.5)
c.eq(len(more), 0, "further segments after the RST")
s4 = stats()
c.counters(s3, s4, {"tcp_listen_ack_rst": 1, "tcp_rst_sent": 1, "tcp_passive_opens": 0})
c.gauge(s4, GAUGE_LIVE, 0)
w.close()
c.finish()
PY

stop_rc=0; tern_stop || stop_rc=$?
[ "$stop_rc" -eq 0 ] || { echo "FAIL: tern_synack_backoff: tern exited $stop_rc on SIGTERM"; rc=1; }
if [ "$rc" -ne 0 ]; then echo "--- tern log"; cat "$TERN_LOG"; echo "FAIL: tcp_synack_backoff"; exit 1; fi
echo "PASS: tcp_synack_backoff"
