#!/usr/bin/python3
"""A small HTTP client load for the demo and system tests: optionally hold N
connections open for a while, then make R requests with Connection: close
from C threads; checks every response and prints a one-line summary.
Exit status 1 if any request failed."""
import argparse
import socket
import sys
import threading
import time

EXPECTED_BODY = b"hello from tern\n"


def one_request(host, port, timeout):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: tern\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.startswith(b"HTTP/1.1 200") and body == EXPECTED_BODY


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--hold", type=int, default=0)
    ap.add_argument("--hold-seconds", type=float, default=1.0)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--concurrency", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()

    held = []
    for _ in range(a.hold):
        held.append(socket.create_connection((a.host, a.port), timeout=a.timeout))
    if held:
        time.sleep(a.hold_seconds)
        for s in held:
            s.close()

    ok = 0
    failed = 0
    lock = threading.Lock()
    counter = iter(range(a.requests))

    def worker():
        nonlocal ok, failed
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            try:
                good = one_request(a.host, a.port, a.timeout)
            except OSError:
                good = False
            with lock:
                if good:
                    ok += 1
                else:
                    failed += 1

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - start
    print(f"  load: {len(held)} held, {ok} ok, {failed} failed, "
          f"{ok / dt if dt > 0 else 0:.0f} requests/s over {dt:.2f}s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
