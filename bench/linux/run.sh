#!/usr/bin/env bash
# bench/linux/run.sh — the Linux kernel baseline for tern's benchmarks.
#
#   bench/linux/run.sh cps|synflood [--seconds N] [--json FILE] [--repeat R]
#       [--warmup S] [--server-cpu 1] [--client-cpu 0] [--concurrency C]
#       [--close server|client] [--rate SYNS_PER_S] [--body TEXT]
#       [--bin-dir DIR] [--no-rps] [--keep-logs DIR]
#       [--quiet-wait SECONDS] [--retries N] [--attribution auto|perf|procstat]
#       [--nice N]
#
# Two network namespaces joined by a veth pair (addresses from 198.18.0.0/15
# only): the server namespace runs tern-bl-http-server pinned to --server-cpu,
# the client namespace runs the load (tern-bl-conn-client for `cps`,
# tern-bl-synflood for `synflood`) pinned to --client-cpu, for N seconds after
# a warm-up. The result is reported per fully busy server core:
# per_busy_core_rate = rate / (our share of the server CPU over exactly the
# window the load program measured; see "Whose work is it?" below).
#
# The machine may be shared (other builds, fuzzers): before each run the script
# waits up to --quiet-wait seconds (default 60) for both CPUs to be < 10 %
# busy, and after it estimates the CPU share other processes took
# ("foreign_min" = busy - our task - softirq). A run with more than 5 % foreign
# load on either CPU is marked contaminated and, with --retries N, redone (default
# 0: the perf attribution below already separates the foreign share).
#
# Whose work is it? With --attribution perf (the default when `perf` from
# Debian's linux-perf works) `perf record -e cpu-clock -g` samples both CPUs
# over the window and perf_attrib.py splits each CPU into our task, softirq
# (the kernel work our traffic causes), idle, perf and foreign processes;
# per_busy_core_rate = rate / (our task + softirq share of the server CPU).
# With procstat (no perf) it is rate / (busy - foreign_min) from /proc/stat,
# which in this guest under-counts softirq time (tick sampling), so it errs
# high when the server CPU is not saturated.
#
# --nice N (e.g. -10; default 0) runs the server and the load program at that
# nice level, so that on a shared machine they get most of their CPU back from
# other people's nice-0 processes for the length of the run (softirq work done
# in ksoftirqd is not raised). Nothing else is touched.
#
# The JSON "median" object holds: scenario, seconds, rate, per_busy_core_rate,
# server_cpu_busy / client_cpu_busy (1 - idle), server_cpu_work /
# client_cpu_work (our share), failures, latency_us (cps), reply_ratio
# (synflood), limited_by_runs; "runs" holds every run in full.
#
# Each repetition gets fresh namespaces (no TIME_WAIT or cookie state carried
# over). Prints one JSON document on stdout (and to --json FILE): every run plus
# the medians. Needs root, iproute2, nftables (synflood), g++ if the programs
# are not built yet, /usr/bin/python3 for the JSON.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY=/usr/bin/python3

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-2}"; }

[ $# -ge 1 ] || usage
SCENARIO="$1"; shift
case "$SCENARIO" in cps|synflood) ;; -h|--help) usage 0 ;; *) echo "run.sh: unknown scenario '$SCENARIO'" >&2; usage ;; esac

SECS=10 JSON_OUT="" REPEAT=1 WARMUP=1 SCPU=1 CCPU=0 CONC=64 CLOSE=server RATE=0
BODY=$'hello from tern\n' BIN_DIR="" RPS=1 KEEP_LOGS="" QUIET_WAIT=60 RETRIES=0 ATTRIB=auto NICE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS="$2"; shift 2 ;;
    --json) JSON_OUT="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --server-cpu) SCPU="$2"; shift 2 ;;
    --client-cpu) CCPU="$2"; shift 2 ;;
    --concurrency) CONC="$2"; shift 2 ;;
    --close) CLOSE="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --body) BODY="$2"; shift 2 ;;
    --bin-dir) BIN_DIR="$2"; shift 2 ;;
    --no-rps) RPS=0; shift ;;
    --keep-logs) KEEP_LOGS="$2"; shift 2 ;;
    --quiet-wait) QUIET_WAIT="$2"; shift 2 ;;
    --retries) RETRIES="$2"; shift 2 ;;
    --attribution) ATTRIB="$2"; shift 2 ;;
    --nice) NICE="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_uint "$SECS" && [ "$SECS" -ge 1 ] && [ "$SECS" -le 600 ] || { echo "run.sh: --seconds in 1..600" >&2; exit 2; }
