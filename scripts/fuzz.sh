#!/usr/bin/env bash
# A bounded libFuzzer run of the TCP Stack (arbitrary bytes as segments into
# a listener and its TCBs, invariants checked after every step). Needs clang
# (scripts/setup.sh installs it); skipped with a note when it is absent.
#   scripts/fuzz.sh [SECONDS]     (default 60)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SECS=${1:-60}
if ! command -v clang++ >/dev/null; then
    echo "fuzz: clang++ not found, skipped"
    exit 0
fi
if [ ! -f build-fuzz/build.ninja ]; then
    # The whole tree builds with clang here; warnings are enforced by build/.
    CXX=clang++ meson setup build-fuzz -Dfuzz=true -Dbench=false -Dwerror=false -Db_lto=false \
        --buildtype=debugoptimized >/dev/null
fi
ninja -C build-fuzz test/unit/tcp/tcp-stack-fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
echo "fuzz: tcp-stack-fuzz for ${SECS}s"
build-fuzz/test/unit/tcp/tcp-stack-fuzz -max_total_time="$SECS" -rss_limit_mb=2048 \
    -print_final_stats=1 "$corpus" 2>&1 | tail -15
