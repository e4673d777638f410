# Helpers for the test/system/tcp_*.sh tests (run with /usr/bin/python3
# inside the test's namespace): tern's telemetry read straight from its
# socket, PASS/FAIL bookkeeping, and a scapy conversation on tern0 whose
# every received segment is kept with its kernel timestamp.
#
# Counter names are those of /tern/stats: the engine's (rx_packets,
# drop_*), the protocol core's with a tcp_ prefix (lib/tcp/counters.h:
# tcp_passive_opens, tcp_tw_created, ...) and two gauges, GAUGE_LIVE and
# GAUGE_TW below.
import hashlib
import json
import os
import queue
import socket
import struct
import sys
import threading
import time

ENGINE_IP = "198.18.0.2"
KERNEL_IP = "198.18.0.1"
ENGINE_MAC = "02:00:c6:12:00:02"
KERNEL_MAC = "02:00:c6:12:00:01"
IFACE = "tern0"

# Gauges (sums over workers): live TCBs (every state but TIME_WAIT, which is
# a compact record) and TIME_WAIT records.
GAUGE_LIVE = "live_conns"
GAUGE_TW = "time_wait_conns"


def prefix():
    p = os.environ.get("TERN_PREFIX")
    if not p:
        raise SystemExit("TERN_PREFIX not set")
    return p


def telemetry(cmd, pfx=None, timeout=5.0):
    """One DPDK telemetry command against the running tern: its JSON value.
    A command with parameters ("/ethdev/stats,0") is answered under its
    name alone."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % (pfx or prefix())
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(timeout)
        s.connect(path)
        info = json.loads(s.recv(4096).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(int(info.get("max_output_len", 16384))).decode())
    return reply[cmd.split(",")[0]]


class MissingCounter(Exception):
    pass


class Stats(dict):
    def __getitem__(self, k):
        if k not in self:
            raise MissingCounter("counter '%s' is not exposed in /tern/stats" % k)
        return dict.__getitem__(self, k)


def stats():
    return Stats(telemetry("/tern/stats"))


def deltas(before, after, names):
    return {n: after[n] - before[n] for n in names}


class Checks:
    """PASS/FAIL lines; exit status = number of failures (capped)."""

    def __init__(self, name):
        self.name = name
        self.failures = 0
        self.t0 = time.monotonic()

    def ok(self, cond, what):
        print("%s: %s: %s" % ("PASS" if cond else "FAIL", self.name, what), flush=True)
        if not cond:
            self.failures += 1
        return cond

    def eq(self, got, want, what):
        return self.ok(got == want, "%s = %r (want %r)" % (what, got, want))

    def near(self, got, want, tol, what):
        return self.ok(abs(got - want) <= tol,
                       "%s = %.3f (want %.3f +- %.3f)" % (what, got, want, tol))

    def counters(self, before, after, want):
        """Exact deltas: want = {name: delta}. A missing counter fails."""
        for n, d in want.items():
            try:
                self.eq(after[n] - before[n], d, "delta " + n)
            except MissingCounter as e:
                self.ok(False, str(e))

    def gauge(self, st, name, want):
        try:
            return self.eq(st[name], want, name)
        except MissingCounter as e:
            return self.ok(False, str(e))

    def finish(self):
        dt = time.monotonic() - self.t0
        print("%s: %s: %d failure(s), %.1f s" % ("PASS" if not self.failures else "FAIL",
                                                self.name, self.failures, dt), flush=True)
        sys.exit(min(self.failures, 100))


def ip_checksum(b):
    """The Internet checksum (RFC 1071) of b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def syn_frame(src, dport, sport, seq, ip_id):
    """An Ethernet frame (kernel MAC -> engine MAC) with a SYN from the IPv4
    address src (4 bytes) to the engine's port dport: MSS 1460, window
    64240, checksums right. For AF_PACKET senders (SYN floods)."""
    dst = socket.inet_aton(ENGINE_IP)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x02, 64240, 0, 0) \
        + b"\x02\x04\x05\xb4"
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", ip_checksum(ph + tcp)) + tcp[18:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id & 0xFFFF, 0, 64, 6, 0,
                      src, dst)
    iph = iph[:10] + struct.pack("!H", ip_checksum(iph)) + iph[12:]
    eth = bytes.fromhex(ENGINE_MAC.replace(":", "") + KERNEL_MAC.replace(":", "") + "0800")
    return eth + iph + tcp


