// The model workload simulated: the roofline the simulator charges for kernels, and the numbers
// of tensor- and pipeline-parallel runs against the single-rank reference.
//
// Separate from model_test: these fork a simulation per run (run_isolated), and a child must not
// inherit an OpenMP runtime the parent has started, so this process never runs a kernel itself.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "communicators/policy.h"
#include "kernels/argmax.h"
#include "kernels/onednn_runtime.h"
#include "scenarios/scenario_parser.h"
#include "sim/runtime.h"
#include "sim/workloads/model/llama_stage.h"
#include "tests/support/model_fixtures.h"

namespace {

using commsim::comm::DType;
using commsim::kernels::KernelCost;
using commsim::scenario::ModelSpec;
using namespace commsim::workloads::model;

using commsim::testing::costs_of_two_steps;
using commsim::testing::small_model;

// One rank, phantom: the simulated time is the sum over kernel calls of the host's roofline.
TEST(ModelTime, ASingleRankStepCostsTheRooflineOfItsKernels) {
  const std::string text = R"(name: roofline
policy: vllm-pr40150
topology:
  kind: single_node
  node: { cores: 4, core_gflops: 50, memory_bandwidth: 20GBps, threads: 4,
          kernels: { efficiency: 0.8, bf16_speedup: 2, call_overhead: 2us } }
parallel: { tensor: 1 }
workload:
  kind: model
  model: { layers: 2, hidden: 64, heads: 4, kv_heads: 2, intermediate: 96, vocab: 128, dtype: bf16 }
  data: phantom
  batch: 2
  prompt: 4
  steps: 1
)";
  auto parsed = commsim::scenario::parse_scenario_text(text, "roofline.yaml");
  ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().to_string();
  const auto record =
      commsim::sim::run_isolated(*parsed.scenario, *commsim::comm::find_policy("vllm-pr40150"));
  ModelSpec spec = small_model(DType::kBF16);
  const auto costs = costs_of_two_steps(spec, 1, true);
  double expected = 0;
  for (const KernelCost& cost : costs) {
    const double speedup = cost.dtype == DType::kBF16 ? 2.0 : 1.0;
    expected += cost.flops / (50e9 * 4 * 0.8 * speedup) + cost.bytes / 20e9 + 2e-6;
  }
  expected += 2e-6 * 2 + 0;  // argmax after each step's logits
  double argmax_work = 0;
  for (int step = 0; step < 2; ++step) {
    const KernelCost argmax = commsim::kernels::argmax_cost(2, 128);
    argmax_work += argmax.flops / (50e9 * 4 * 0.8) + argmax.bytes / 20e9;
  }
  expected += argmax_work;
  ASSERT_EQ(record.data.model_steps, 2);
  EXPECT_NEAR(record.sim_time_s, expected, 1e-9 * expected);
  EXPECT_NEAR(record.data.step_times_s[0] + record.data.step_times_s[1], expected, 1e-9 * expected);
}

}  // namespace

namespace {

commsim::results::RunRecord run_text(const std::string& text) {
  auto parsed = commsim::scenario::parse_scenario_text(text, "model.yaml");
  EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.front().to_string();
  return commsim::sim::run_isolated(*parsed.scenario, *commsim::comm::find_policy("vllm-pr40150"));
}

// One bf16 layer with f32 partial sums: only the order of the TP sums differs from the reference,
// so the logits agree to 1e-5 (the bound of a single row-parallel reduction).
TEST(ModelNumerics, OneBf16LayerWithF32PartialSumsStaysWithin1e5) {
  std::string why;
  if (!commsim::kernels::bf16_supported(&why)) GTEST_SKIP() << why;
  const auto record = run_text(R"(name: one-layer
policy: vllm-pr40150
topology: { kind: single_node, node: { preset: x86-server } }
parallel: { tensor: 2 }
workload:
  kind: model
  model: { layers: 1, hidden: 256, heads: 8, kv_heads: 2, intermediate: 512, vocab: 1024, dtype: bf16 }
  batch: 2
  prompt: 8
  steps: 3
  seed: 21
)");
  ASSERT_EQ(record.data.model_steps, 4);
  EXPECT_TRUE(record.data.reference_checked);
  EXPECT_LE(record.data.max_rel_l2, 1e-5);
  EXPECT_EQ(record.data.token_mismatches, 0);
}

// TP x PP with uneven stages (5 layers on 3 stages) and replicated KV heads (2 for 4 ranks): the
// tokens equal the reference's, and stages 0 and 1 each hand a dict on at each of the 3 steps.
TEST(ModelNumerics, UnevenStagesAndReplicatedKvHeadsMatchTheReference) {
  const auto record = run_text(R"(name: uneven
policy: vllm-pr40150
topology: { kind: cluster, nodes: 3, node: { cores: 16 } }
parallel: { tensor: 4, pipeline: 3, data: 1 }
workload:
  kind: model
  model: { layers: 5, hidden: 128, heads: 8, kv_heads: 2, intermediate: 256, vocab: 512 }
  batch: 3
  prompt: 5
  steps: 2
  seed: 5
)");
  for (const auto& rank : record.ranks) {
    EXPECT_EQ(rank.outcome, commsim::scenario::Outcome::kOk) << rank.rank;
  }
  ASSERT_EQ(record.data.model_steps, 3);
  EXPECT_EQ(record.data.token_mismatches, 0);
  EXPECT_LE(record.data.max_rel_l2, 1e-5);
  EXPECT_EQ(record.data.tokens.size(), 3u);
  EXPECT_EQ(record.data.tokens[0].size(), 3u);
  // Stages 0 and 1 each send one dict per step from each of their 4 TP ranks.
  EXPECT_EQ(record.data.dicts_sent, 2 * 4 * 3);
  EXPECT_EQ(record.data.dicts_delivered, 2 * 4 * 3);
  ASSERT_EQ(record.data.step_times_s.size(), 3u);
  for (double seconds : record.data.step_times_s) EXPECT_GT(seconds, 0);
}

// Phantom data through a PP hand-off on shared memory (both stages on one node, so PR #40150's
// custom send/recv path): the sizes cross, no bytes are allocated, every step completes.
TEST(ModelNumerics, PhantomHandOffsOverSharedMemoryComplete) {
  const auto record = run_text(R"(name: phantom-shm-pp
policy: vllm-pr40150
topology: { kind: single_node, node: { preset: x86-server } }
parallel: { tensor: 2, pipeline: 2 }
workload:
  kind: model
  model: { preset: llama-7b, layers: 4 }
  data: phantom
  batch: 4
  prompt: 64
  steps: 2
)");
  for (const auto& rank : record.ranks) {
    EXPECT_EQ(rank.outcome, commsim::scenario::Outcome::kOk) << rank.rank;
  }
  ASSERT_EQ(record.groups.size(), 4u);
  for (const auto& group : record.groups) EXPECT_EQ(group.backend, "shm") << group.name;
  EXPECT_EQ(record.data.model_steps, 3);
  EXPECT_FALSE(record.data.reference_checked);
  EXPECT_EQ(record.data.dicts_delivered, 2 * 3);
}

}  // namespace
