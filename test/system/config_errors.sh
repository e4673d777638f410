#!/usr/bin/env bash
# Bad configuration ends with one clear error line and exit code 2; every
# drivers-config profile parses.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TERN=$ROOT/build/app/tern
PREFIX=tern-sys-cfg-$$
trap 'rm -rf /var/run/dpdk/$PREFIX' EXIT
failed=0
expect_error() {  # expect_error "message part" args...
    local want=$1; shift
    local err rc
    err=$("$TERN" "$@" 2>&1 >/dev/null); rc=$?
    local last; last=$(echo "$err" | tail -1)
    if [ $rc -ne 2 ] || [[ "$last" != "tern: error: "*"$want"* ]]; then
        echo "FAIL: tern $* -> rc=$rc, stderr: $err"; failed=1
    else
        echo "ok: $last"
    fi
}
expect_error "unknown key 'engine.nope'" -- --set engine.nope=1
expect_error "engine.address: invalid value '198.18.0.256/24'" -- --set engine.address=198.18.0.256/24
expect_error "cannot read config file '/nonexistent.toml'" -- -c /nonexistent.toml
expect_error "engine.address is not set" -- --set engine.burst=16
expect_error "unknown option '--bogus'" -- --bogus
expect_error "port.name: no DPDK port named 'net_tap9'" --no-huge -m 128 --no-pci -l 0,1 \
    --file-prefix=$PREFIX --vdev=net_null0 -- --set engine.address=198.18.0.2/24 --set port.name=net_tap9
expect_error "tcp.mss 9000 needs an MTU of 9040; port net_null0 has 1500" --no-huge -m 128 --no-pci \
    -l 0,1 --file-prefix=$PREFIX --vdev=net_null0 -- --set engine.address=198.18.0.2/24 --set tcp.mss=9000
expect_error "engine.tx_stall_us: " -- --set engine.address=198.18.0.2/24 --set engine.tx_stall_us=5
expect_error "listen.app: invalid value 'proxy' (expected one of echo, discard, http)" -- --set listen.app=proxy
# Refused before EAL starts (no EAL options given: it would fail otherwise).
expect_error "http.body longer than 32768 bytes" -- --set engine.address=198.18.0.2/24 \
    --set listen.port=80 --set "http.body=$(head -c 32769 /dev/zero | tr '\0' b)"
expect_error "EAL initialisation failed" --no-huge -m 128 --no-pci -l 0,1 --file-prefix=$PREFIX \
    --vdev=net_nonexistent0 -- --set engine.address=198.18.0.2/24
tmp=$(mktemp); printf '[engine]\naddress = "198.18.0.2/24"\nmbufs = "many"\n' >"$tmp"
expect_error "engine.mbufs: invalid value 'many'" -- -c "$tmp"
rm -f "$tmp"
for f in "$ROOT"/drivers-config/*.toml; do
    if ! "$TERN" -- -c "$f" --dump-config >/dev/null; then echo "FAIL: profile $f"; failed=1; fi
done
[ $failed -eq 0 ] && echo PASS
exit $failed
