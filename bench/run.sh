#!/usr/bin/env bash
# bench/run.sh — tern and the Linux kernel side by side, one command (issue 6).
#
#   bench/run.sh [-r REPS] [-s SECONDS] [-b BUILD] [--scenarios cps,synflood,mixed]
#                [--no-linux] [--quick] [--warmup S] [--concurrency N] [--flood-rate PPS]
#                [--quiet-wait S] [--no-priority] [--out DIR] [--no-doc] [--keep-logs DIR]
#                [--no-build] [--memif zero-copy|copy] [--mixed-concurrency N]
#
# For each scenario and repetition: tern (net_memif server, worker lcore on
# CPU 1, control on CPU 0) driven by tern-gen (net_memif client on CPU 0) for
# SECONDS after a warm-up, then the Linux baseline for the same scenario
# (bench/linux/run.sh: epoll server on CPU 1, load on CPU 0, over a veth).
# Interleaved, so both sides see the same weather on a shared machine.
#   cps      tern-gen cps       vs bench/linux cps
#   synflood tern-gen synflood  vs bench/linux synflood
#   mixed    tern-gen mixed     (tern only: bench/linux cannot run its flood and its
#                                clients together; the targets here are absolute)
# Writes OUT/<date>.json (every run's raw JSON, medians, machine), OUT/<date>.md
# (tables, targets met / not met), OUT/<date>.png, and regenerates the table in
# docs/performance.md between its bench/run.sh markers (not with --no-doc).
# --quick = 1 repetition of 2 s (files named <date>-quick.*), a smoke check.
#
# Defaults: -r 3, -s 10, --warmup 1, -b build, all three scenarios, OUT
# bench/results, --concurrency 1024 (connections in flight, tern-gen's and the
# Linux client's alike), --mixed-concurrency 64 (legit clients in flight under
# the flood: the p99 handshake target is about latency, not about queueing
# behind a thousand connections), --flood-rate: tern-gen's default (as fast as it goes).
# --memif zero-copy (default on hugepages): tern is the memif client with
# zero-copy=yes, so its worker reads and writes packets in place, as with a
# NIC's DMA, and the copies into and out of the shared rings are done by
# tern-gen, which plays the wire (tern-gen starts first, as the server).
# --memif copy: tern is the server and copies every packet itself (the
# memif default; about 1.5x tern's cost per SYN on this machine). --quiet-wait S (default 10) is passed to bench/linux/run.sh.
# --priority is on unless --no-priority: every program measured (tern,
# tern-gen, the Linux baseline) leads its own session (setsid) at nice -20
# for itself and its scheduler autogroup; see bench/engine/README.md, "The
# machine is shared". Needs root (hugepages, namespaces, priorities).
# TERN_GEN=PATH uses that tern-gen binary instead of BUILD's (not rebuilt).
# Hugepages: bench/engine/hugepages.sh 1024; if that fails, tern and tern-gen
# run --no-huge, with a warning in the output and in every result file.
# Every process started is stopped by PID on every exit path; every wait is
# bounded; only 198.18.0.0/15 addresses are used.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY=/usr/bin/python3          # Debian's: python3-matplotlib is installed for it
REPORT="$HERE/report"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-2}"; }

REPS=3 SECS=10 WARMUP=1 BUILD="$ROOT/build" SCENARIOS=cps,synflood,mixed LINUX=1 QUICK=0
CONC=1024 MIXED_CONC=64 MEMIF=zero-copy FLOOD_RATE="" QUIET_WAIT=10 PRIORITY=1 OUT="$ROOT/bench/results" DOC=1 KEEP_LOGS="" BUILD_IT=1
CMDLINE="bench/run.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    -r) REPS="$2"; shift 2 ;;
    -s) SECS="$2"; shift 2 ;;
    -b) BUILD="$(cd "$2" 2>/dev/null && pwd || echo "$2")"; shift 2 ;;
    --scenarios) SCENARIOS="$2"; shift 2 ;;
    --no-linux) LINUX=0; shift ;;
    --quick) QUICK=1; shift ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --concurrency) CONC="$2"; shift 2 ;;
    --mixed-concurrency) MIXED_CONC="$2"; shift 2 ;;
    --memif) MEMIF="$2"; shift 2 ;;
    --flood-rate) FLOOD_RATE="$2"; shift 2 ;;
    --quiet-wait) QUIET_WAIT="$2"; shift 2 ;;
    --no-priority) PRIORITY=0; shift ;;
    --out) OUT="$2"; shift 2 ;;
    --no-doc) DOC=0; shift ;;
    --keep-logs) KEEP_LOGS="$2"; shift 2 ;;
    --no-build) BUILD_IT=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done
