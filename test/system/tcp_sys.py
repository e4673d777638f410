# Helpers for the test/system/tcp_*.sh tests (run with /usr/bin/python3
# inside the test's namespace): tern's telemetry read straight from its
# socket, PASS/FAIL bookkeeping, and a scapy conversation on tern0 whose
# every received segment is kept with its kernel timestamp.
#
# Counter names are those of /tern/stats: the engine's (rx_packets,
# drop_*), the protocol core's with a tcp_ prefix (lib/tcp/counters.h:
# tcp_passive_opens, tcp_tw_created, ...) and two gauges, GAUGE_LIVE and
# GAUGE_TW below.
import json
import os
import queue
import socket
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
    """One DPDK telemetry command against the running tern: its JSON value."""
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % (pfx or prefix())
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(timeout)
        s.connect(path)
        info = json.loads(s.recv(4096).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(int(info.get("max_output_len", 16384))).decode())
    return reply[cmd]


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
