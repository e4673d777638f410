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
  nftables curl procps
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

if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release -Db_ndebug=false
fi
ninja -C build
