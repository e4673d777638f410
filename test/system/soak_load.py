#!/usr/bin/python3
"""The soak: load, sampling and final checks, shared by test/system/soak.sh
(CI, ~40 s of load) and bench/soak.sh (hours, before a release). Both set up
the namespace with scripts/lib/soak.sh and run `soak_load.py run` inside it
(TERN_PREFIX and TERN_PID in the environment, PYTHONPATH naming this folder).

For --load-s seconds, all at once, every client on CPU 0 (tern's worker is
on CPU 1):
  - wrk -t1 -c64 with "Connection: close" (a connection per request; tern
    closes first, so TIME_WAIT records on its side),
  - wrk -t1 -c32 keep-alive,
  - an echo client (port 7): 200 KB of random bytes per connection, sent and
    read back at the same time, each transfer checked byte-exact (SHA-256
    and length), --echo-conns (4) connections at a time (scripts/lib/soak.sh
    may make the way to tern lose a few of their segments: SOAK_ECHO_LOSS),
  - a spoofed SYN flood (--flood-pps, 3,000/s) from 198.19.0.0/16 to ports
    80 and 7 in turn, from an AF_PACKET socket; the SYN-ACKs are blackholed
    in the namespace (scripts/lib/soak.sh).
rx_packets and tx_packets are sampled every second (the "never deaf" check:
no 3-second window without movement of either), and a line of rates and
gauges is printed every --report-every seconds.

Then quiet: the gauges are polled (every 0.5 s) until they are back, with a
deadline of 2 x MSL (the last TIME_WAIT record) + the SYN-ACK give-up time
(the last half-open entry: with tcp.synack_retries=2 and the 1 s initial
RTO, SYN-ACKs at 0, 1 and 3 s and the entry dropped at 1+2+4 = 7 s after
the last SYN) + a margin for timer granularity, counted from the moment the
last client ended. Then every check prints PASS/FAIL with its values, and a
summary. Exit status: the number of failures (capped), 0 = all passed.

Every loop here is bounded in time and count; every child is killed by PID
on every exit path (signals included).
"""
import argparse
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from tcp_sys import (ENGINE_IP, GAUGE_LIVE, GAUGE_TW, IFACE, Checks, MissingCounter, Stats,
                     echo_roundtrip, syn_frame, telemetry)

GAUGE_HALF_OPEN = "half_open_conns"
GAUGE_MBUFS = "mbufs_in_use"      # summed over the mbuf pools
GAUGE_CHUNKS = "chunks_in_use"    # send/reassembly chunks
MBUF_SLACK = 32                   # one burst: mbufs may sit in a cache or a queue
RSS_GROWTH_MAX = 4 << 20          # bytes
DEAF_WINDOW_S = 3.0
TX_DROPS = ["tx_refused", "tx_stall_drops", "tx_frame_too_big", "tx_full_drops", "tx_no_mbuf"]
ECHO_SIZE = 200 * 1024
BODY = b"hello from tern\n"
# Counters of interest: their deltas over the run are printed at the end.
SUMMARY_COUNTERS = [
    "rx_packets", "tx_packets", "tx_deferred", "tx_full_drops", "tx_no_mbuf", "tx_no_neighbor",
    "tx_neighbor_fallback", "tx_refused", "tx_stall_drops", "tx_frame_too_big",
    "tcp_passive_opens", "tcp_established", "tcp_conn_closed", "tcp_conn_reset",
    "tcp_conn_aborted", "tcp_rst_sent", "tcp_retransmits", "tcp_rto_timeouts",
    "tcp_syncookies_sent", "tcp_syncookies_ok", "tcp_syncookies_failed",
    "tcp_syn_backlog_drops", "tcp_synrcvd_dup_syn", "tcp_synack_retransmits",
    "tcp_synack_timeouts", "tcp_tw_created", "tcp_tw_expired", "tcp_tw_reuse",
    "tcp_outbox_full", "tcp_pool_exhausted", "tcp_flow_table_full", "tcp_tw_pool_exhausted",
    "tcp_send_chunks_exhausted", "tcp_accept_queue_overflow", "tcp_bytes_delivered",
    "tcp_ooo_queued", "tcp_ooo_dropped", "tcp_out_of_window",
]


def on_signal_exit(signum, frame):
    raise SystemExit(128 + signum)


def install_signal_exits():
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal_exit)


# ---------------------------------------------------------------- children

