#!/bin/sh
# The topology scale benchmark (results/topology-scale/README.md): whole-process wall time and peak
# memory of one phantom all-reduce over 4,096 ranks (512 nodes x 8) on a fat-tree and on a
# dragonfly, and of explaining the fat-tree (which builds its platform once).
# Usage: results/topology-scale/run.sh [BUILD_DIR]   (or: cmake --build build --target topology_scale)
# Needs GNU time (/usr/bin/time). Takes about 10 s.
set -eu

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
commsim=$(cd "$build" && pwd)/commsim
[ -x "$commsim" ] || { echo "run.sh: no commsim binary in $build" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# measure LABEL COMMAND...: one line with the command's wall time and peak resident memory.
measure() {
  label=$1
  shift
  /usr/bin/time -o "$work/time" -f "%e %M" "$@" > "$work/out" 2>&1 ||
    { echo "$label: failed"; cat "$work/out"; return 1; }
  read -r seconds kib < "$work/time"
  printf '%-62s %7.2f s wall %8d MiB peak\n' "$label" "$seconds" $((kib / 1024))
  # The bench row, if the command printed one.
  grep -E '^ +[0-9]+ +[0-9]+ +float32' "$work/out" | sed 's/^/    /' || true
}

for topology in fat-tree dragonfly; do
  measure "$topology 512 x 8: recursive-doubling all-reduce, 1 MiB, phantom" \
    "$commsim" bench "$here/$topology-512x8.yaml" --ranks-per-node 8 --phantom --sizes 1MiB \
    --algorithm recursive_doubling
done
measure "fat-tree 512 x 8: commsim explain (platform built, 8 routes)" \
  "$commsim" explain "$here/fat-tree-512x8.yaml"
