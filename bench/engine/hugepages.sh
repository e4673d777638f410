#!/bin/sh
# Reserve 2 MiB hugepages for tern-bench-engine (root). Never lowers an
# existing reservation and never clears other processes' hugepage files.
#   bench/engine/hugepages.sh [MiB]     (default 1024)
set -eu
want_mb=${1:-1024}
want=$(( want_mb / 2 ))
[ "$(id -u)" = 0 ] || { echo "hugepages.sh: must run as root" >&2; exit 1; }
if ! grep -q ' hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages
    mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages
fi
cur=$(cat /proc/sys/vm/nr_hugepages)
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
if [ "$free" -lt "$want" ]; then
    echo $(( cur + want - free )) > /proc/sys/vm/nr_hugepages
fi
grep -E 'HugePages_(Total|Free)' /proc/meminfo
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "$free" -ge "$want" ] || { echo "hugepages.sh: only $free pages free (wanted $want)" >&2; exit 1; }
