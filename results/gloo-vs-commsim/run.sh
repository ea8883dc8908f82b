#!/bin/sh
# gloo under SimGrid against commsim's own collectives: the same bench (same platform, sizes,
# data) run with --impl gloo and --impl commsim, for every collective commsim's fallback uses,
# group sizes 1 to 17 on a cluster and 2 to 16 on the other topology kinds, sizes on both sides of
# gloo's 1 MiB ring segment. Writes gloo-vs-commsim.csv (one row per point: both simulated times
# and their ratio) beside this script and prints, per topology and collective, the largest
# relative difference.
# Usage: results/gloo-vs-commsim/run.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
commsim=$(cd "$build" && pwd)/commsim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$here/gloo-vs-commsim.csv
echo "topology,collective,ranks,size_bytes,gloo_us,commsim_us,ratio" > "$out"

# point TOPOLOGY_LABEL COLLECTIVE BENCH_ARGS...: both implementations, rows joined by size.
point() {
  label=$1 collective=$2
  shift 2
  for impl in gloo commsim; do
    "$commsim" bench "$@" --collective "$collective" --impl "$impl" --sizes 4KiB:4MiB \
      --step-factor 16 --csv "$work/$impl.csv" > /dev/null
  done
  # 4 KiB, 64 KiB, 1 MiB, 16 MiB would pass 4 MiB: the sizes are 4 KiB, 64 KiB and 1 MiB.
  paste -d, "$work/gloo.csv" "$work/commsim.csv" | tail -n +2 | awk -F, -v t="$label" -v c="$collective" \
    '{ n = NF / 2; g = $11; m = $(n + 11); printf "%s,%s,%s,%s,%.6f,%.6f,%.9f\n", t, c, $5, $8, g, m, g / m }' >> "$out"
}

collectives="all_reduce all_gather reduce_scatter broadcast gather barrier"
for collective in $collectives; do
  for ranks in 1 2 3 4 5 6 7 8 9 12 16 17; do
    point cluster "$collective" --nodes "$ranks" --network-model CM02 --bandwidth 10Gbps --latency 5us
  done
  for topology in fat-tree-tp2-pp4 torus-tp2-pp4 dragonfly-tp2-pp4; do
    for per_node in 1 2; do
      point "$topology" "$collective" "$root/scenarios/topologies/$topology.yaml" --ranks-per-node "$per_node"
    done
  done
done

awk -F, 'NR > 1 { key = $1 " " $2; d = $7 - 1; if (d < 0) d = -d; if (d > worst[key]) worst[key] = d; seen[key] = 1 }
  END { for (k in seen) printf "%-40s largest |gloo/commsim - 1| = %.4f\n", k, worst[k] }' "$out" | sort
