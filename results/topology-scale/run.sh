#!/bin/sh
# The topology scale benchmark (results/topology-scale/README.md): whole-process wall time and peak
# memory of one phantom all-reduce over 4,096 ranks (512 nodes x 8) on a fat-tree and on a
# dragonfly, and of explaining the fat-tree (which builds its platform once).
# Usage: results/topology-scale/run.sh [BUILD_DIR]   (or: cmake --build build --target topology_scale)
# Needs GNU time (/usr/bin/time). Takes about 10 s.
set -eu

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../measure.sh"

# measure, then the bench row if the command printed one.
measure_row() {
  measure "$@"
  grep -E '^ +[0-9]+ +[0-9]+ +float32' "$work/out" | sed 's/^/    /' || true
}

for topology in fat-tree dragonfly; do
  measure_row "$topology 512 x 8: recursive-doubling all-reduce, 1 MiB, phantom" \
    "$commsim" bench "$here/$topology-512x8.yaml" --ranks-per-node 8 --phantom --sizes 1MiB \
    --algorithm recursive_doubling
done
measure_row "fat-tree 512 x 8: commsim explain (platform built, 8 routes)" \
  "$commsim" explain "$here/fat-tree-512x8.yaml"
