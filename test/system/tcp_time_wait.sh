#!/usr/bin/env bash
# TIME_WAIT on the wire, on tern's side (it closes first): a scapy client
# sends "GET / ... Connection: close", gets the response and tern's FIN
# (seq/ack exact), ACKs them (tern in FIN_WAIT_2), sends its own FIN and gets
# the final ACK (tern in TIME_WAIT: one record, no TCB). A retransmitted FIN
# is re-ACKed with the same seq/ack and restarts 2*MSL (tcp.msl_ms=1000):
# the record outlives the first deadline and is gone 2 s after the re-ACK;
# then the same FIN reaches the listener and gets <SEQ=SEG.ACK><CTL=RST>.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
tern_require_netadmin
NS=tern-sys-tw-$$
tern_ns_up "$NS" --set listen.port=80 --set listen.app=http --set tcp.msl_ms=1000
tern_ns_drop_kernel_rsts
export TERN_PREFIX

rc=0
tern_ns env PYTHONPATH="$HERE" timeout 60 /usr/bin/python3 - <<'PY' || rc=$?
import random, time
from tcp_sys import *
from scapy.all import IP, TCP, Raw

c = Checks("tcp_time_wait")
M = 0xFFFFFFFF
MSL2 = 2.0  # 2 * tcp.msl_ms
REQ = b"GET / HTTP/1.1\r\nHost: 198.18.0.2\r\nConnection: close\r\n\r\n"
RESP = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
        b"Connection: close\r\n\r\nhello from tern\n")
w = Wire("tcp and src host %s and src port 80" % ENGINE_IP)
sport = random.randint(20000, 60000)
isn = random.getrandbits(32)
ip = IP(src=KERNEL_IP, dst=ENGINE_IP)
def seg(flags, seq, ack, data=b""):
    t = ip / TCP(sport=sport, dport=80, flags=flags, seq=seq & M, ack=ack & M, window=64240)
    return t / Raw(data) if data else t
mine = tcp_from(80, sport)
s0 = stats()

def fail_out(msg):
    c.ok(False, msg)
    for p in w.seen:
        print("  " + fmt(p))
    c.finish()

# Handshake.
w.send(ip / TCP(sport=sport, dport=80, flags="S", seq=isn, window=64240,
                options=[("MSS", 1460)]))
sa = w.recv(mine, 1.0)
if sa is None or flags_of(sa) != "SA" or sa[TCP].ack != (isn + 1) & M:
    fail_out("SYN-ACK with ack = ISN+1")
y = sa[TCP].seq
c.ok(True, "SYN-ACK seq %d ack %d" % (y, sa[TCP].ack))
w.send(seg("A", isn + 1, y + 1))
w.send(seg("PA", isn + 1, y + 1, REQ))
cseq = isn + 1 + len(REQ)  # our next sequence number

# The response and tern's FIN (maybe on the same segment), in order.
data = b""
fin = None
end = time.monotonic() + 2.0
while fin is None and time.monotonic() < end:
    p = w.recv(mine, end - time.monotonic())
    if p is None:
        break
    print("  " + fmt(p))
    t = p[TCP]
    c.eq(t.ack, cseq & M, "ack on tern's segment (acknowledges the request)")
    c.eq(t.seq, (y + 1 + len(data)) & M, "seq of tern's segment (in order)")
    data += bytes(t.payload)
    if "F" in flags_of(p):
        fin = p
if fin is None:
    fail_out("tern sent no FIN within 2 s of the request")
c.eq(data, RESP, "response bytes")
fin_seq = (y + 1 + len(RESP)) & M  # the FIN's own sequence number
c.eq((fin[TCP].seq + len(fin[TCP].payload)) & M, fin_seq, "FIN sequence number")

# ACK everything including tern's FIN: tern goes to FIN_WAIT_2.
w.send(seg("A", cseq, fin_seq + 1))
stray = w.drain(0.3)
c.eq([fmt(p) for p in stray], [], "segments after our ACK of the FIN")
s1 = stats()
c.gauge(s1, GAUGE_LIVE, 1)
c.gauge(s1, GAUGE_TW, 0)

