#!/usr/bin/python3
"""Samples a running tern's /tern/stats over one telemetry connection.

    telemetry_sampler.py PREFIX OUT.jsonl [--interval S] [--max-seconds S]
                         [--pid NAME=PID ...] [--pid-file NAME=FILE ...]

Writes one JSON line per sample: {"t": CLOCK_MONOTONIC seconds, "stats": {...},
"oncpu_ns": {NAME: {thread name: ns on CPU so far}}}. The on-CPU times
(/proc/PID/task/TID/schedstat) say whether a busy-polling thread had its CPU:
TSC busy-cycle accounting cannot see a thread being descheduled. --pid-file
names a file holding a PID written later (tern-gen starts after the sampler).
bench/run.sh starts it next to tern and picks the measured window out of the
series afterwards (window.py). One long-lived connection instead of a
dpdk-telemetry.py process per sample: each of those costs ~50 ms of CPU on a
machine with two, and would land on the CPUs being measured.
Stops on SIGTERM/SIGINT, after --max-seconds, or when tern goes away.
"""
import argparse
import json
import os
import signal
import socket
import sys
import time

RUNTIME_DIR = "/var/run/dpdk"
SOCKET_NAME = "dpdk_telemetry.v2"


def connect(prefix, deadline):
    """Connects to PREFIX's telemetry socket, waiting (bounded) for it."""
    path = os.path.join(RUNTIME_DIR, prefix, SOCKET_NAME)
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            s.connect(path)
            info = json.loads(s.recv(16384).decode())
            return s, int(info.get("max_output_len", 16384))
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def query(sock, bufsize, cmd):
    sock.send(cmd.encode())
    reply = sock.recv(bufsize)
    if not reply:
        raise ConnectionError("telemetry socket closed")
    return json.loads(reply.decode())[cmd]


def oncpu_ns(pid):
    """{thread name: nanoseconds on CPU} for every thread of pid ({} once it is gone)."""
    out = {}
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[name] = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix")
    ap.add_argument("out")
    ap.add_argument("--interval", type=float, default=0.25)
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--pid", action="append", default=[], help="NAME=PID")
    ap.add_argument("--pid-file", action="append", default=[], help="NAME=FILE")
    a = ap.parse_args()
    pids = {n: int(v) for n, v in (x.split("=", 1) for x in a.pid)}
    pid_files = dict(x.split("=", 1) for x in a.pid_file)
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    end = time.monotonic() + a.max_seconds
    sock, bufsize = connect(a.prefix, min(end, time.monotonic() + 30))
    with open(a.out, "w") as out:
        while not stop and time.monotonic() < end:
            t = time.monotonic()
            try:
                stats = query(sock, bufsize, "/tern/stats")
            except (OSError, ValueError, KeyError):
                break  # tern stopped: the series ends here
            for name, path in pid_files.items():
                if name not in pids and read_pid(path):
                    pids[name] = read_pid(path)
            sched = {name: oncpu_ns(pid) for name, pid in pids.items()}
            out.write(json.dumps({"t": round(t, 4), "stats": stats, "oncpu_ns": sched}) + "\n")
            out.flush()
            time.sleep(max(0.0, a.interval - (time.monotonic() - t)))
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
