#!/usr/bin/env bash
# The other ways to go deaf (issue 14, item 5). tern on net_tap in a
# namespace, started once per setting, through five cases in which it may
# refuse or drop work, and count it, but must always come back:
#   1. a client that stops reading (zero window) on the echo port while a
#      spoofed SYN flood and curl requests go on;
#   2. a small mbuf pool: (2a) engine.mbufs=1023 with the default
#      port.rx_desc (1024) must be refused at start (the RX ring would take
#      the whole pool: deaf for good); (2b) the smallest pool tern accepts
#      (engine.mbufs=1536: the RX ring, one TX batch of 512, no cache) under
#      wrk -c200 "Connection: close" and the flood, then (2c) 3,000 frames
#      at once into that pool;
#   3. the TIME_WAIT pool exhausted: tcp.max_tw_buckets=16, tcp.msl_ms=2000;
#   4. the half-open pool exhausted: tcp.max_syn_backlog=64,
#      tcp.synack_retries=1 and a spoofed SYN flood, with tcp.syncookies=0
#      (4a) and tcp.syncookies=1 (4b);
#   5. a burst of malformed frames from an AF_PACKET socket, interleaved
#      with curl requests: each kind sent once first, to learn which drop
#      counter takes it, then 3,000 of them.
# After each case tern must be back: curl gets 'hello from tern\n', ping is
# answered, rx_packets moves; the gauges live_conns, time_wait_conns and
# half_open_conns are 0 again once their bounded timers have run, and
# mbufs_in_use and chunks_in_use are within 32 of their value before the
# case. Each case prints the counters it moved (before -> after), so a
# reader sees what tern dropped and why. A missing counter is a FAIL
# ("counter X missing"), never a crash.
#
# Spoofed sources come from 198.19.0.0/16 only (trafgen, at 3,000 SYN/s);
# tern's SYN-ACKs to them go back over tern0, where the namespace's kernel
# (no forwarding) drops them. Clients run on CPU 0 (tern's worker is on
# CPU 1); every client is bounded by `timeout` and stopped by PID on exit.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/../../scripts/lib/netns.sh"
tern_require_netadmin
for t in trafgen wrk curl ping taskset; do
    command -v "$t" >/dev/null || { echo "FAIL: never_deaf: $t not found (scripts/setup.sh)"; exit 1; }
done
TMP=$(mktemp -d /tmp/tern-never-deaf.XXXXXX)
URL="http://$TERN_ENGINE_IP/"
FLOOD_RATE=3000
BG=()         # PIDs of the current case's background clients
FLOOD_PID=""
rc=0
pass() { echo "PASS: never_deaf: $*"; }
fail() { echo "FAIL: never_deaf: $*"; rc=1; }

on_exit() {
    local st=$?
    set +e
    for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
    (exit $st)
    tern_cleanup
    rm -rf "$TMP"
    exit $st
}
trap on_exit EXIT

# Clients inside the namespace, on CPU 0. ip, taskset, env and timeout
# exec, so "${NSRUN[@]}" ... & leaves the client's own PID in $! (a shell
# function in the background would leave a subshell's). ND runs nd.py below.
NSRUN=() ND=()
nsrun() { "${NSRUN[@]}" "$@"; }
nd() { "${NSRUN[@]}" "${ND[@]}" "$@"; }

# start_tern NAME [tern options...]: http on port 80 plus the options.
start_tern() {
    local name=$1; shift
    TERN_LOG=$TMP/tern-$name.log
    echo "--- $name: tern --set listen.port=80 --set listen.app=http $*"
    local up=0
    tern_ns_up "tern-nd-$name-$$" --set listen.port=80 --set listen.app=http "$@" || up=$?
    trap on_exit EXIT  # tern_ns_up set its own
    [ "$up" -eq 0 ] || return 1
    NSRUN=(ip netns exec "$TERN_NS" taskset -c 0)
    ND=(env PYTHONPATH="$HERE" TERN_PREFIX="$TERN_PREFIX" timeout -k 2 60 /usr/bin/python3 "$TMP/nd.py")
    # The flood's SYN-ACKs: routed to tern0, dropped by the kernel there.
    tern_ns ip route add 198.19.0.0/16 dev "$TERN_IFACE"
}

