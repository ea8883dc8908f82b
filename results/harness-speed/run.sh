#!/bin/sh
# The harness-speed benchmarks of results/dist-collectives.md: whole-process wall time and peak
# memory of
#   - a real-data ring all-reduce, 256 ranks (32 nodes x 8), 1 MiB per rank, in commsim and in
#     SMPI (smpirun, the `lr` ring, LV08) on the platform commsim exports for the same cluster;
#   - phantom runs of 1,024 ranks x 100 collectives of 1 KiB.
# Usage: results/harness-speed/run.sh [BUILD_DIR]   (or: cmake --build build --target harness_speed)
# Needs GNU time (/usr/bin/time) and, for the SMPI rows, smpicxx and smpirun. Takes about 30 s.
set -eu

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../measure.sh"

ring="$here/ring-256.yaml"
measure "commsim ring all-reduce, 256 ranks, 1 MiB, 1 call" \
  "$commsim" bench "$ring" --algorithm ring --sizes 1MiB --iters 1
measure "commsim ring all-reduce, 256 ranks, 1 MiB, 2 calls" \
  "$commsim" bench "$ring" --algorithm ring --sizes 1MiB --iters 2
if command -v smpicxx > /dev/null && command -v smpirun > /dev/null; then
  "$commsim" platform "$ring" --xml "$work/ring-256.xml"
  smpicxx -O2 "$root/tests/smpi/allreduce_timer.cpp" -o "$work/allreduce_timer" 2> /dev/null
  i=0
  while [ $i -lt 32 ]; do echo "node$i:8"; i=$((i + 1)); done > "$work/hosts"
  # The timer runs one untimed all-reduce, then ITERATIONS timed ones: 2 calls in all.
  cd "$work"
  measure "SMPI lr all-reduce, 256 ranks, 1 MiB, 2 calls" \
    smpirun -np 256 -platform ring-256.xml -hostfile hosts ./allreduce_timer 262144 1 \
    --cfg=network/model:LV08 --cfg=smpi/allreduce:lr --cfg=smpi/simulate-computation:0 \
    --cfg=smpi/host-speed:1Gf --log=root.thres:critical
  cd "$root"
else
  echo "SMPI rows skipped: smpicxx or smpirun not found"
fi
measure "commsim phantom all-reduce (RD), 1024 ranks x 100, 1 KiB" \
  "$commsim" bench --nodes 1024 --sizes 1KiB --iters 100 --phantom
if [ -x "$build/s4u_floor" ]; then
  measure "bare SimGrid S4U, the same messages as the RD line above" \
    "$build/s4u_floor" 1024 100 --log=root.thres:critical
fi
measure "commsim phantom send_recv, 1024 ranks x 100, 1 KiB" \
  "$commsim" bench --nodes 1024 --collective send_recv --sizes 1KiB --iters 100 --phantom
