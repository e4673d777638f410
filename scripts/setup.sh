#!/usr/bin/env bash
# Idempotent: installs the Debian packages tern needs (only those missing),
# then configures and builds into build/. Seconds when all is in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  # build
  g++ pkg-config meson ninja-build
  libdpdk-dev dpdk dpdk-dev libfmt-dev libboost-dev libtbb-dev catch2
  libtomlplusplus-dev libbenchmark-dev
  # sanitizers and fuzzing
  clang libclang-rt-14-dev
  # tests and demo: namespaces, clients, packet tools
  iproute2 iputils-ping iputils-arping python3 python3-scapy tcpdump
  nftables curl procps linux-perf lua5.4
  # the soak (test/system/soak.sh, bench/soak.sh): HTTP load, trafgen
  wrk netsniff-ng
  # scale-out (test/system/scale_out.sh, docs/scale-out.md): BGP speakers,
  # ExaBGP on the nodes (its healthcheck), BIRD 2 on the router (ECMP)
  exabgp bird2
  # bench/run.sh's report (bench/report/plot.py)
  python3-matplotlib
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Hugepages for benchmarks and for DPDK secondary processes (dpdk-dumpcap):
# 1 GiB of 2 MiB pages, kept if already there. Without root or with a kernel
# that refuses, tests and benchmarks fall back to --no-huge and say so.
want_pages=512
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
    have=$(cat /proc/sys/vm/nr_hugepages)
    if [ "$have" -lt "$want_pages" ]; then
        echo "$want_pages" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    fi
    if ! grep -q '^[^ ]* /dev/hugepages hugetlbfs' /proc/mounts; then
        mkdir -p /dev/hugepages
        mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null || true
    fi
    [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 64 ] ||
        echo "setup: warning: no hugepages could be reserved; DPDK will need --no-huge" >&2
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release -Db_ndebug=false
fi
ninja -C build