is_uint "$REPEAT" && [ "$REPEAT" -ge 1 ] && [ "$REPEAT" -le 20 ] || { echo "run.sh: --repeat in 1..20" >&2; exit 2; }
is_uint "$WARMUP" && [ "$WARMUP" -le 30 ] || { echo "run.sh: --warmup in 0..30" >&2; exit 2; }
is_uint "$QUIET_WAIT" && [ "$QUIET_WAIT" -le 3600 ] || { echo "run.sh: --quiet-wait in 0..3600" >&2; exit 2; }
is_uint "$RETRIES" && [ "$RETRIES" -le 10 ] || { echo "run.sh: --retries in 0..10" >&2; exit 2; }
[[ "$NICE" =~ ^-?[0-9]+$ ]] && [ "$NICE" -ge -20 ] && [ "$NICE" -le 19 ] || { echo "run.sh: --nice in -20..19" >&2; exit 2; }
is_uint "$SCPU" && is_uint "$CCPU" || { echo "run.sh: CPUs are numbers" >&2; exit 2; }
case "$ATTRIB" in
  auto) if perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1; then ATTRIB=perf; else ATTRIB=procstat; fi ;;
  perf) perf record -q -e cpu-clock -o /dev/null -- true >/dev/null 2>&1 || { echo "run.sh: perf does not work here (apt-get install linux-perf)" >&2; exit 2; } ;;
  procstat) ;;
  *) echo "run.sh: --attribution auto|perf|procstat" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (network namespaces)" >&2; exit 2; }
[ -x "$PY" ] || { echo "run.sh: needs $PY (Debian python3)" >&2; exit 2; }
NCPU=$(nproc)
[ "$SCPU" -lt "$NCPU" ] && [ "$CCPU" -lt "$NCPU" ] || { echo "run.sh: only $NCPU CPUs" >&2; exit 2; }
[ "$SCPU" -ne "$CCPU" ] || echo "run.sh: warning: server and client share CPU $SCPU" >&2

# ---- binaries: meson's (build/bench/linux) if current, else g++ into a cache --
SRCS=("$HERE/common.h" "$HERE/http_server.cpp" "$HERE/conn_client.cpp" "$HERE/synflood.cpp")
need_build() {  # $1 = binary
  [ -x "$1" ] || return 0
  local s; for s in "${SRCS[@]}"; do [ "$s" -nt "$1" ] && return 0; done
  return 1
}
if [ -z "$BIN_DIR" ]; then
  if [ -d "$ROOT/build/bench/linux" ] && ! need_build "$ROOT/build/bench/linux/tern-bl-http-server" \
     && ! need_build "$ROOT/build/bench/linux/tern-bl-conn-client" \
     && ! need_build "$ROOT/build/bench/linux/tern-bl-synflood"; then
    BIN_DIR="$ROOT/build/bench/linux"
  else
    BIN_DIR="${TMPDIR:-/tmp}/tern-bl-bin"
    mkdir -p "$BIN_DIR"
    for p in http_server:tern-bl-http-server conn_client:tern-bl-conn-client synflood:tern-bl-synflood; do
      src="${p%%:*}" bin="${p##*:}"
      if need_build "$BIN_DIR/$bin"; then
        echo "run.sh: building $bin" >&2
        g++ -O2 -std=c++20 -Wall -Wextra -o "$BIN_DIR/$bin.tmp$$" "$HERE/$src.cpp"
        mv -f "$BIN_DIR/$bin.tmp$$" "$BIN_DIR/$bin"
      fi
    done
  fi
