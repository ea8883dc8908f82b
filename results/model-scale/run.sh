#!/bin/sh
# The model benchmark (results/model-scale/README.md): whole-process wall time and peak memory of
# the model workload, on real data (the TP=2 x PP=2 scenario, and a larger 8-layer model) and on
# phantom data (a 70B-class decode step at 64 ranks, a 7B-class model on two Arm nodes).
# Usage: results/model-scale/run.sh [BUILD_DIR]   (or: cmake --build build --target model_scale)
# Needs GNU time (/usr/bin/time). Takes about 15 s.
set -eu

build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../measure.sh"

# measure, then the run's model line (step times, numerics).
measure_model() {
  measure "$@"
  grep -E '^model:' "$work/out" | sed 's/^/    /' || true
}

measure_model "TP=2 x PP=2, 4 layers, hidden 256, f32, real (scenarios/models)" \
  "$commsim" run "$here/../../scenarios/models/tp2-pp2-llama-two-nodes.yaml"
measure_model "TP=2 x PP=2, 8 layers, hidden 2048, bf16, real" \
  "$commsim" run "$here/tp2-pp2-llama-8l-2048-real.yaml"
measure_model "Llama 2 70B shape, TP=8 x PP=8 (64 ranks), phantom, prefill 8 x 1k + 1 decode" \
  "$commsim" run "$here/llama-70b-decode-64-ranks.yaml"
for policy in vllm-pr40150-x86-revision vllm-pr40150; do
  measure_model "Llama 2 7B shape, TP=2 x PP=2 on Arm nodes, phantom, $policy" \
    "$commsim" run "$here/llama-7b-tp2-pp2-arm.yaml" --policy "$policy"
done
