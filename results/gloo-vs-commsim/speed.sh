#!/bin/sh
# Harness speed of the real gloo library under the simulation: whole-process wall time and peak
# memory of a real-data all-reduce of 1 MiB per rank, 2 calls, at P = 8, 64 and 256 (8 ranks per
# node, 10 Gb/s, 5 us: the cluster of results/harness-speed/ring-256.yaml), through
#   - gloo (commsim bench --impl gloo),
#   - commsim's own collectives (--impl commsim: the same messages, see README.md here),
#   - SMPI (smpirun, its `lr` ring, LV08) on the platform commsim exports for the same cluster.
# Usage: results/gloo-vs-commsim/speed.sh [BUILD_DIR]
# Needs GNU time (/usr/bin/time) and, for the SMPI rows, smpicxx and smpirun.
set -eu

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../measure.sh"

if command -v smpicxx > /dev/null && command -v smpirun > /dev/null; then
  smpicxx -O2 "$root/tests/smpi/allreduce_timer.cpp" -o "$work/allreduce_timer" 2> /dev/null
  smpi=yes
else
  echo "SMPI rows skipped: smpicxx or smpirun not found"
  smpi=no
fi

for ranks in 8 64 256; do
  nodes=$((ranks / 8))
  sed "s/nodes: 32/nodes: $nodes/; s/tensor: 256/tensor: $ranks/" "$root/results/harness-speed/ring-256.yaml" \
    > "$work/ring.yaml"
  for impl in gloo commsim; do
    measure "$impl all-reduce, $ranks ranks, 1 MiB, 2 calls" \
      "$commsim" bench "$work/ring.yaml" --impl "$impl" --sizes 1MiB --iters 2
    grep -E '^ +1048576' "$work/out" | awk '{ printf "    simulated: %s us per call\n", $8 }'
  done
  if [ "$smpi" = yes ]; then
    "$commsim" platform "$work/ring.yaml" --xml "$work/ring.xml"
    i=0
    while [ $i -lt "$nodes" ]; do echo "node$i:8"; i=$((i + 1)); done > "$work/hosts"
    # The timer runs one untimed all-reduce, then one timed: 2 calls.
    (cd "$work" && measure "SMPI lr all-reduce, $ranks ranks, 1 MiB, 2 calls" \
      smpirun -np "$ranks" -platform ring.xml -hostfile hosts ./allreduce_timer 262144 1 \
      --cfg=network/model:LV08 --cfg=smpi/allreduce:lr --cfg=smpi/simulate-computation:0 \
      --cfg=smpi/host-speed:1Gf --log=root.thres:critical)
  fi
done
