# Helpers for test/system/scale_out.sh (run with /usr/bin/python3 in the
# root namespace; tern's telemetry sockets are files, reachable from there).
#   scale_out.py counters PREFIX NAME...      the values of /tern/stats counters
#   scale_out.py leave PID PREFIX ROUTER_NS NEXT_HOP VIP SECONDS
#       SIGTERM to the tern PID (prefix PREFIX), then every 20 ms: its
#       /tern/health status, whether the router's route to VIP still has
#       NEXT_HOP, whether the process is still there; prints when each one
#       changed (seconds after the SIGTERM, and epoch) and stops SECONDS
#       after the process is gone (or after 30 s in all).
#   scale_out.py set PREFIX KEY=VALUE          /tern/set: a run-time tunable
#   scale_out.py tsvals PCAP VIP              TSvals of the server's segments
#       in a capture on the client: every one not older than the SYN-ACK's
#       (RFC 7323 serial order, as the client's PAWS check compares them)
#       and less than 5 s newer (they continue from it on whichever node:
#       not from an unrelated clock), or no timestamp option at all when
#       the SYN had none. Exit 1 otherwise.
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tcp_sys import telemetry  # noqa: E402


def counters(pfx, names):
    st = telemetry("/tern/stats", pfx)
    print(" ".join(str(st[n]) for n in names))


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def leave(pid, pfx, router_ns, next_hop, vip, linger):
    def health():
        try:
            return telemetry("/tern/health", pfx, timeout=0.5)["status"]
        except Exception:
            return "gone"

    def routed():
        out = subprocess.run(["ip", "-n", router_ns, "route", "show", vip + "/32"],
                             capture_output=True, text=True, timeout=5).stdout
        return ("via " + next_hop + " ") in out

    state = {"health": health(), "route": routed(), "process": alive(pid)}
    t0 = time.time()
    os.kill(pid, signal.SIGTERM)
    print("event 0.000 %.6f sigterm %s" % (t0, " ".join("%s=%s" % kv for kv in state.items())),
          flush=True)
    gone_at = None
    while time.time() - t0 < 30 and (gone_at is None or time.time() - gone_at < linger):
        now = {"health": health(), "route": routed(), "process": alive(pid)}
        t = time.time()
        for k, v in now.items():
            if v != state[k]:
                print("event %.3f %.6f %s=%s" % (t - t0, t, k, v), flush=True)
        state = now
        if not state["process"] and gone_at is None:
            gone_at = t
        time.sleep(0.02)


def set_tunable(pfx, assignment):
    reply = telemetry("/tern/set," + assignment, pfx)
    print(reply)
    sys.exit(1 if "error" in reply else 0)


def tsvals(pcap, vip):
    from scapy.all import IP, TCP, rdpcap
    syn_ts = synack_ts = None
    synack_seen = False
    later = []
    for p in rdpcap(pcap):
        if IP not in p or TCP not in p:
            continue
        opts = dict((o[0], o[1]) for o in p[TCP].options if isinstance(o, tuple))
        ts = opts.get("Timestamp")
        fl = p[TCP].flags
        if p[IP].dst == vip and fl & 0x02:
            syn_ts = ts
        elif p[IP].src == vip and fl & 0x12 == 0x12:
            synack_ts, synack_seen = ts, True
        elif p[IP].src == vip and synack_seen:
            later.append(ts)
    print("SYN TS %s, SYN-ACK TS %s, then %d segment(s) from the VIP with TSvals %s" % (
        syn_ts, synack_ts, len(later), [t[0] if t else None for t in later]))
    if not synack_seen or not later:
        ok = False
    elif syn_ts is None:
        ok = synack_ts is None and all(t is None for t in later)
    else:
        ok = (synack_ts is not None and
              all(t is not None and ((t[0] - synack_ts[0]) & 0xFFFFFFFF) < 5000 for t in later))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "counters":
        counters(args[0], args[1:])
    elif cmd == "leave":
        leave(int(args[0]), args[1], args[2], args[3], args[4], float(args[5]))
    elif cmd == "set":
        set_tunable(args[0], args[1])
    elif cmd == "tsvals":
        tsvals(args[0], args[1])
    else:
        sys.exit("scale_out.py: unknown command " + cmd)