def echo_main(a):
    """--conns connections at a time, each doing transfers one after the
    other until --secs have passed (--max transfers in all at most); one
    JSON line on stdout at the end, also when stopped by a signal."""
    install_signal_exits()
    res = {"transfers": 0, "ok": 0, "failed": 0, "bytes": 0, "errors": []}
    lock = threading.Lock()
    end = time.monotonic() + a.secs

    def loop():
        while time.monotonic() < end:
            with lock:
                if res["transfers"] >= a.max:
                    return
                res["transfers"] += 1
            err = echo_once(a.timeout)
            with lock:
                if err is None:
                    res["ok"] += 1
                    res["bytes"] += ECHO_SIZE
                else:
                    res["failed"] += 1
                    if len(res["errors"]) < 5:
                        res["errors"].append(err)
            if err is not None:
                time.sleep(0.1)  # a refused or dead peer must not make this a busy loop

    try:
        ths = [threading.Thread(target=loop, daemon=True) for _ in range(a.conns)]
        for th in ths:
            th.start()
        for th in ths:  # each ends by `end` plus one transfer's timeout
            th.join(timeout=max(0.0, end - time.monotonic()) + a.timeout + 5)
    finally:
        with lock:
            print(json.dumps(res), flush=True)


def echo_once(timeout):
    """One transfer on its own connection: None if byte-exact, else why not."""
    payload = os.urandom(ECHO_SIZE)
    want = hashlib.sha256(payload).hexdigest()
    deadline = time.monotonic() + timeout
    try:
        s = socket.create_connection((ENGINE_IP, 7), timeout=min(5.0, timeout))
    except OSError as e:
        return "connect: %r" % e
    try:
        r = echo_roundtrip(s, payload, deadline)
    finally:
        s.close()
    if r.recv_err is not None:
        return "recv after %d bytes: %s" % (r.got, r.recv_err)
    if r.send_err is not None:
        return "send: " + r.send_err
    if r.got != ECHO_SIZE:
        return "length %d, want %d" % (r.got, ECHO_SIZE)
    if r.sha256 != want:
        return "sha256 differs (length right)"
    return None