fi
for b in tern-bl-http-server tern-bl-conn-client tern-bl-synflood; do
  [ -x "$BIN_DIR/$b" ] || { echo "run.sh: $BIN_DIR/$b missing" >&2; exit 2; }
done

# ---- per-run state, cleaned on every exit path -----------------------------------
SRV_NS="tern-bl-srv-$$" CLI_NS="tern-bl-cli-$$"
VS="tbls$$" VC="tblc$$"          # veth names (<= 15 chars)
SRV_ADDR=198.18.1.1 CLI_ADDR=198.18.1.2 PORT=80
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tern-bl.XXXXXX")"
SERVER_PID="" LOAD_PID="" PERF_PID=""

stop_pid() {  # $1 = pid we started; TERM, wait up to 5 s, then KILL
  local pid="$1" i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
teardown() {
  stop_pid "$PERF_PID"; PERF_PID=""
  stop_pid "$LOAD_PID"; LOAD_PID=""
  stop_pid "$SERVER_PID"; SERVER_PID=""
  ip netns del "$CLI_NS" 2>/dev/null || true
  ip netns del "$SRV_NS" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  teardown
  if [ -n "$KEEP_LOGS" ]; then mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/ 2>/dev/null || true; fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpumask() { printf '%x' $((1 << $1)); }

# Busy percentage of CPU $1 over $2 seconds, from /proc/stat.
cpu_busy_pct() {
  local a b
  a=$(grep "^cpu$1 " /proc/stat); sleep "$2"; b=$(grep "^cpu$1 " /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x); split(b, y);
    busy = (y[2]-x[2]) + (y[3]-x[3]) + (y[4]-x[4]) + (y[7]-x[7]) + (y[8]-x[8]);
    tot = busy + (y[5]-x[5]) + (y[6]-x[6]);
    pct = 0; if (tot > 0) pct = 100 * busy / tot; printf "%d\n", pct }'
}
# Wait (bounded) until both CPUs are nearly idle; 0 = quiet, 1 = gave up.
wait_quiet() {
  [ "$QUIET_WAIT" -gt 0 ] || return 0
  local deadline=$((SECONDS + QUIET_WAIT)) b0 b1 said=0
  while :; do
    b0=$(cpu_busy_pct "$CCPU" 1); b1=$(cpu_busy_pct "$SCPU" 1)
    [ "$b0" -lt 10 ] && [ "$b1" -lt 10 ] && return 0
    [ "$SECONDS" -lt "$deadline" ] || { echo "run.sh: machine still busy (cpu$CCPU ${b0}%, cpu$SCPU ${b1}%) after ${QUIET_WAIT}s; measuring anyway" >&2; return 1; }
    [ "$said" -eq 1 ] || { echo "run.sh: other load on the CPUs (cpu$CCPU ${b0}%, cpu$SCPU ${b1}%); waiting up to ${QUIET_WAIT}s for quiet" >&2; said=1; }
  done
}

setup() {
  ip netns add "$SRV_NS"
  ip netns add "$CLI_NS"
  ip link add "$VC" netns "$CLI_NS" type veth peer name "$VS" netns "$SRV_NS"
  ip -n "$SRV_NS" link set lo up
  ip -n "$CLI_NS" link set lo up
  ip -n "$SRV_NS" addr add "$SRV_ADDR/24" dev "$VS"
  {
    echo "addr add $CLI_ADDR/24 dev $VC"
    for i in $(seq 10 50); do echo "addr add 198.18.1.$i/24 dev $VC"; done
  } | ip -n "$CLI_NS" -batch -
  ip -n "$SRV_NS" link set "$VS" up
  ip -n "$CLI_NS" link set "$VC" up

  # RPS: veth has no interrupt of its own. veth_xmit() hands the frame to the
  # peer with netif_rx(), which queues it on the backlog of the CPU that is
  # *sending*; so without RPS the server's whole receive path (IP, TCP, SYN
  # cookies, accept queue wake-ups) would run on the client's CPU and the
  # server CPU would look idle. RPS on each veth's rx-0 steers that backlog
  # work to the receiving side's own CPU: the server namespace's receive
  # softirq runs on the server CPU and the client namespace's on the client
  # CPU. (/sys is per network namespace under `ip netns exec`.)
  if [ "$RPS" -eq 1 ]; then
    ip netns exec "$SRV_NS" sh -c "echo $(cpumask "$SCPU") > /sys/class/net/$VS/queues/rx-0/rps_cpus"
    ip netns exec "$CLI_NS" sh -c "echo $(cpumask "$CCPU") > /sys/class/net/$VC/queues/rx-0/rps_cpus"
  fi

  # Server namespace (all of these sysctls are per network namespace).
  local cookies=1
  [ "$SCENARIO" = synflood ] && cookies=2  # 2 = a cookie SYN-ACK for every SYN
  ip netns exec "$SRV_NS" sysctl -qw \
    net.core.somaxconn=65535 \
    net.ipv4.tcp_max_syn_backlog=65535 \
    net.ipv4.tcp_syncookies="$cookies" \
    net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0 \
    "net.ipv4.conf.$VS.rp_filter=0"
  # Client namespace: wide ephemeral range; TIME_WAIT reuse for outgoing
  # connections (matters with --close client, where TIME_WAIT is on this side).
  ip netns exec "$CLI_NS" sysctl -qw \
    net.ipv4.ip_local_port_range="1024 65535" \
    net.ipv4.tcp_tw_reuse=1

  if [ "$SCENARIO" = synflood ]; then
    # SYN-ACKs to the spoofed 198.19.0.0/16 sources go back out of the veth.
    ip -n "$SRV_NS" route add 198.19.0.0/16 via "$CLI_ADDR" dev "$VS"
    # The client namespace owns no 198.19 address and does not forward, so it
    # drops those SYN-ACKs; should anything still try to answer, drop it.
    ip netns exec "$CLI_NS" sysctl -qw net.ipv4.ip_forward=0
    ip netns exec "$CLI_NS" nft -f - <<EOF
table inet tern_bl {
  chain out {
    type filter hook output priority 0; policy accept;
    tcp flags & rst == rst drop
    ip daddr 198.19.0.0/16 drop
  }
}
EOF
  fi
}

netstat_snapshot() {  # $1 = ns, $2 = file
  ip netns exec "$1" cat /proc/net/netstat /proc/net/snmp > "$2"
}

start_server() {
  ip netns exec "$SRV_NS" nice -n "$NICE" "$BIN_DIR/tern-bl-http-server" --addr "$SRV_ADDR" --port "$PORT" \
    --cpu "$SCPU" --body "$BODY" --max-seconds $((SECS + WARMUP + 120)) \
    2> "$WORK/server.log" &
  SERVER_PID=$!
  local i
  for i in $(seq 1 50); do
    grep -q listening "$WORK/server.log" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: server did not start:" >&2; cat "$WORK/server.log" >&2
  return 1
}

run_once() {  # $1 = repetition index; writes $WORK/run$1.json
  local rep="$1" load_json="$WORK/load$1.json" quiet=1
  wait_quiet || quiet=0
  setup
  start_server
  netstat_snapshot "$SRV_NS" "$WORK/srv_before"
  netstat_snapshot "$CLI_NS" "$WORK/cli_before"
  if [ "$ATTRIB" = perf ]; then
    # Sample both CPUs at 1 kHz with CLOCK_MONOTONIC timestamps from before the
    # load starts until it ends; perf_attrib.py keeps only the samples inside
    # the window the load program measured. Bounded by the sleep.
    perf record -q -k CLOCK_MONOTONIC -e cpu-clock -F 1000 -g -m 1024 -C "$CCPU,$SCPU" \
        -o "$WORK/perf$rep.data" -- sleep $((SECS + WARMUP + 70)) > "$WORK/perf$rep.log" 2>&1 &
    PERF_PID=$!
    local i
    for i in $(seq 1 100); do [ -s "$WORK/perf$rep.data" ] && break; sleep 0.05; done
    sleep 0.3
  fi
  if [ "$SCENARIO" = cps ]; then
    timeout --signal=TERM $((SECS + WARMUP + 60)) \
      ip netns exec "$CLI_NS" nice -n "$NICE" "$BIN_DIR/tern-bl-conn-client" --server "$SRV_ADDR" --port "$PORT" \
        --src 198.18.1.10-198.18.1.50 --concurrency "$CONC" --close "$CLOSE" \
        --seconds "$SECS" --warmup "$WARMUP" --cpu "$CCPU" --measure-cpus "$CCPU,$SCPU" \
        --server-pid "$SERVER_PID" --server-cpu "$SCPU" > "$load_json" 2> "$WORK/load$rep.log" &
  else
    local mac
    mac=$(ip netns exec "$SRV_NS" cat "/sys/class/net/$VS/address")
    timeout --signal=TERM $((SECS + WARMUP + 60)) \
      ip netns exec "$CLI_NS" nice -n "$NICE" "$BIN_DIR/tern-bl-synflood" --ifname "$VC" --dst-mac "$mac" \
        --dst "$SRV_ADDR" --port "$PORT" --src-net 198.19.0.0/16 --rate "$RATE" \
        --seconds "$SECS" --warmup "$WARMUP" --cpu "$CCPU" --measure-cpus "$CCPU,$SCPU" \
        --server-pid "$SERVER_PID" --server-cpu "$SCPU" > "$load_json" 2> "$WORK/load$rep.log" &
  fi
  LOAD_PID=$!
  local rc=0
  wait "$LOAD_PID" || rc=$?
  LOAD_PID=""
  if [ -n "$PERF_PID" ]; then
    kill -INT "$PERF_PID" 2>/dev/null || true   # perf writes its file and exits
    local i
    for i in $(seq 1 100); do kill -0 "$PERF_PID" 2>/dev/null || break; sleep 0.1; done
    stop_pid "$PERF_PID"; PERF_PID=""
  fi
  netstat_snapshot "$SRV_NS" "$WORK/srv_after"
  netstat_snapshot "$CLI_NS" "$WORK/cli_after"
  local tw_srv tw_cli
  tw_srv=$(ip netns exec "$SRV_NS" ss -Htan state time-wait | wc -l)
  tw_cli=$(ip netns exec "$CLI_NS" ss -Htan state time-wait | wc -l)
  stop_pid "$SERVER_PID"; SERVER_PID=""
  if [ "$rc" -ne 0 ] || [ ! -s "$load_json" ]; then
    echo "run.sh: load program failed (rc=$rc):" >&2; cat "$WORK/load$rep.log" >&2
    return 1
  fi
  local attrib_json="$WORK/attrib$rep.json"
  echo '{}' > "$attrib_json"
  if [ "$ATTRIB" = perf ] && [ -s "$WORK/perf$rep.data" ]; then
    local srv_comm=tern-bl-http-se cli_comm=tern-bl-conn-cl
    [ "$SCENARIO" = synflood ] && cli_comm=tern-bl-synfloo
    local win
    win=$("$PY" -c 'import json,sys; w=json.load(open(sys.argv[1]))["window_mono_ns"]; print(w[0], w[1])' "$load_json")
    perf script -i "$WORK/perf$rep.data" -F comm,cpu,time,ip,sym --ns 2>/dev/null > "$WORK/perf$rep.txt" || true
    # shellcheck disable=SC2086  # $win is two numbers
    "$PY" "$HERE/perf_attrib.py" "$WORK/perf$rep.txt" $win "$SCPU:$srv_comm" "$CCPU:$cli_comm" \
      > "$attrib_json" || echo '{}' > "$attrib_json"
    rm -f "$WORK/perf$rep.txt"
  fi
  "$PY" - "$SCENARIO" "$SECS" "$rep" "$load_json" "$WORK" "$tw_srv" "$tw_cli" "$SCPU" "$CCPU" "$RPS" "$quiet" "$attrib_json" "$NICE" \
      > "$WORK/run$rep.json" <<'PYEOF'
import json, sys
scen, secs, rep, load_path, work, tw_srv, tw_cli, scpu, ccpu, rps, quiet, attrib_path, nice = sys.argv[1:]
attrib = json.load(open(attrib_path))
scpu, ccpu = int(scpu), int(ccpu)
load = json.load(open(load_path))

def netstat(path):
    d, lines = {}, open(path).read().splitlines()
    for a, b in zip(lines[0::2], lines[1::2]):
        ka, kb = a.split(), b.split()
        if ka[0] != kb[0]:
            continue
        for k, v in zip(ka[1:], kb[1:]):
            try:
                d[ka[0].rstrip(':') + '.' + k] = int(v)
            except ValueError:
                pass
    return d

def delta(side, keys):
    b, a = netstat(f"{work}/{side}_before"), netstat(f"{work}/{side}_after")
    return {k.split('.', 1)[1]: a.get(k, 0) - b.get(k, 0) for k in keys}

keys = ["TcpExt.SyncookiesSent", "TcpExt.SyncookiesRecv", "TcpExt.SyncookiesFailed",
        "TcpExt.ListenOverflows", "TcpExt.ListenDrops", "TcpExt.TW", "TcpExt.TCPTimeWaitOverflow",
        "TcpExt.TCPReqQFullDoCookies", "TcpExt.TCPReqQFullDrop", "Tcp.PassiveOpens",
        "Tcp.ActiveOpens", "Tcp.AttemptFails", "Tcp.EstabResets", "Tcp.OutRsts", "Tcp.InErrs",
        "Tcp.RetransSegs"]
cpus = {c["cpu"]: c for c in load.get("cpus", [])}
srv, cli = cpus.get(scpu, {}), cpus.get(ccpu, {})
srv_busy, cli_busy = srv.get("busy", 0.0), cli.get("busy", 0.0)
if attrib.get(str(scpu)) and attrib.get(str(ccpu)):
    # perf cpu-clock attribution (see perf_attrib.py)
    how = "perf"
    pa_s, pa_c = attrib[str(scpu)], attrib[str(ccpu)]
    srv_work, cli_work = pa_s["ours"], pa_c["ours"]
    srv_foreign, cli_foreign = pa_s["foreign"], pa_c["foreign"]
    srv_idle, cli_idle = pa_s["idle"], pa_c["idle"]
else:
    # /proc/stat: all of the busy share on a quiet machine; under foreign load,
    # busy - foreign_min (server task + softirq ticks).
    how = "procstat"
    srv_foreign, cli_foreign = srv.get("foreign_min", 0.0), cli.get("foreign_min", 0.0)
    srv_work = max(srv_busy - srv_foreign, 0.0)
    cli_work = max(cli_busy - cli_foreign, 0.0)
    srv_idle, cli_idle = 1 - srv_busy, 1 - cli_busy
contaminated = srv_foreign > 0.05 or cli_foreign > 0.05
if scen == "cps":
    rate = load["conn_per_s"]
    failures = load["failures"]
    lat = {k: {p: load["latency"][k][p] for p in ("p50_us", "p99_us", "p999_us", "mean_us", "max_us")}
           for k in ("connect", "response")}
else:
    rate = load["synacks_per_s"]
    failures = None
    lat = None
per_core = rate / srv_work if srv_work > 0 else None
# Which side limited the rate? A CPU with no idle time left is saturated
# (by us, or by us plus other people's processes: then "shared").
saturated = srv_idle <= 0.05
cli_saturated = cli_idle <= 0.05
if scen == "synflood":
    # The server is the bottleneck when it could not answer what was offered
    # (SYNs refused at its input backlog); otherwise the generator is.
    server_bound = load["reply_ratio"] < 0.98 or load["syns_refused_by_server_backlog"] > 0.01 * max(load["syns_sent"], 1)
    if server_bound:
        limited_by = "server"
    elif load.get("target_rate", 0) > 0:
        limited_by = "offered-rate"
    else:
        limited_by = "generator"
else:
    if saturated and not cli_saturated:
        limited_by = "server"
    elif cli_saturated and not saturated:
        limited_by = "generator"
    elif saturated and cli_saturated:
        limited_by = "both"
    else:
        limited_by = "neither"
shared = srv_foreign > 0.05 or cli_foreign > 0.05
detail = {
    "server": "the server CPU was the bottleneck: rate / our share of it = the kernel's capacity per core",
    "generator": "generator-bound: the client side could not offer more; per_busy_core_rate extrapolates rate / our share of the server CPU",
    "both": "both CPUs fully used; per_busy_core_rate = rate / our share of the server CPU",
    "offered-rate": "paced below capacity (--rate); the server answered everything; per_busy_core_rate at this load level (less batching than at saturation)",
    "neither": "neither CPU saturated (latency- or concurrency-bound); per_busy_core_rate extrapolates",
}[limited_by]
if shared:
    detail += ("; the CPUs were shared with other processes (%.0f%% of the server CPU, %.0f%% of the client CPU),"
               " so per-packet costs include their cache and scheduling interference" % (100 * srv_foreign, 100 * cli_foreign))
out = {
    "scenario": scen, "repetition": int(rep), "seconds": float(load["window_s"]),
    "rate": round(rate, 1), "rate_unit": "connections/s" if scen == "cps" else "syncookie SYN-ACKs/s",
    "per_busy_core_rate": round(per_core, 1) if per_core else None,
    "server_cpu": scpu, "client_cpu": ccpu, "rps": rps == "1", "nice": int(nice),
    "server_cpu_busy": round(1 - srv_idle, 4), "client_cpu_busy": round(1 - cli_idle, 4),
    "procstat": {"server_cpu_busy": round(srv_busy, 4), "client_cpu_busy": round(cli_busy, 4)},
    "server_cpu_softirq": round(srv.get("softirq", 0.0), 4),
    "attribution": how,
    "server_cpu_work": round(srv_work, 4), "client_cpu_work": round(cli_work, 4),
    "foreign_cpu": {"server_cpu": round(srv_foreign, 4), "client_cpu": round(cli_foreign, 4)},
    "perf_attribution": attrib,
    "machine_quiet_before": quiet == "1", "contaminated": contaminated,
    "server_saturated": saturated, "client_saturated": cli_saturated,
    "limited_by": limited_by, "limited_by_detail": detail,
    "failures": failures, "latency_us": lat,
    "server_netstat": delta("srv", keys), "client_netstat": delta("cli", keys),
    "time_wait_at_end": {"server_ns": int(tw_srv), "client_ns": int(tw_cli)},
    "load": load,
}
if scen == "synflood":
    out["syns_offered_per_s"] = load["syns_offered_per_s"]
    out["syns_accepted_per_s"] = load["syns_per_s"]
    out["reply_ratio"] = load["reply_ratio"]
else:
    out["time_wait_side"] = load["time_wait_side"]
print(json.dumps(out))
PYEOF
  teardown
}

show_run() {
  "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
lat = ""
if r["latency_us"]:
    c, s = r["latency_us"]["connect"], r["latency_us"]["response"]
    lat = " | connect p50/p99/p999 %.0f/%.0f/%.0f us, response %.0f/%.0f/%.0f us, failures %d" % (
        c["p50_us"], c["p99_us"], c["p999_us"], s["p50_us"], s["p99_us"], s["p999_us"], r["failures"])
else:
    lat = " | SYNs offered %.0f/s, reply ratio %.3f" % (r["syns_offered_per_s"], r["reply_ratio"])
print("  %s: %.0f %s; server cpu %.1f%% ours (%.1f%% busy), client cpu %.1f%% ours (%.1f%% busy) [%s] -> %.0f per busy core%s" % (
    r["scenario"], r["rate"], r["rate_unit"], 100 * r["server_cpu_work"], 100 * r["server_cpu_busy"],
    100 * r["client_cpu_work"], 100 * r["client_cpu_busy"], r["attribution"],
    r["per_busy_core_rate"] or 0, lat), file=sys.stderr)
print("  limited by: %s" % r["limited_by_detail"], file=sys.stderr)
if r["contaminated"]:
    print("  (contaminated: other processes took %.0f%% / %.0f%% of the server / client CPU)" % (
        100 * r["foreign_cpu"]["server_cpu"], 100 * r["foreign_cpu"]["client_cpu"]), file=sys.stderr)
' "$1"
}

for rep in $(seq 1 "$REPEAT"); do
  for attempt in $(seq 0 "$RETRIES"); do
    echo "run.sh: $SCENARIO run $rep/$REPEAT (${SECS}s + ${WARMUP}s warm-up, server cpu $SCPU, client cpu $CCPU, rps=$RPS)" >&2
    run_once "$rep"
    show_run "$WORK/run$rep.json"
    grep -q '"contaminated": true' "$WORK/run$rep.json" || break
    [ "$attempt" -lt "$RETRIES" ] || break
    cat "$WORK/run$rep.json" >> "$WORK/discarded.jsonl"
    echo "run.sh: redoing run $rep (contaminated; $((RETRIES - attempt)) retries left)" >&2
  done
done

"$PY" - "$SCENARIO" "$SECS" "$REPEAT" "$WORK" "$JSON_OUT" <<'PYEOF'
import collections, json, os, platform, statistics, sys, time
scen, secs, repeat, work, out_path = sys.argv[1:]
runs = [json.load(open(f"{work}/run{i}.json")) for i in range(1, int(repeat) + 1)]
discarded = []
if os.path.exists(f"{work}/discarded.jsonl"):
    discarded = [json.loads(l) for l in open(f"{work}/discarded.jsonl") if l.strip()]
med = lambda k: statistics.median([r[k] for r in runs if r.get(k) is not None]) if any(r.get(k) is not None for r in runs) else None
summary = {
    "scenario": scen, "seconds": int(secs), "repetitions": len(runs),
    "rate": med("rate"), "rate_unit": runs[0]["rate_unit"],
    "per_busy_core_rate": med("per_busy_core_rate"),
    "server_cpu_busy": med("server_cpu_busy"), "client_cpu_busy": med("client_cpu_busy"),
    "server_cpu_work": med("server_cpu_work"), "client_cpu_work": med("client_cpu_work"),
    "attribution": sorted(set(r["attribution"] for r in runs)),
    "failures": sum(r["failures"] for r in runs) if scen == "cps" else None,
    "limited_by_runs": dict(collections.Counter(r["limited_by"] for r in runs)),
    "contaminated_runs": sum(1 for r in runs if r["contaminated"]),
    "discarded_contaminated_runs": len(discarded),
    "foreign_cpu_median": {k: statistics.median([r["foreign_cpu"][k] for r in runs]) for k in ("server_cpu", "client_cpu")},
}
if scen == "cps":
    summary["latency_us"] = {k: {p: statistics.median([r["latency_us"][k][p] for r in runs])
                                 for p in ("p50_us", "p99_us", "p999_us")} for k in ("connect", "response")}
    summary["time_wait_side"] = runs[0]["time_wait_side"]
else:
    summary["syns_offered_per_s"] = statistics.median([r["syns_offered_per_s"] for r in runs])
    summary["reply_ratio"] = statistics.median([r["reply_ratio"] for r in runs])
doc = {
    "tool": "bench/linux/run.sh", "kind": "linux-kernel-baseline",
    "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    "machine": {"kernel": platform.release(), "cpus": os.cpu_count(),
                "model": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")},
    "median": summary, "runs": runs, "discarded_runs": discarded,
}
text = json.dumps(doc, indent=1)
if out_path:
    with open(out_path, "w") as f:
        f.write(text + "\n")
print(text)
m = summary
print("run.sh: %s median of %d x %ss: %.0f %s, server cpu %.1f%% ours -> %.0f per busy core (%s)" % (
    scen, len(runs), secs, m["rate"], m["rate_unit"], 100 * m["server_cpu_work"],
    m["per_busy_core_rate"] or 0, "limited by: " + ", ".join("%s x%d" % kv for kv in m["limited_by_runs"].items())), file=sys.stderr)
PYEOF