# Our FIN: tern ACKs it and enters TIME_WAIT.
t_fin = w.send(seg("FA", cseq, fin_seq + 1))
a1 = w.recv(mine, 1.0)
if a1 is None:
    fail_out("no ACK for our FIN")
print("  " + fmt(a1))
c.eq(flags_of(a1), "A", "flags of the final ACK")
c.eq((a1[TCP].seq, a1[TCP].ack, len(a1[TCP].payload)), (fin_seq + 1, (cseq + 1) & M, 0),
     "final ACK (seq, ack, len)")
time.sleep(0.1)
s2 = stats()
c.counters(s0, s2, {"tcp_established": 1, "tcp_peer_fins": 1, "tcp_tw_created": 1,
                    "tcp_conn_closed": 1, "tcp_tw_fin_reack": 0, "tcp_tw_expired": 0})
c.gauge(s2, GAUGE_LIVE, 0)
c.gauge(s2, GAUGE_TW, 1)

# Retransmitted FIN, 1.2 s into TIME_WAIT (before its first 2MSL ends at
# 2 s): re-ACKed, exactly as before, and 2MSL starts again.
time.sleep(max(0.0, t_fin + 1.2 - time.time()))
t_re = w.send(seg("FA", cseq, fin_seq + 1))
a2 = w.recv(mine, 1.0)
if a2 is None:
    fail_out("no re-ACK for the retransmitted FIN")
print("  " + fmt(a2))
c.eq(flags_of(a2), "A", "flags of the re-ACK")
c.eq((a2[TCP].seq, a2[TCP].ack, len(a2[TCP].payload)), (fin_seq + 1, (cseq + 1) & M, 0),
     "re-ACK (seq, ack, len)")
s3 = stats()
c.counters(s2, s3, {"tcp_tw_fin_reack": 1, "tcp_tw_created": 0})

# First deadline (t_fin + 2 s) passed, restarted one (t_re + 2 s) not yet.
time.sleep(max(0.0, t_re + MSL2 - 0.4 - time.time()))
s4 = stats()
c.ok(time.time() > t_fin + MSL2 + 0.2, "checking after the first 2MSL deadline")
c.gauge(s4, GAUGE_TW, 1)
c.counters(s2, s4, {"tcp_tw_expired": 0})
time.sleep(max(0.0, t_re + MSL2 + 0.4 - time.time()))
s5 = stats()
c.gauge(s5, GAUGE_TW, 0)
c.counters(s2, s5, {"tcp_tw_expired": 1})

rest = w.drain(0.1)
c.eq([fmt(p) for p in rest], [], "segments while in TIME_WAIT besides the two ACKs")

# The record is gone: the same FIN|ACK now meets the listener -> RST.
w.send(seg("FA", cseq, fin_seq + 1))
r = w.recv(mine, 1.0)
if c.ok(r is not None, "reply to the FIN after TIME_WAIT ended"):
    print("  " + fmt(r))
    c.eq(flags_of(r), "R", "flags")
    c.eq(r[TCP].seq, (fin_seq + 1) & M, "RST seq (= the FIN's ack number)")
s6 = stats()
c.counters(s5, s6, {"tcp_listen_ack_rst": 1, "tcp_tw_fin_reack": 0, "tcp_passive_opens": 0})
w.close()
c.finish()
PY

stop_rc=0; tern_stop || stop_rc=$?
[ "$stop_rc" -eq 0 ] || { echo "FAIL: tcp_time_wait: tern exited $stop_rc on SIGTERM"; rc=1; }
if [ "$rc" -ne 0 ]; then echo "--- tern log"; cat "$TERN_LOG"; echo "FAIL: tcp_time_wait"; exit 1; fi
echo "PASS: tcp_time_wait"