def flood_main(a):
    """Spoofed SYNs at --pps for --secs: source i from 198.19.0.0/16
    (198.19.0.1 .. 198.19.255.254, then round again), random source port
    and sequence number, to ports 80 and 7 in turn. Paced in batches every
    10 ms; one JSON line on stdout at the end."""
    install_signal_exits()
    sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sk.bind((IFACE, 0))
    n_max = int(a.pps * a.secs)
    batch = max(1, a.pps // 100)
    sent = errors = 0
    t0 = time.monotonic()
    try:
        for i in range(n_max):
            if i % batch == 0:
                d = t0 + i / a.pps - time.monotonic()
                if d > 0:
                    time.sleep(d)
                elif time.monotonic() - t0 > a.secs + 1:
                    break  # fell behind: the time bound wins over the count
            a_ = i % 65534 + 1
            frame = syn_frame(bytes([198, 19, a_ >> 8, a_ & 0xFF]), 80 if i % 2 == 0 else 7,
                              random.randint(1024, 65535), random.getrandbits(32), i)
            try:
                sent += sk.send(frame) > 0
            except OSError:
                errors += 1
    finally:
        print(json.dumps({"sent": sent, "errors": errors, "secs": time.monotonic() - t0}),
              flush=True)


# ---------------------------------------------------------------- the run

def try_stats():
    try:
        return Stats(telemetry("/tern/stats", timeout=2.0))
    except (OSError, ValueError, KeyError):
        return None


def rss_bytes(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def tap_drops():
    """Frames the kernel could not hand to tern (tern0's tx_dropped, in the
    namespace): tern read too slowly, and the kernel's TCP will see a loss."""
    try:
        with open("/sys/class/net/%s/statistics/tx_dropped" % IFACE) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def qdisc_drops():
    """Frames tern0's root qdisc dropped on the way to tern (fq_codel drops
    when tern reads too slowly: losses the kernel's TCP recovers from)."""
    try:
        r = subprocess.run(["tc", "-s", "-j", "qdisc", "show", "dev", IFACE],
                           capture_output=True, timeout=5)
        return sum(q.get("drops", 0) for q in json.loads(r.stdout) if q.get("root"))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def echo_losses():
    """Sends to the echo port lost on purpose (scripts/lib/soak.sh's nft
    counter; a GSO burst counts once), None without that rule."""
    try:
        r = subprocess.run(["nft", "list", "chain", "ip", "tern_soak_loss", "out"],
                           capture_output=True, timeout=5)
        m = re.search(rb"counter packets (\d+)", r.stdout)
        return int(m.group(1)) if m else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def get(st, name):
    """A counter's value, or None when tern does not expose it (yet)."""
    if st is None:
        return None
    try:
        return st[name]
    except MissingCounter:
        return None


def fmt_opt(v, unit=""):
    return "?" if v is None else "%d%s" % (v, unit)


def parse_wrk(text):
    """requests, req/s, socket errors (absent line = none), non-2xx/3xx.
    wrk 4.1 counts a timeout only for a response that comes late, never for
    one that does not come: a deaf tern shows in the sampler, not here."""
    r = {"requests": None, "rps": None, "connect": 0, "read": 0, "write": 0, "timeout": 0,
         "non2xx": 0}
    m = re.search(r"^\s*(\d+) requests in ", text, re.M)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"^Requests/sec:\s*([\d.]+)", text, re.M)
    if m:
        r["rps"] = float(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        for k, v in zip(("connect", "read", "write", "timeout"), m.groups()):
            r[k] = int(v)
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
    return r


class Children:
    """The clients, each started pinned to CPU 0 with its output in a file,
    each killed by PID in stop()."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = {}

    def start(self, name, argv):
        out = open(os.path.join(self.tmp, name), "wb")
        self.procs[name] = subprocess.Popen(["taskset", "-c", "0"] + argv, stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out.close()

    def running(self):
        return [n for n, p in self.procs.items() if p.poll() is None]

    def output(self, name):
        with open(os.path.join(self.tmp, name), "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        """TERM, 3 s to go, then KILL; all reaped. Returns those that had to be stopped."""
        left = self.running()
        for n in left:
            self.procs[n].terminate()
        end = time.monotonic() + 3.0
        for n in left:
            try:
                self.procs[n].wait(timeout=max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.procs[n].kill()
                self.procs[n].wait(timeout=5.0)
        return left


class Sampler:
    """Samples every second during the load: the deaf check on rx/tx_packets
    and a report line every `every` seconds."""

    def __init__(self, tern_pid, every):
        self.pid = tern_pid
        self.every = every
        self.last_change = {"rx_packets": None, "tx_packets": None}
        self.last_value = {"rx_packets": None, "tx_packets": None}
        self.longest = {"rx_packets": 0.0, "tx_packets": 0.0}
        self.deaf = {}          # (counter, from_s): to_s, windows of >= DEAF_WINDOW_S
        self.samples = 0
        self.failed_samples = 0
        self.t0 = None
        self.report_prev = None  # (t, stats, tap drops)

    def sample(self, t, st, judge):
        self.samples += 1
        if st is None:
            self.failed_samples += 1
        for n in self.last_change:
            v = get(st, n)
            if self.last_change[n] is None or (v is not None and v != self.last_value[n]):
                if v is not None:
                    self.last_value[n] = v
                self.last_change[n] = t
                continue
            still = t - self.last_change[n]
            if judge and still > self.longest[n]:
                self.longest[n] = still
            if judge and still >= DEAF_WINDOW_S:
                # keyed by where it began: a window that goes on grows
                self.deaf[(n, self.last_change[n] - self.t0)] = t - self.t0
        if self.report_prev is None:
            self.report_prev = (t, st, tap_drops())
        elif self.every > 0 and t - self.report_prev[0] >= self.every - 0.01:
            self.report(t, st)

    def report(self, t, st):
        tp, sp, tap0 = self.report_prev
        tap = tap_drops()
        dt = t - tp

        def rate(n):
            a, b = get(sp, n), get(st, n)
            return None if a is None or b is None else (b - a) / dt

        def total(names):
            vals = [(get(st, n), get(sp, n)) for n in names]
            vals = [b - a for b, a in vals if a is not None and b is not None]
            return sum(vals) if vals else None

        drops = total([n for n in (st or {}) if n.startswith("drop_")])
        rss = rss_bytes(self.pid)
        line = ("soak: t=%4.0fs rx=%s/s tx=%s/s conns=%s/s cookies=%s/s drops=%s tx_drops=%s"
                " tap_drops=%s live=%s tw=%s half_open=%s mbufs=%s chunks=%s rss=%s") % (
            t - self.t0, fmt_opt(rate("rx_packets")), fmt_opt(rate("tx_packets")),
            fmt_opt(rate("tcp_established")), fmt_opt(rate("tcp_syncookies_sent")),
            fmt_opt(drops), fmt_opt(total(TX_DROPS)),
            fmt_opt(None if tap is None or tap0 is None else tap - tap0),
            fmt_opt(get(st, GAUGE_LIVE)), fmt_opt(get(st, GAUGE_TW)),
            fmt_opt(get(st, GAUGE_HALF_OPEN)), fmt_opt(get(st, GAUGE_MBUFS)),
            fmt_opt(get(st, GAUGE_CHUNKS)),
            "?" if rss is None else "%.1fMiB" % (rss / 1048576))
        print(line, flush=True)
        self.report_prev = (t, st, tap)


def run_main(a):
    install_signal_exits()
    tmp = tempfile.mkdtemp(prefix="tern-soak-")
    kids = Children(tmp)
    try:
        return soak(a, kids)
    finally:
        stopped = kids.stop()
        if stopped:
            print("soak: stopped %s" % " ".join(stopped), flush=True)
        for n in os.listdir(tmp):
            os.unlink(os.path.join(tmp, n))
        os.rmdir(tmp)


def soak(a, kids):
    c = Checks("soak")
    quiet_bound = 2 * a.msl_ms / 1000.0 + a.synack_giveup_s + a.margin_s
    print("soak: load %d s, SYN flood %d/s, then up to %.1f s quiet (2 x MSL %.1f s +"
          " SYN-ACK give-up %.1f s + margin %.1f s)" % (
              a.load_s, a.flood_pps, quiet_bound, 2 * a.msl_ms / 1000.0, a.synack_giveup_s,
              a.margin_s), flush=True)
    s0 = try_stats()
    if s0 is None:
        c.ok(False, "tern's telemetry answers before the load")
        c.finish()
    rss0 = rss_bytes(a.tern_pid)
    tap0, qd0 = tap_drops(), qdisc_drops()
    g0 = {n: get(s0, n) for n in (GAUGE_MBUFS, GAUGE_CHUNKS)}

    me = os.path.abspath(__file__)
    url = "http://%s/" % ENGINE_IP
    kids.start("wrk_close", ["wrk", "-t1", "-c64", "-d%ds" % a.load_s,
                             "-H", "Connection: close", url])
    kids.start("wrk_keepalive", ["wrk", "-t1", "-c32", "-d%ds" % a.load_s, url])
    kids.start("echo", [sys.executable, me, "echo", "--secs", str(a.load_s),
                        "--conns", str(a.echo_conns)])
    kids.start("flood", [sys.executable, me, "flood", "--secs", str(a.load_s),
                         "--pps", str(a.flood_pps)])

    # The load: a sample a second until every client is done (the echo
    # client finishes its last transfer, at most 10 s), bounded.
    sm = Sampler(a.tern_pid, a.report_every)
    t0 = sm.t0 = time.monotonic()
    load_end = t0 + a.load_s
    hard_end = load_end + 20.0
    for i in range(int(a.load_s + 25) * 2):
        t = time.monotonic()
        sm.sample(t, try_stats(), judge=t <= load_end + 0.5)
        if not kids.running() or t > hard_end:
            break
        time.sleep(max(0.0, t + 1.0 - time.monotonic()))
    late = kids.stop()
    c.ok(not late, "every client ended by itself within 20 s of the load's end (stopped: %s)"
         % (" ".join(late) or "none"))
    t_quiet = time.monotonic()

    results = {}
    for n in ("echo", "flood"):
        try:
            results[n] = json.loads(kids.output(n).strip().splitlines()[-1])
        except (ValueError, IndexError):
            results[n] = None
            print("soak: %s output: %r" % (n, kids.output(n)[-500:]))
    wrk = {n: parse_wrk(kids.output(n)) for n in ("wrk_close", "wrk_keepalive")}

    # Quiet: poll the gauges until they are back, bounded.
    def back(st):
        want = {GAUGE_LIVE: 0, GAUGE_TW: 0, GAUGE_HALF_OPEN: 0}
        for n, v in want.items():
            if get(st, n) not in (None, v):
                return False
        if get(st, GAUGE_MBUFS) is not None and g0[GAUGE_MBUFS] is not None and \
                abs(get(st, GAUGE_MBUFS) - g0[GAUGE_MBUFS]) > MBUF_SLACK:
            return False
        if get(st, GAUGE_CHUNKS) is not None and g0[GAUGE_CHUNKS] is not None and \
                get(st, GAUGE_CHUNKS) != g0[GAUGE_CHUNKS]:
            return False
        return st is not None

    s1 = None
    for i in range(int(quiet_bound * 2) + 2):
        s1 = try_stats()
        if back(s1) or time.monotonic() - t_quiet > quiet_bound:
            break
        time.sleep(0.5)
    quiet_s = time.monotonic() - t_quiet
    print("soak: quiet for %.1f s (bound %.1f s)" % (quiet_s, quiet_bound), flush=True)
    rss1 = rss_bytes(a.tern_pid)

    # --- the checks
    try:
        r = subprocess.run(["curl", "-s", "--max-time", "5", "-o", "-", url],
                           capture_output=True, timeout=10)
        body, curl_rc = r.stdout, r.returncode
    except subprocess.TimeoutExpired:
        body, curl_rc = b"", "timeout"
    c.ok(curl_rc == 0 and body == BODY, "curl %s after the soak: exit %s, body %r (want %r)" % (
        url, curl_rc, body[:100], BODY))
    try:
        r = subprocess.run(["ping", "-c", "3", "-i", "0.2", "-W", "1", ENGINE_IP],
                           capture_output=True, timeout=10)
        m = re.search(rb"(\d+) received", r.stdout)
        pings = int(m.group(1)) if m else 0
    except subprocess.TimeoutExpired:
        pings = 0
    c.eq(pings, 3, "pings answered after the soak (of 3)")

    for n, w in wrk.items():
        c.ok(w["requests"] is not None and w["requests"] > 0,
             "%s: requests %s (want > 0)" % (n, w["requests"]))
        errs = w["connect"] + w["read"] + w["write"] + w["timeout"]
        c.ok(errs == 0, "%s: socket errors connect %d, read %d, write %d, timeout %d (want 0)" % (
            n, w["connect"], w["read"], w["write"], w["timeout"]))
        c.eq(w["non2xx"], 0, "%s: non-2xx/3xx responses" % n)
        if w["requests"] is None:
            print("soak: %s output: %r" % (n, kids.output(n)[-500:]))

    e = results["echo"]
    if e is None:
        c.ok(False, "echo client reported its transfers")
    else:
        c.ok(e["failed"] == 0, "echo: %d of %d transfers of %d bytes byte-exact, %d failed%s" % (
            e["ok"], e["transfers"], ECHO_SIZE, e["failed"],
            ": %s" % "; ".join(e["errors"]) if e["errors"] else ""))
        c.ok(e["ok"] >= a.min_echo, "echo: %d exact transfers (want >= %d)" % (e["ok"],
                                                                           a.min_echo))
    f = results["flood"]
    want_syns = int(a.flood_pps * a.load_s * 0.9)
    c.ok(f is not None and f["sent"] >= want_syns,
         "flood: %s SYNs sent (want >= %d, 90%% of %d/s for %d s)" % (
             f and f["sent"], want_syns, a.flood_pps, a.load_s))

    def missing(n):
        return "counter %s missing" % n if s1 is not None else \
            "%s: tern's telemetry did not answer after the soak" % n

    for n in (GAUGE_LIVE, GAUGE_TW, GAUGE_HALF_OPEN):
        v = get(s1, n)
        c.ok(v == 0, "%s = %d after %.1f s quiet (want 0)" % (n, v, quiet_s) if v is not None
             else missing(n))
    v, b = get(s1, GAUGE_MBUFS), g0[GAUGE_MBUFS]
    c.ok(v is not None and b is not None and abs(v - b) <= MBUF_SLACK,
         "%s = %s, before the load %s (want within %d)" % (
             GAUGE_MBUFS, v, b, MBUF_SLACK) if v is not None and b is not None
         else missing(GAUGE_MBUFS))
    v, b = get(s1, GAUGE_CHUNKS), g0[GAUGE_CHUNKS]
    c.ok(v is not None and b is not None and v == b,
         "%s = %s, before the load %s (want equal)" % (GAUGE_CHUNKS, v, b)
         if v is not None and b is not None else missing(GAUGE_CHUNKS))
    c.ok(rss0 is not None and rss1 is not None and rss1 - rss0 < RSS_GROWTH_MAX,
         "tern's VmRSS %s -> %s KiB: grew %s KiB (want < %d KiB)" % (
             rss0 and rss0 // 1024, rss1 and rss1 // 1024,
             (rss1 - rss0) // 1024 if rss0 and rss1 else "?", RSS_GROWTH_MAX // 1024))
    c.ok(not sm.deaf and sm.samples >= a.load_s * 0.8,
         "never deaf: longest time without movement during the load: rx_packets %.1f s,"
         " tx_packets %.1f s (want < %.0f s; %d samples, %d without an answer)%s" % (
             sm.longest["rx_packets"], sm.longest["tx_packets"], DEAF_WINDOW_S, sm.samples,
             sm.failed_samples,
             "; deaf: " + ", ".join("%s still from %.0f s to %.0f s" % (n, a_, b_)
                                    for (n, a_), b_ in sorted(sm.deaf.items())[:6])
             if sm.deaf else ""))

    # --- printed, not asserted
    for n in ("tx_refused", "tx_stall_drops", "tx_frame_too_big"):
        v = get(s1, n)
        print("info: %s = %d" % (n, v) if v is not None else "info: " + missing(n))
    print("--- soak summary")
    for n, w in wrk.items():
        print("summary: %s: %s requests, %s requests/s" % (n, w["requests"], w["rps"]))
    if e:
        print("summary: echo: %d transfers, %d exact, %d failed (%.1f MB each way)" % (
            e["transfers"], e["ok"], e["failed"], e["bytes"] / 1e6))
    if f:
        print("summary: flood: %d SYNs sent in %.1f s (%d send errors)" % (
            f["sent"], f["secs"], f["errors"]))
    tap1, qd1 = tap_drops(), qdisc_drops()
    print("summary: delta %s tx_dropped (frames tern did not read in time) = %s,"
          " qdisc drops = %s" % (IFACE, "?" if tap0 is None or tap1 is None else tap1 - tap0,
                                 "?" if qd0 is None or qd1 is None else qd1 - qd0))
    lost = echo_losses()
    if lost is not None:
        print("summary: echo sends lost on purpose (SOAK_ECHO_LOSS) = %d" % lost)
    for n in SUMMARY_COUNTERS + sorted(k for k in (s1 or {}) if k.startswith("drop_")):
        a0, a1 = get(s0, n), get(s1, n)
        print("summary: delta %s = %s" % (n, "missing" if a0 is None or a1 is None else a1 - a0))
    for n in (GAUGE_LIVE, GAUGE_TW, GAUGE_HALF_OPEN, GAUGE_MBUFS, GAUGE_CHUNKS):
        print("summary: gauge %s = %s (before the load %s)" % (
            n, fmt_opt(get(s1, n)), fmt_opt(get(s0, n))))
    c.finish()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="the soak: load, samples, checks")
    r.add_argument("--load-s", type=int, required=True)
    r.add_argument("--report-every", type=float, default=60.0)
    r.add_argument("--min-echo", type=int, default=1, help="exact echo transfers at least")
    r.add_argument("--echo-conns", type=int, default=4, help="echo transfers at a time")
    r.add_argument("--flood-pps", type=int, default=3000)
    r.add_argument("--msl-ms", type=int, required=True, help="tern's tcp.msl_ms")
    r.add_argument("--synack-giveup-s", type=float, required=True,
                   help="a SYN to the end of its half-open entry: 2^(synack_retries+1)-1 s")
    r.add_argument("--margin-s", type=float, default=3.0)
    r.add_argument("--tern-pid", type=int, default=int(os.environ.get("TERN_PID", "0")))
    e = sub.add_parser("echo", help="(internal) the echo client")
    e.add_argument("--secs", type=float, required=True)
    e.add_argument("--conns", type=int, default=1, help="transfers at a time")
    e.add_argument("--max", type=int, default=10_000_000)
    e.add_argument("--timeout", type=float, default=10.0, help="per transfer")
    f = sub.add_parser("flood", help="(internal) the SYN flood")
    f.add_argument("--secs", type=float, required=True)
    f.add_argument("--pps", type=int, required=True)
    a = ap.parse_args()
    return {"run": run_main, "echo": echo_main, "flood": flood_main}[a.cmd](a)


if __name__ == "__main__":
    main()