# stop_tern NAME: SIGTERM (must exit 0), then the namespace goes.
stop_tern() {
    if [ -n "$TERN_PID" ]; then
        local st=0
        tern_stop || st=$?
        if [ "$st" -eq 0 ]; then pass "$1: tern exited 0 on SIGTERM"
        else fail "$1: tern exited $st on SIGTERM"; tail -5 "$TERN_LOG"; fi
    fi
    grep "^TERN: worker" "$TERN_LOG" | tail -3
    tern_cleanup
    TERN_NS="" TERN_PREFIX="" TERN_PID=""
}

# trafgen: SYNs to port 80 from 198.19.0.0/16 (random sources, ports, ISNs),
# to the Ethernet address $1.
syn_cfg() {
    echo "{ eth(da=$1, sa=$TERN_KERNEL_MAC),
        ipv4(saddr=198.19.0.1, saddr[2:2]=drnd(), daddr=$TERN_ENGINE_IP, id=drnd()),
        tcp(sp=drnd(), dp=80, seq=drnd(), syn, window=64240) }"
}
# flood COUNT: COUNT spoofed SYNs to tern at FLOOD_RATE/s, in the background.
flood() {
    "${NSRUN[@]}" timeout -k 2 $(($1 / FLOOD_RATE + 5)) trafgen --no-sock-mem --notouch-irq --cpus 1 \
        -o "$TERN_IFACE" -b "${FLOOD_RATE}pps" -n "$1" "$(syn_cfg "$TERN_ENGINE_MAC")" >"$TMP/flood.out" 2>&1 &
    FLOOD_PID=$!
    BG+=("$FLOOD_PID")
}
flood_wait() {
    local st=0
    wait "$FLOOD_PID" || st=$?
    echo "info: $1: SYN flood: $(tr '\r' '\n' <"$TMP/flood.out" | sed -n 's/^ *\([0-9]*\) packets outgoing.*/\1/p') SYNs" \
        "sent at ${FLOOD_RATE}/s from 198.19.0.0/16 (trafgen exit $st)"
}

# wait_bg: every background client of the case (each one is bounded).
wait_bg() {
    local p
    for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done
    BG=()
}

curl_ok() {
    local out
    out=$(nsrun curl -s -m 3 -w '|%{http_code}' "$URL" 2>/dev/null)
    [ "$out" = $'hello from tern\n|200' ]
}
# curl_loop SECONDS FILE: a request every 0.2 s for SECONDS (background).
curl_loop() {
    (
        end=$((SECONDS + $1))
        while [ "$SECONDS" -lt "$end" ]; do
            if curl_ok; then echo ok; else echo bad; fi
            sleep 0.2
        done >"$2"
    ) &
    BG+=($!)
}
# curl_tally CASE FILE must|info
curl_tally() {
    local ok all
    ok=$(grep -c '^ok$' "$2")
    all=$(grep -c . "$2")
    if [ "$3" = info ]; then
        echo "info: $1: curl during the case: $ok of $all answered (tern may refuse here)"
    elif [ "$all" -gt 0 ] && [ "$ok" = "$all" ]; then
        pass "$1: curl during the case: $ok of $all answered 'hello from tern'"
    else
        fail "$1: curl during the case: $ok of $all answered 'hello from tern'"
    fi
}

