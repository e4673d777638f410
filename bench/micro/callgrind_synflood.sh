#!/usr/bin/env bash
# Instructions per cookie SYN on the worker, counted by callgrind on
# tern-bench-engine synflood (--no-huge, software RX checksums).
#
# Worker::poll_once's inclusive count over the SYNs answered mixes two
# costs: what each SYN costs and what each poll costs whether it found
# SYNs or not. Under valgrind the generator and the worker run in turns,
# so how many SYNs a poll finds varies from run to run, and that ratio
# moved the old figure by 5-10 % between runs of one binary. Each run here
# gives (SYNs, polls, instructions); a least-squares fit of
#   instructions = per_syn * SYNs + per_poll * polls
# over the runs separates the two.
#   bench/micro/callgrind_synflood.sh [BUILD_DIR] [RUNS]
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-4}
BIN=$BUILD/bench/engine/tern-bench-engine
[ -x "$BIN" ] || { echo "callgrind_synflood: $BIN not built" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "callgrind_synflood: valgrind not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=()
for i in $(seq 1 "$RUNS"); do
    d=$work/$i
    mkdir "$d"
    # Runs of different lengths give different SYN/poll ratios.
    secs=$(( (i % 3) + 1 ))
    log=$(cd "$d" && valgrind --tool=callgrind --fair-sched=yes --separate-threads=yes \
        "$BIN" synflood --no-huge --seconds "$secs" --rx-csum sw 2>&1)
    n=$(echo "$log" | grep -o 'tcp_syncookies_sent=[0-9]*' | cut -d= -f2)
    row=$(python3 - "$d" "$n" <<'PY'
import glob, re, sys
d, n = sys.argv[1], sys.argv[2]
for f in glob.glob(d + "/callgrind.out.*"):
    names, cur, polls, incl, take = {}, None, 0, 0, False
    for line in open(f):
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith("cfn="):
                cur = names.get(m.group(1), "")
            continue
        m = re.match(r"calls=(\d+)", line)
        if m:
            take = bool(cur) and "Worker::poll_once(unsigned long)" in cur
            if take:
                polls += int(m.group(1))
            cur = None
            continue
        # The cost line right after a calls= line is the call's inclusive cost.
        if take:
            incl += int(line.split()[1])
            take = False
    if polls:
        print(n, polls, incl)
PY
)
    [ -n "$row" ] || { echo "$log" >&2; echo "callgrind_synflood: no poll_once in run $i" >&2; exit 1; }
    echo "run $i: $row (SYNs, polls, instructions)"
    rows+=("$row")
done
printf '%s\n' "${rows[@]}" | python3 -c '
import sys
r = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
sxx = sum(n * n for n, p, c in r); sxy = sum(n * p for n, p, c in r); syy = sum(p * p for n, p, c in r)
sxc = sum(n * c for n, p, c in r); syc = sum(p * c for n, p, c in r)
det = sxx * syy - sxy * sxy
if abs(det) < 1e-9 * sxx * syy:
    sys.exit("callgrind_synflood: the runs did not vary the SYNs per poll; run more")
a = (sxc * syy - syc * sxy) / det
b = (sxx * syc - sxy * sxc) / det
print("per cookie SYN: %.0f instructions, per poll: %.0f" % (a, b))
'