class EchoResult:
    def __init__(self):
        self.got = 0            # bytes read back
        self.sha256 = None      # of what was read back
        self.eof = False        # the peer's FIN came
        self.send_err = None    # why sending stopped early, if it did
        self.recv_err = None    # why reading stopped before EOF, if it did


def echo_roundtrip(s, payload, deadline):
    """Sends payload on the connected socket s (then SHUT_WR) from a thread
    while this one reads what comes back, to EOF or until `deadline`
    (time.monotonic()), whichever comes first."""
    r = EchoResult()

    def sender():
        try:
            mv = memoryview(payload)
            for off in range(0, len(payload), 65536):
                if time.monotonic() > deadline:
                    raise TimeoutError("sending not done by the deadline")
                s.sendall(mv[off:off + 65536])
            s.shutdown(socket.SHUT_WR)
        except Exception as e:
            r.send_err = repr(e)

    th = threading.Thread(target=sender, daemon=True)
    th.start()
    h = hashlib.sha256()
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("EOF not seen by the deadline")
            s.settimeout(left)  # the sender's sendall too: both end by the deadline
            b = s.recv(1 << 20)
            if not b:
                r.eof = True
                break
            h.update(b)
            r.got += len(b)
    except Exception as e:
        r.recv_err = repr(e)
    th.join(timeout=max(0.1, deadline - time.monotonic()))
    r.sha256 = h.hexdigest()
    return r


def fmt(p):
    """One line per segment, tcpdump -S style."""
    from scapy.all import IP, TCP
    if IP not in p:
        return p.summary()
    ip = p[IP]
    if TCP not in p:
        return "%s > %s proto %d len %d" % (ip.src, ip.dst, ip.proto, ip.len)
    t = p[TCP]
    return "%.6f %s.%d > %s.%d [%s] seq %d ack %d win %d len %d" % (
        float(p.time), ip.src, t.sport, ip.dst, t.dport, t.sprintf("%flags%"), t.seq, t.ack,
        t.window, len(t.payload))


class Wire:
    """Sends on tern0 (L2, kernel MAC -> engine MAC) and keeps every frame
    the engine sends back (source MAC = engine), in order, timestamped."""

    def __init__(self, bpf="ether src " + ENGINE_MAC):
        from scapy.all import AsyncSniffer, conf
        conf.verb = 0
        self.q = queue.Queue()
        self.seen = []
        started = threading.Event()
        self.sn = AsyncSniffer(iface=IFACE, filter=bpf, store=False, prn=self.q.put,
                               started_callback=started.set)
        self.sn.start()
        if not started.wait(5.0):
            raise RuntimeError("sniffer on %s did not start in 5 s" % IFACE)

    def send(self, l3):
        from scapy.all import Ether, sendp
        f = Ether(src=KERNEL_MAC, dst=ENGINE_MAC) / l3
        t = time.time()
        sendp(f, iface=IFACE, verbose=False)
        return t

    def send_raw(self, frame_bytes):
        from scapy.all import sendp, Raw
        t = time.time()
        sendp(Raw(frame_bytes), iface=IFACE, verbose=False)
        return t

    def recv(self, pred=lambda p: True, timeout=2.0):
        """The next received frame matching pred (others are kept in seen)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                p = self.q.get(timeout=left)
            except queue.Empty:
                return None
            self.seen.append(p)
            if pred(p):
                return p

    def drain(self, seconds):
        """Everything received in the next `seconds`."""
        got = []
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return got
            try:
                p = self.q.get(timeout=left)
            except queue.Empty:
                return got
            self.seen.append(p)
            got.append(p)

    def close(self):
        try:
            self.sn.stop()
        except Exception:
            pass


def tcp_from(sport_engine, dport_client):
    """Predicate: a TCP segment from the engine's port to our port."""
    from scapy.all import IP, TCP

    def pred(p):
        return (IP in p and TCP in p and p[IP].src == ENGINE_IP
                and p[TCP].sport == sport_engine and p[TCP].dport == dport_client)
    return pred


def flags_of(p):
    from scapy.all import TCP
    return p[TCP].sprintf("%flags%")