# alive CASE: curl, ping and rx_packets after the case.
alive() {
    local rx0 rx1 got
    rx0=$(nd get rx_packets) || rx0=""
    if curl_ok; then pass "$1: curl afterwards gets 'hello from tern'"
    else fail "$1: curl afterwards does not get 'hello from tern'"; fi
    got=$(nsrun ping -c 3 -i 0.2 -W 1 "$TERN_ENGINE_IP" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
    if [ "${got:-0}" = 3 ]; then pass "$1: ping afterwards answered 3/3"
    else fail "$1: ping afterwards answered ${got:-0}/3"; fi
    rx1=$(nd get rx_packets) || rx1=""
    if [ -n "$rx0" ] && [ -n "$rx1" ] && [ "$rx1" -gt "$rx0" ]; then
        pass "$1: rx_packets moves ($rx0 -> $rx1)"
    else
        fail "$1: rx_packets does not move (${rx0:-?} -> ${rx1:-?})"
    fi
}

cat >"$TMP/nd.py" <<'PY'
# never_deaf.sh's client and checker, run in the namespace on CPU 0.
#   snap FILE                     /tern/stats + the port's ethdev counters
#   get NAME                      one counter's value
#   report CASE BEFORE AFTER X..  X = name (printed) or name>N, name>=N,
#                                 name==N, name<=N (asserted on the delta)
#   values CASE NAME..            current values, printed
#   sample FILE SECONDS NAME..    peaks of gauges, every 20 ms
#   peak CASE FILE NAME<=N..      asserts a sampled peak
#   settle CASE BEFORE SECONDS    the gauges back (bounded wait)
#   zerowin CASE HOLD_S MB        case 1's client that never reads
#   badframes CASE N              case 5's calibration and burst
import fcntl, json, operator, os, random, re, socket, struct, subprocess, sys, time
from tcp_sys import (ENGINE_IP, ENGINE_MAC, GAUGE_LIVE, GAUGE_TW, IFACE, KERNEL_IP, KERNEL_MAC,
                     Checks, MissingCounter, Stats, stats, telemetry)

ZERO_GAUGES = [GAUGE_LIVE, GAUGE_TW, "half_open_conns"]
POOL_GAUGES = ["mbufs_in_use", "chunks_in_use"]
POOL_SLACK = 32
URL = "http://%s/" % ENGINE_IP
OPS = {">": operator.gt, ">=": operator.ge, "==": operator.eq, "<=": operator.le}


def tap_tx_dropped():
    """Frames the namespace's kernel could not hand to tern (tap queue full)."""
    with open("/sys/class/net/%s/statistics/tx_dropped" % IFACE) as f:
        return int(f.read())


def snap():
    s = Stats(stats())
    eth = telemetry("/ethdev/stats,0")
    for k in ("ipackets", "rx_nombuf", "imissed", "ierrors", "oerrors"):
        s["eth_" + k] = eth.get(k, 0)
    s["tap_tx_dropped"] = tap_tx_dropped()
    return s


def load(path):
    try:
        with open(path) as f:
            return Stats(json.load(f))
    except (OSError, ValueError):
        raise SystemExit("FAIL: never_deaf: no snapshot %s (see its FAIL above)" % os.path.basename(path))


def item(spec):
    m = re.fullmatch(r"([a-z0-9_]+)(?:(>=|<=|==|>)(\d+))?", spec)
    if not m:
        raise SystemExit("bad item %r" % spec)
    return m.group(1), m.group(2), int(m.group(3) or 0)


def checked(c, case, name, fn):
    """fn() under a MissingCounter guard: a missing counter is one FAIL."""
    try:
        return fn()
    except MissingCounter:
        c.ok(False, "%s: counter %s missing" % (case, name))
        return None


def cmd_snap(path):
    try:
        s = snap()
    except Exception as e:  # tern gone or its telemetry stuck
        raise SystemExit("FAIL: never_deaf: no /tern/stats for %s: %r" % (os.path.basename(path), e))
    with open(path, "w") as f:
        json.dump(s, f)


def cmd_get(name):
    try:
        s = stats()
    except Exception as e:  # tern gone or its telemetry stuck: the caller says so
        raise SystemExit("no /tern/stats: %r" % e)
    if name not in s:
        raise SystemExit("counter %s missing" % name)
    print(s[name])


def cmd_report(case, before, after, *specs):
    c = Checks("never_deaf")
    b, a = load(before), load(after)
    for spec in specs:
        name, op, n = item(spec)

        def one():
            d = a[name] - b[name]
            line = "%s %d -> %d (%+d)" % (name, b[name], a[name], d)
            if op:
                c.ok(OPS[op](d, n), "%s: %s, want a change %s %d" % (case, line, op, n))
            else:
                print("info: %s: %s" % (case, line), flush=True)
        checked(c, case, name, one)
    sys.exit(min(c.failures, 100))


def cmd_values(case, *names):
    s = snap()
    print("info: %s: %s" % (case, ", ".join(
        "%s=%s" % (n, s[n] if n in s else "missing") for n in names)), flush=True)


def cmd_sample(path, seconds, *names):
    peak = {n: None for n in names}
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        s = stats()
        for n in names:
            if n in s:
                peak[n] = max(peak[n] or 0, s[n])
        time.sleep(0.02)
    with open(path, "w") as f:
        json.dump(peak, f)


def cmd_peak(case, path, *specs):
    c = Checks("never_deaf")
    with open(path) as f:
        peak = json.load(f)
    for spec in specs:
        name, op, n = item(spec)
        if peak.get(name) is None:
            c.ok(False, "%s: counter %s missing" % (case, name))
        else:
            c.ok(OPS[op](peak[name], n), "%s: %s peaked at %d during the case (want %s %d)" % (
                case, name, peak[name], op, n))
    sys.exit(min(c.failures, 100))


def cmd_settle(case, before, seconds):
    """Waits (at most `seconds`) for the gauges to come back, then says so."""
    c = Checks("never_deaf")
    b = load(before)
    t0 = time.monotonic()

    def pending(s):
        return [g for g in ZERO_GAUGES if g in s and s[g] != 0] + [
            g for g in POOL_GAUGES if g in s and g in b and abs(s[g] - b[g]) > POOL_SLACK]
    while True:
        s = snap()
        if not pending(s) or time.monotonic() - t0 >= float(seconds):
            break
        time.sleep(0.1)
    took = time.monotonic() - t0
    for g in ZERO_GAUGES:
        checked(c, case, g, lambda: c.ok(s[g] == 0, "%s: %s = %d, %.1f s after the case (want 0 within %s s)" % (
            case, g, s[g], took, seconds)))
    for g in POOL_GAUGES:
        checked(c, case, g, lambda: c.ok(abs(s[g] - b[g]) <= POOL_SLACK,
                                         "%s: %s = %d, %d before the case (want within %d), %.1f s after it" % (
                                             case, g, s[g], b[g], POOL_SLACK, took)))
    sys.exit(min(c.failures, 100))


def ioctl_int(s, req):
    return struct.unpack("i", fcntl.ioctl(s.fileno(), req, b"\0" * 4))[0]


SIOCINQ, SIOCOUTQ = 0x541B, 0x5411


def cmd_zerowin(case, hold, megabytes):
    """Connects to the echo port with a small receive buffer, writes up to
    `megabytes` MB without ever reading for `hold` seconds, then closes
    (with unread data: the kernel ends it with a RST)."""
    c = Checks("never_deaf")
    hold, total = float(hold), int(megabytes) << 20
    b = snap()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    s.settimeout(5.0)
    s.connect((ENGINE_IP, 7))
    s.setblocking(False)
    block = os.urandom(65536)
    sent, t0 = 0, time.monotonic()
    last = t0
    while time.monotonic() - t0 < hold:
        if sent < total:
            try:
                sent += s.send(block[:total - sent])
                last = time.monotonic()
                continue
            except BlockingIOError:
                pass
        time.sleep(0.05)
    unread, queued = ioctl_int(s, SIOCINQ), ioctl_int(s, SIOCOUTQ)
    mid = snap()
    print("info: %s: the client wrote %d of %d bytes, the last %.1f s ago; %d echoed bytes unread "
          "in its receive buffer, %d bytes in its send queue" % (
              case, sent, total, time.monotonic() - last, unread, queued), flush=True)
    c.ok(sent < total and queued > 0,
         "%s: the client's writes stalled (tern's receive window closed behind its full send buffer)" % case)
    c.ok(unread > 0, "%s: the client never read: its window is closed" % case)
    checked(c, case, "tcp_retransmits", lambda: c.ok(
        mid["tcp_retransmits"] > b["tcp_retransmits"],
        "%s: tern probed the closed window: tcp_retransmits %d -> %d (zero-window probes and retransmits)" % (
            case, b["tcp_retransmits"], mid["tcp_retransmits"])))
    checked(c, case, "chunks_in_use", lambda: print(
        "info: %s: chunks_in_use %d before, %d while the client does not read" % (
            case, b["chunks_in_use"], mid["chunks_in_use"]), flush=True))
    s.close()
    sys.exit(min(c.failures, 100))


def bad_frames(rnd):
    """One frame of every kind, ports and IDs drawn from rnd."""
    from scapy.all import Dot1Q, Ether, IP, Raw, TCP, UDP, raw
    eth = Ether(src=KERNEL_MAC, dst=ENGINE_MAC)

    def ip(**kw):
        return IP(src=KERNEL_IP, dst=ENGINE_IP, id=rnd.getrandbits(16), **kw)

    def syn(**kw):
        return TCP(sport=rnd.randint(20000, 60000), dport=80, flags="S",
                   seq=rnd.getrandbits(32), window=64240, **kw)

    def flip(b, off):
        b = bytearray(b)
        b[off] ^= 0x5A
        return bytes(b)
    good = raw(eth / ip() / syn())
    ihl3 = bytearray(good)
    ihl3[14] = 0x43
    tcp_bytes = raw(ip() / syn(options=[("MSS", 1460)]) / Raw(b"f" * 16))[20:]
    return {
        "IPv4 header cut at 12 bytes": good[:14 + 12],
        "IHL 3": bytes(ihl3),
        "IPv4 header checksum wrong": flip(good, 14 + 10),
        "TCP checksum wrong": flip(good, 14 + 20 + 16),
        "TCP data offset 4": raw(eth / ip() / syn(dataofs=4)),
        "TCP option running past the header": raw(eth / ip() / syn(dataofs=6) / Raw(b"\x02\x08\x05\xb4")),
        "IPv4 total length 100 bytes past the frame": raw(eth / ip(len=20 + 20 + 100) / syn()),
        "IPv4 fragment, first": raw(eth / ip(proto=6, flags="MF", frag=0) / Raw(tcp_bytes[:24])),
        "IPv4 fragment, last": raw(eth / ip(proto=6, frag=3) / Raw(tcp_bytes[24:])),
        "runt: Ethernet header alone": raw(eth)[:12] + b"\x08\x00",
        "ethertype IPv6": raw(Ether(src=KERNEL_MAC, dst=ENGINE_MAC, type=0x86DD) / Raw(b"\x60" + bytes(39))),
        "ethertype 0x88b5": raw(Ether(src=KERNEL_MAC, dst=ENGINE_MAC, type=0x88B5) / Raw(bytes(46))),
        "VLAN-tagged IPv4": raw(eth / Dot1Q(vlan=5) / ip() / syn()),
        "UDP to port 80": raw(eth / ip() / UDP(sport=rnd.randint(20000, 60000), dport=80) / Raw(b"x" * 8)),
        "to another MAC": raw(Ether(src=KERNEL_MAC, dst="02:00:c6:12:00:99") / ip() / syn()),
    }


# Every received frame tern drops is counted once, in one of these.
def drop_counters(s):
    return [k for k in s if k.startswith(("drop_", "tcp_parse_")) or k in ("rx_multiseg", "icmp_other")]


def wait_rx(before, n, timeout=3.0):
    """Stats once tern has taken n more frames than `before` (bounded)."""
    end = time.monotonic() + timeout
    while True:
        s = stats()
        if s["rx_packets"] >= before["rx_packets"] + n or time.monotonic() > end:
            time.sleep(0.05)
            return stats()
        time.sleep(0.01)


def curl_ok():
    try:
        out = subprocess.run(["curl", "-s", "-m", "3", "-w", "|%{http_code}", URL],
                             capture_output=True, timeout=5).stdout
    except subprocess.TimeoutExpired:
        return False
    return out == b"hello from tern\n|200"


def cmd_badframes(case, n):
    c = Checks("never_deaf")
    n = int(n)
    rnd = random.Random()
    sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sk.bind((IFACE, 0))
    # 1. Each kind once: which counters take it (tern answers none of them).
    calib = {}
    for kind, frame in bad_frames(rnd).items():
        s0 = stats()
        sk.send(frame)
        s1 = wait_rx(s0, 1)
        moved = {k: s1[k] - s0[k] for k in drop_counters(s1) if s1[k] != s0[k]}
        drops = sum(moved.values())
        calib[kind] = moved
        c.ok(s1["rx_packets"] - s0["rx_packets"] >= 1 and drops == 1,
             "%s: one frame '%s' (%d bytes): counted as %s" % (case, kind, len(frame), moved or "nothing"))
    # 2. n frames, every kind in turn (16 variants of each), a curl request
    # after every 100 of them; about 1,500 frames a second.
    variants = [bad_frames(rnd) for _ in range(16)]
    kinds = list(calib)
    sent = {k: 0 for k in kinds}
    curls = []
    s0 = stats()
    drop0 = tap_tx_dropped()
    t0 = time.monotonic()
    for i in range(n):
        kind = kinds[i % len(kinds)]
        try:
            sk.send(variants[(i // len(kinds)) % len(variants)][kind])
            sent[kind] += 1
        except OSError:
            pass
        if i % 100 == 99:
            curls.append(curl_ok())
            d = t0 + (i + 1) / 1500.0 - time.monotonic()
            if d > 0:
                time.sleep(d)
    curls.append(curl_ok())
    total = sum(sent.values())
    s1 = wait_rx(s0, total)
    tap_drops = tap_tx_dropped() - drop0
    print("info: %s: %d malformed frames sent in %.1f s (%d refused by the socket), %d dropped "
          "by the kernel before tern (tap queue full)" % (
              case, total, time.monotonic() - t0, n - total, tap_drops), flush=True)
    c.ok(all(curls), "%s: curl between the bad frames: %d of %d answered 'hello from tern'" % (
        case, sum(curls), len(curls)))
    want = {}
    for kind, moved in calib.items():
        for k, v in moved.items():
            want[k] = want.get(k, 0) + v * sent[kind]
    for k in sorted(set(want) | set(drop_counters(s1))):
        d = s1[k] - s0[k]
        c.ok(want.get(k, 0) - tap_drops <= d <= want.get(k, 0) + 2,
             "%s: %s %d -> %d (%+d; %d expected from the frames sent, less at most %d the kernel dropped)" % (
                 case, k, s0[k], s1[k], d, want.get(k, 0), tap_drops))
    drops = sum(s1[k] - s0[k] for k in drop_counters(s1))
    c.ok(total - tap_drops <= drops <= total + 2,
         "%s: drop counters together +%d for %d frames sent" % (case, drops, total))
    sys.exit(min(c.failures, 100))


if __name__ == "__main__":
    cmds = {k[4:]: v for k, v in globals().items() if k.startswith("cmd_")}
    cmds[sys.argv[1]](*sys.argv[2:])
PY

# ---- 1 and 5: echo on port 7 beside http, default pools --------------------
cat >"$TMP/echo.toml" <<'EOF'
[[listeners]]
port = 7
app = "echo"
EOF
if start_tern zerowin -c "$TMP/echo.toml" --set tcp.synack_retries=1 --set tcp.msl_ms=500; then
    C=case1
    echo "--- $C: a client that stops reading (zero window), a SYN flood and curl requests, 8 s"
    nd snap "$TMP/$C.before" || rc=1
    flood $((8 * FLOOD_RATE))
    curl_loop 8 "$TMP/$C.curl"
    nd zerowin "$C" 8 8 || rc=1
    flood_wait "$C"
    wait_bg
    curl_tally "$C" "$TMP/$C.curl" must
    nd snap "$TMP/$C.after" || rc=1
    nd report "$C" "$TMP/$C.before" "$TMP/$C.after" tcp_retransmits tcp_rto_timeouts \
        tcp_send_chunks_exhausted tcp_conn_reset tcp_passive_opens tcp_syncookies_sent \
        tcp_syn_backlog_drops tcp_outbox_full tx_no_mbuf eth_rx_nombuf tap_tx_dropped || rc=1
    # The flood's half-open entries end 1 + 2 s after their SYN (synack_retries=1).
    nd settle "$C" "$TMP/$C.before" 8 || rc=1
    nd snap "$TMP/$C.settled" || rc=1
    nd report "$C" "$TMP/$C.before" "$TMP/$C.settled" tcp_synack_timeouts tcp_conn_closed || rc=1
    alive "$C"

    C=case5
    echo "--- $C: malformed frames, each kind once, then 3,000 with a curl request every 100"
    nd snap "$TMP/$C.before" || rc=1
    nd badframes "$C" 3000 || rc=1
    nd settle "$C" "$TMP/$C.before" 3 || rc=1
    alive "$C"
else
    fail "case1, case5: tern did not start"
fi
stop_tern "case1+5"

# ---- 2: the mbuf pool ------------------------------------------------------
C=case2a
echo "--- $C: engine.mbufs=1023, engine.mbuf_cache=0, port.rx_desc left at its default (1024)"
if start_tern pool-default --set engine.mbufs=1023 --set engine.mbuf_cache=0; then
    # The load cannot tell anything if tern is not there before it.
    alive "$C"
    nd values "$C" rx_packets eth_ipackets eth_rx_nombuf mbufs_in_use mbufs_total tap_tx_dropped
elif grep -q "^tern: error: engine.mbufs 1023 is too small for net_tap0" "$TERN_LOG"; then
    pass "$C: tern refuses the setting: $(grep -m1 '^tern: error:' "$TERN_LOG")"
    st=0; wait "$TERN_PID" 2>/dev/null || st=$?
    [ "$st" -eq 2 ] && pass "$C: tern exited 2" || fail "$C: tern exited $st (want 2)"
    TERN_PID=""  # reaped: stop_tern has nothing to stop
else
    fail "$C: tern did not start"
fi
stop_tern "$C"

C=case2b
echo "--- $C: engine.mbufs=1536, engine.mbuf_cache=0 (the least accepted): wrk -c200 and the flood, 5 s"
if start_tern pool --set engine.mbufs=1536 --set engine.mbuf_cache=0 \
    --set tcp.synack_retries=1 --set tcp.msl_ms=500; then
    nd snap "$TMP/$C.before" || rc=1
    flood $((5 * FLOOD_RATE))
    nsrun timeout -k 2 15 wrk -t1 -c200 -d5s --timeout 2s -H 'Connection: close' "$URL" >"$TMP/$C.wrk" 2>&1
    flood_wait "$C"
    wait_bg
    echo "info: $C: wrk: $(grep -E 'requests in|Socket errors|Non-2xx' "$TMP/$C.wrk" | tr -s ' ' | tr '\n' ';')"
    nd snap "$TMP/$C.after" || rc=1
    nd report "$C" "$TMP/$C.before" "$TMP/$C.after" tx_no_mbuf eth_rx_nombuf eth_imissed tx_full_drops \
        tx_deferred tcp_outbox_full tcp_timers_deferred tcp_established tcp_syncookies_sent \
        tcp_retransmits tap_tx_dropped || rc=1
    nd values "$C" mbufs_in_use mbufs_total
    nd settle "$C" "$TMP/$C.before" 8 || rc=1
    alive "$C"

    # net_tap reads its kernel queue only after a signal (one per frame the
    # kernel queues), and an RX burst cut short by an empty pool counts as
    # having emptied it: with a pool of 15 spare mbufs (which tern now
    # refuses), this burst left the queue full of unread frames for good.
    C=case2c
    echo "--- $C: the same pool, 3,000 frames at once to another MAC (each one dropped on arrival)"
    nd snap "$TMP/$C.before" || rc=1
    nsrun timeout -k 2 10 trafgen --no-sock-mem --notouch-irq --cpus 1 -o "$TERN_IFACE" -n 3000 \
        "$(syn_cfg 02:00:c6:12:00:99)" >"$TMP/$C.trafgen" 2>&1
    sleep 1
    nd snap "$TMP/$C.after" || rc=1
    nd report "$C" "$TMP/$C.before" "$TMP/$C.after" rx_packets drop_not_for_us eth_rx_nombuf \
        tap_tx_dropped || rc=1
    nd settle "$C" "$TMP/$C.before" 3 || rc=1
    alive "$C"
    nd snap "$TMP/$C.alive" || rc=1
    nd report "$C" "$TMP/$C.after" "$TMP/$C.alive" rx_packets eth_rx_nombuf tap_tx_dropped || rc=1
else
    fail "$C: tern did not start"
fi
stop_tern "case2b+c"

# ---- 3: the TIME_WAIT pool -------------------------------------------------
C=case3
echo "--- $C: tcp.max_tw_buckets=16, tcp.msl_ms=2000: wrk -c16 'Connection: close', 3 s"
if start_tern tw --set tcp.max_tw_buckets=16 --set tcp.msl_ms=2000; then
    nd snap "$TMP/$C.before" || rc=1
    "${NSRUN[@]}" "${ND[@]}" sample "$TMP/$C.peak" 4 time_wait_conns &
    BG+=($!)
    curl_loop 3 "$TMP/$C.curl"
    nsrun timeout -k 2 10 wrk -t1 -c16 -d3s --timeout 2s -H 'Connection: close' "$URL" >"$TMP/$C.wrk" 2>&1
    wait_bg
    echo "info: $C: wrk: $(grep -E 'requests in|Socket errors|Non-2xx' "$TMP/$C.wrk" | tr -s ' ' | tr '\n' ';')"
    curl_tally "$C" "$TMP/$C.curl" info
    nd snap "$TMP/$C.after" || rc=1
    nd report "$C" "$TMP/$C.before" "$TMP/$C.after" 'tcp_tw_created>=16' 'tcp_tw_pool_exhausted>0' \
        tcp_established tcp_conn_closed || rc=1
    nd peak "$C" "$TMP/$C.peak" 'time_wait_conns<=16' || rc=1
    nd settle "$C" "$TMP/$C.before" 8 || rc=1   # 2 x MSL = 4 s
    nd snap "$TMP/$C.settled" || rc=1
    nd report "$C" "$TMP/$C.before" "$TMP/$C.settled" tcp_tw_created tcp_tw_expired tcp_tw_reuse \
        tcp_tw_killed_by_rst || rc=1
    alive "$C"
else
    fail "$C: tern did not start"
fi
stop_tern "$C"

# ---- 4: the half-open pool -------------------------------------------------
for cookies in 0 1; do
    C=case4$([ $cookies = 0 ] && echo a || echo b)
    echo "--- $C: tcp.max_syn_backlog=64, tcp.syncookies=$cookies, tcp.synack_retries=1: SYN flood, 4 s"
    if start_tern "backlog$cookies" --set tcp.max_syn_backlog=64 --set tcp.syncookies=$cookies \
        --set tcp.synack_retries=1; then
        nd snap "$TMP/$C.before" || rc=1
        "${NSRUN[@]}" "${ND[@]}" sample "$TMP/$C.peak" 5 half_open_conns &
        BG+=($!)
        flood $((4 * FLOOD_RATE))
        curl_loop 4 "$TMP/$C.curl"
        flood_wait "$C"
        nd snap "$TMP/$C.after" || rc=1
        # A half-open entry ends 1 + 2 s after its SYN-ACK: the first 64
        # at 3 s, 64 more taken then end at 6 s, 2 s after the flood: 0
        # within 3 s of the flood's end, plus a margin.
        nd settle "$C" "$TMP/$C.before" 5 || rc=1
        wait_bg
        if [ $cookies = 0 ]; then
            curl_tally "$C" "$TMP/$C.curl" info
            nd report "$C" "$TMP/$C.before" "$TMP/$C.after" 'tcp_syn_backlog_drops>0' \
                'tcp_syncookies_sent==0' tcp_passive_opens tcp_synack_retransmits tcp_synack_timeouts \
                tap_tx_dropped || rc=1
        else
            curl_tally "$C" "$TMP/$C.curl" must
            nd report "$C" "$TMP/$C.before" "$TMP/$C.after" 'tcp_syncookies_sent>0' \
                'tcp_syn_backlog_drops==0' tcp_syncookies_ok tcp_passive_opens tcp_synack_retransmits \
                tcp_synack_timeouts tap_tx_dropped || rc=1
        fi
        nd peak "$C" "$TMP/$C.peak" 'half_open_conns<=64' || rc=1
        alive "$C"
    else
        fail "$C: tern did not start"
    fi
    stop_tern "$C"
done

if [ "$rc" -ne 0 ]; then echo "FAIL: never_deaf"; exit 1; fi
echo "PASS: never_deaf"