[ "$QUICK" -eq 0 ] || { REPS=1; SECS=2; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
is_uint "$REPS" && [ "$REPS" -ge 1 ] && [ "$REPS" -le 20 ] || { echo "run.sh: -r in 1..20" >&2; exit 2; }
is_uint "$SECS" && [ "$SECS" -ge 1 ] && [ "$SECS" -le 300 ] || { echo "run.sh: -s in 1..300" >&2; exit 2; }
is_uint "$WARMUP" && [ "$WARMUP" -le 30 ] || { echo "run.sh: --warmup in 0..30" >&2; exit 2; }
case "$MEMIF" in zero-copy|copy) ;; *) echo "run.sh: --memif zero-copy|copy" >&2; exit 2 ;; esac
is_uint "$MIXED_CONC" && [ "$MIXED_CONC" -ge 1 ] || { echo "run.sh: --mixed-concurrency N" >&2; exit 2; }
is_uint "$QUIET_WAIT" || { echo "run.sh: --quiet-wait SECONDS" >&2; exit 2; }
IFS=, read -r -a SCEN_LIST <<< "$SCENARIOS"
for s in "${SCEN_LIST[@]}"; do
  case "$s" in cps|synflood|mixed) ;; *) echo "run.sh: unknown scenario '$s'" >&2; exit 2 ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (hugepages, namespaces, priorities)" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "run.sh: needs 2 CPUs (tern's worker on CPU 1, tern-gen on CPU 0)" >&2; exit 2; }
"$PY" -c 'import matplotlib' 2>/dev/null || { echo "run.sh: needs python3-matplotlib (scripts/setup.sh)" >&2; exit 2; }

TERN="$BUILD/app/tern" GEN="${TERN_GEN:-$BUILD/bench/gen/tern-gen}" CORELAT="$BUILD/bench/common/tern-corelat"

# ---- build what is needed (--no-build: use the binaries as they are) ----------
if [ "$BUILD_IT" -eq 1 ]; then
  [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Db_ndebug=false >/dev/null
  targets=(app/tern bench/common/tern-corelat)
  [ -n "${TERN_GEN:-}" ] || targets+=(bench/gen/tern-gen)
  [ "$LINUX" -eq 0 ] || targets+=(bench/linux/tern-bl-http-server bench/linux/tern-bl-conn-client bench/linux/tern-bl-synflood)
  echo "run.sh: building ${targets[*]} in $BUILD" >&2
  ninja -C "$BUILD" "${targets[@]}" >&2 || { echo "run.sh: build failed (is bench/gen on this branch?)" >&2; exit 1; }
fi
for b in "$TERN" "$GEN"; do [ -x "$b" ] || { echo "run.sh: $b is not built" >&2; exit 1; }; done

# ---- hugepages ----------------------------------------------------------------
# tern and tern-gen take -m 512 each.
HUGE=1
if ! "$ROOT/bench/engine/hugepages.sh" 1024 >/dev/null; then
  HUGE=0
  for _ in 1 2 3; do
    echo "run.sh: WARNING: could not get 1 GiB of free 2 MiB hugepages: tern and tern-gen run --no-huge," >&2
    echo "run.sh: WARNING: 3-4x slower per packet on this machine; the results say so." >&2
  done
fi
mem_args() { if [ "$HUGE" -eq 1 ]; then echo "--huge-unlink -m 512"; else echo "--no-huge -m 512"; fi; }

# ---- state cleaned on every exit path ----------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tern-benchrun.XXXXXX")"
RUNS="$WORK/runs.jsonl"
: > "$RUNS"
TERN_PID="" GEN_PID="" SAMPLER_PID="" LINUX_PID="" PREFIXES=()

# Waits up to $2 seconds for pid $1 (ours) to exit: its exit status, or 124
# if it is still running.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + $2)) rc=0
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 124
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || rc=$?
  return "$rc"
}
# Waits up to $3 seconds for pid $1 (ours) to write its report $2: 0 once
# the file is there, else the pid's exit status (124: still running).
wait_report() {
  local pid="$1" file="$2" deadline=$((SECONDS + $3)) rc=0
  while [ ! -s "$file" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || rc=$?
      [ "$rc" -ne 0 ] || [ -s "$file" ] || rc=1
      return "$rc"
    fi
    [ "$SECONDS" -lt "$deadline" ] || return 124
    sleep 0.1
  done
}
stop_pid() {  # $1 = a pid we started (or ""): TERM, up to 10 s, then KILL
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait_exit "$1" 10 && return 0
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
forget_dpdk() {  # the runtime directory (and pages, if any) of a DPDK prefix we used
  rm -rf "/var/run/dpdk/$1" 2>/dev/null || true
  rm -f /dev/hugepages/"$1"map_* 2>/dev/null || true
}
cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  stop_pid "$GEN_PID"; stop_pid "$SAMPLER_PID"; stop_pid "$TERN_PID"; stop_pid "$LINUX_PID"
  for p in "${PREFIXES[@]}"; do forget_dpdk "$p"; done
  # --keep-logs: tern's and tern-gen's logs, telemetry series, raw JSON.
  [ -z "$KEEP_LOGS" ] || { mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/; } || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM

# Raises a program we just started (it leads its own session, see setsid
# below) to nice -20 for its autogroup: with sched_autogroup_enabled, plain
# nice only counts inside a session.
# It must have called setsid() first, or the write would raise the autogroup
# of this script's session instead: wait (bounded) until it leads a session.
boost() {
  [ "$PRIORITY" -eq 1 ] || return 0
  local _
  for _ in $(seq 1 100); do
    [ "$(ps -o sid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ] && break
    sleep 0.02
  done
  if [ "$(ps -o sid= -p "$1" 2>/dev/null | tr -d ' ')" = "$1" ] && echo -20 > "/proc/$1/autogroup" 2>/dev/null; then
    return 0
  fi
  echo "run.sh: could not raise pid $1's autogroup (not in its own session yet?)" >&2
}
# The command prefix that gives a program its own session (and nice -20).
launch_prefix() {
  if [ "$PRIORITY" -eq 1 ]; then echo "setsid nice -n -20"; else echo "setsid"; fi
}

# ---- tern + tern-gen -----------------------------------------------------------------
# tern's configuration per scenario (README.md in bench/results says why).
tern_settings() {
  local common=(port.name=net_memif0 engine.address=198.18.0.1/15 listen.port=80 listen.app=http
                engine.mbufs=32767 engine.drain_ms=500)
  case "$1" in
    cps)      echo "${common[*]} tcp.syncookies=1 tcp.max_syn_backlog=65536 net.somaxconn=65536" ;;
    synflood) echo "${common[*]} tcp.syncookies=2" ;;
    mixed)    echo "${common[*]} tcp.syncookies=1" ;;
  esac
}
gen_args() {
  # With tern as the zero-copy memif client, tern-gen's traffic starts as soon
  # as tern's port does, before tern's telemetry can be sampled: 2 s more of
  # warm-up keep the measured window inside the sampled series.
  local warm=$WARMUP
  [ "$(memif_mode)" != zero-copy ] || warm=$((WARMUP + 2))
  # --linger: after its report tern-gen stops polling and waits for tern to
  # close the memif link first (run_tern).
  local a=(--seconds "$SECS" --warmup "$warm" --dst-ip 198.18.0.1 --linger 30)
  [ "$1" != cps ] || a+=(--concurrency "$CONC")
  [ "$1" != mixed ] || a+=(--concurrency "$MIXED_CONC")
  [ -z "$FLOOD_RATE" ] || [ "$1" != mixed ] || a+=(--rate "$FLOOD_RATE")
  echo "${a[*]}"
}

# One cache line's round trip between CPUs 0 and 1 (ns, ~0.2 s at most): where
# the host has put the two vCPUs, which moves every cross-core cost.
core_rtt() { "$CORELAT" 0 1 2>/dev/null || true; }

memif_mode() { if [ "$HUGE" -eq 1 ]; then echo "$MEMIF"; else echo copy; fi; }
start_gen() {  # scenario dir file-prefix vdev
  # shellcheck disable=SC2046
  $(launch_prefix) "$GEN" -l 0 --no-pci --file-prefix="$3" $(mem_args) \
      --vdev="$4" -- "$1" $(gen_args "$1") --json "$2/gen.json" > "$2/gen.log" 2>&1 &
  GEN_PID=$!
  echo "$GEN_PID" > "$2/gen.pid"
  boost "$GEN_PID"
}

run_tern() {  # $1 scenario, $2 repetition
  local scen="$1" rep="$2" dir="$WORK/$1-$2-tern" la rc=0
  mkdir -p "$dir"
  local tp="tern-benchrun-$$-$scen-$rep" gp="tern-gen-$$-$scen-$rep" sock="$dir/memif.sock"
  local rtt0 rtt1
  rtt0=$(core_rtt)
  PREFIXES+=("$tp" "$gp")
  local sets=() s
  for s in $(tern_settings "$scen"); do sets+=(--set "$s"); done
  la=$(cat /proc/loadavg)
  echo "run.sh: $scen $rep/$REPS tern (load average ${la%% *}, memif $(memif_mode))" >&2
  local tern_eal=(--vdev="net_memif0,role=server,id=0,socket=$sock")
  local gen_vdev="net_memif0,role=client,id=0,socket=$sock"
  if [ "$(memif_mode)" = zero-copy ]; then
    # The zero-copy side must be the memif client, on one hugepage file
    # segment (DPDK's memif guide); the server must exist before it starts.
    tern_eal=(--single-file-segments -m 512 --vdev="net_memif0,role=client,id=0,socket=$sock,zero-copy=yes")
    gen_vdev="net_memif0,role=server,id=0,socket=$sock"
    start_gen "$scen" "$dir" "$gp" "$gen_vdev"
    # memif listens on an abstract socket (DPDK's default): ss shows it as @PATH.
    for _ in $(seq 1 100); do
      ss -xl 2>/dev/null | grep -qF "@$sock " && break
      kill -0 "$GEN_PID" 2>/dev/null || break
      sleep 0.1
    done
  else
    # shellcheck disable=SC2207
    tern_eal=($(mem_args) "${tern_eal[@]}")
  fi
  # shellcheck disable=SC2046  # the prefix is a word list
  $(launch_prefix) "$TERN" -l 0,1 --no-pci --file-prefix="$tp" "${tern_eal[@]}" \
      -- "${sets[@]}" > "$dir/tern.log" 2>&1 &
  TERN_PID=$!
  boost "$TERN_PID"
  for _ in $(seq 1 300); do
    grep -q "worker(s)" "$dir/tern.log" 2>/dev/null && break
    kill -0 "$TERN_PID" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q "worker(s)" "$dir/tern.log"; then
    echo "run.sh: tern did not start:" >&2; tail -20 "$dir/tern.log" >&2
    stop_pid "$TERN_PID"; TERN_PID=""
    [ -z "$GEN_PID" ] || { stop_pid "$GEN_PID"; GEN_PID=""; }
    record_tern "$scen" "$rep" "$dir" "$la" --core-rtt "$rtt0," --error "tern did not start: $(tail -1 "$dir/tern.log")"
    return 0
  fi
  "$PY" "$REPORT/telemetry_sampler.py" "$tp" "$dir/telemetry.jsonl" --max-seconds $((SECS + WARMUP + 120)) \
      --pid "tern=$TERN_PID" --pid-file "gen=$dir/gen.pid" 2> "$dir/sampler.log" &
  SAMPLER_PID=$!
  [ "$(memif_mode)" = zero-copy ] || start_gen "$scen" "$dir" "$gp" "$gen_vdev"
  # DPDK 22.11's memif PMD unmaps the shared rings when its peer goes, even
  # while its own side still polls them (tern crashed in ~1 run of 8 when
  # tern-gen simply exited). So: tern-gen reports, stops polling and
  # lingers; tern stops (drains, closes its port); then tern-gen exits.
  wait_report "$GEN_PID" "$dir/gen.json" $((SECS + WARMUP + 60)) || rc=$?
  sleep 0.5  # a telemetry sample after tern-gen's window closed (the sampler reads every 0.25 s)
  stop_pid "$SAMPLER_PID"; SAMPLER_PID=""
  local trc=0
  kill -TERM "$TERN_PID" 2>/dev/null || true
  wait_exit "$TERN_PID" 10 || trc=$?
  stop_pid "$TERN_PID"; TERN_PID=""
  if [ "$rc" -eq 0 ] && kill -0 "$GEN_PID" 2>/dev/null; then wait_exit "$GEN_PID" 35 || rc=$?; fi
  stop_pid "$GEN_PID"; GEN_PID=""
  forget_dpdk "$tp"; forget_dpdk "$gp"; rm -f "$sock"
  local err=()
  if [ "$rc" -ne 0 ] || [ ! -s "$dir/gen.json" ]; then
    echo "run.sh: tern-gen failed (exit $rc):" >&2; tail -20 "$dir/gen.log" >&2
    err=(--error "tern-gen exit status $rc: $(tail -1 "$dir/gen.log")")
  elif [ "$trc" -ne 0 ]; then
    echo "run.sh: tern exited with status $trc:" >&2; tail -5 "$dir/tern.log" >&2
    err=(--error "tern exit status $trc")
  fi
  rtt1=$(core_rtt)
  record_tern "$scen" "$rep" "$dir" "$la" --core-rtt "$rtt0,$rtt1" "${err[@]}"
}
record_tern() {  # scenario rep dir loadavg [--error MSG]
  local scen="$1" rep="$2" dir="$3" la="$4" s; shift 4
  local sets=()
  for s in $(tern_settings "$scen"); do sets+=(--setting "$s"); done
  "$PY" "$REPORT/record.py" tern --scenario "$scen" --rep "$rep" --seconds "$SECS" --warmup "$WARMUP" \
      --loadavg "$la" --gen "$dir/gen.json" --telemetry "$dir/telemetry.jsonl" "${sets[@]}" "$@" >> "$RUNS"
  "$PY" - "$RUNS" <<'PY' >&2
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
m = r.get("metrics") or {}
f = lambda v, p="%.0f": "n/a" if v is None else p % v
print("  tern: rate %s, worker busy %s (on CPU %s), tern-gen busy %s (on CPU %s), p99 handshake %s us%s" % (
    f(m.get("rate")), f(m.get("server_busy"), "%.3f"), f(m.get("tern_oncpu"), "%.3f"),
    f(m.get("generator_busy"), "%.3f"), f(m.get("generator_oncpu"), "%.3f"),
    f(m.get("p99_handshake_us")), ("  ERROR: " + r["error"]) if "error" in r else ""))
PY
}

# ---- the Linux baseline ---------------------------------------------------------------
run_linux() {  # $1 scenario (cps|synflood), $2 repetition
  local scen="$1" rep="$2" dir="$WORK/$1-$2-linux" la rc=0 rtt0 rtt1
  mkdir -p "$dir"
  rtt0=$(core_rtt)
  la=$(cat /proc/loadavg)
  echo "run.sh: $scen $rep/$REPS Linux (load average ${la%% *})" >&2
  local args=("$scen" --seconds "$SECS" --warmup "$WARMUP" --repeat 1 --json "$dir/linux.json"
              --server-cpu 1 --client-cpu 0 --quiet-wait "$QUIET_WAIT" --bin-dir "$BUILD/bench/linux")
  [ "$PRIORITY" -eq 0 ] || args+=(--nice -20)
  # tern-gen's clients send a keep-alive request and close first (TIME_WAIT on
  # the client side); the Linux clients do the same, with as many in flight.
  [ "$scen" != cps ] || args+=(--concurrency "$CONC" --close client)
  setsid "$ROOT/bench/linux/run.sh" "${args[@]}" > /dev/null 2> "$dir/linux.log" &
  LINUX_PID=$!
  boost "$LINUX_PID"
  wait_exit "$LINUX_PID" $((SECS + WARMUP + QUIET_WAIT + 240)) || rc=$?
  stop_pid "$LINUX_PID"; LINUX_PID=""
  local err=()
  if [ "$rc" -ne 0 ] || [ ! -s "$dir/linux.json" ]; then
    echo "run.sh: bench/linux/run.sh failed (exit $rc):" >&2; tail -20 "$dir/linux.log" >&2
    err=(--error "bench/linux/run.sh exit status $rc: $(tail -1 "$dir/linux.log")")
  fi
  grep -E "^  (cps|synflood):" "$dir/linux.log" >&2 || true
  rtt1=$(core_rtt)
  "$PY" "$REPORT/record.py" linux --scenario "$scen" --rep "$rep" --loadavg "$la" \
      --doc "$dir/linux.json" --core-rtt "$rtt0,$rtt1" "${err[@]}" >> "$RUNS"
}

# ---- the runs -------------------------------------------------------------------------
for scen in "${SCEN_LIST[@]}"; do
  for rep in $(seq 1 "$REPS"); do
    run_tern "$scen" "$rep"
    if [ "$LINUX" -eq 1 ] && [ "$scen" != mixed ]; then run_linux "$scen" "$rep"; fi
  done
done

# ---- report ---------------------------------------------------------------------------
mkdir -p "$OUT"
name="$(date +%Y-%m-%d)"
[ "$QUICK" -eq 0 ] || name="$name-quick"
notes=()
[ "$HUGE" -eq 1 ] || notes+=(--note "tern and tern-gen ran with --no-huge: bench/engine/hugepages.sh could not reserve 1 GiB.")
if [[ ",$SCENARIOS," == *,mixed,* ]]; then
  notes+=(--note "mixed: tern only. bench/linux cannot run its SYN flood and its connection clients together; the mixed targets are absolute (legit success rate, p99 handshake).")
fi
[ "$LINUX" -eq 1 ] || notes+=(--note "--no-linux: no Linux baseline in this run, so no ratios.")
"$PY" "$REPORT/aggregate.py" "$RUNS" "$OUT/$name.json" --hugepages "$([ "$HUGE" -eq 1 ] && echo yes || echo no)" \
    --command "$CMDLINE (tern on memif $(memif_mode); tern-gen mixed clients: $MIXED_CONC)" --seconds "$SECS" --warmup "$WARMUP" --reps "$REPS" "${notes[@]}"
"$PY" "$REPORT/markdown.py" "$OUT/$name.json" > "$OUT/$name.md"
"$PY" "$REPORT/plot.py" "$OUT/$name.json" "$OUT/$name.png"
[ "$DOC" -eq 0 ] || "$PY" "$REPORT/markdown.py" "$OUT/$name.json" --doc "$ROOT/docs/performance.md"
cat "$OUT/$name.md"
echo "run.sh: wrote $OUT/$name.json, $OUT/$name.md, $OUT/$name.png" >&2
