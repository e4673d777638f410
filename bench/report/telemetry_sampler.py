#!/usr/bin/python3
"""Samples a running tern's /tern/stats over one telemetry connection.

    telemetry_sampler.py PREFIX OUT.jsonl [--interval S] [--max-seconds S]

Writes one JSON line per sample: {"t": CLOCK_MONOTONIC seconds, "stats": {...}}.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prefix")
    ap.add_argument("out")
    ap.add_argument("--interval", type=float, default=0.25)
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
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
            out.write(json.dumps({"t": round(t, 4), "stats": stats}) + "\n")
            out.flush()
            time.sleep(max(0.0, a.interval - (time.monotonic() - t)))
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
