// The model workload in this process: vLLM's layer split, the layout checks, sharded weights
// equal to the full ones, phantom costs equal to real costs, and the single-rank reference.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "kernels/onednn_runtime.h"
#include "scenarios/model_spec.h"
#include "sim/workloads/model/llama_stage.h"
#include "sim/workloads/model/model_run.h"
#include "sim/workloads/model/model_weights.h"
#include "tests/support/model_fixtures.h"

namespace {

using commsim::comm::DType;
using commsim::comm::Tensor;
using commsim::kernels::KernelCost;
using commsim::scenario::layers_per_stage;
using commsim::scenario::model_layout_error;
using commsim::scenario::ModelSpec;
using commsim::scenario::Parallel;
using namespace commsim::workloads::model;
using commsim::testing::costs_of_two_steps;
using commsim::testing::ShapeOnlyTensorParallel;
using commsim::testing::small_model;

TEST(ModelLayout, StagesSplitLayersAsVllmGetPpIndices) {
  EXPECT_EQ(layers_per_stage(4, 2), (std::vector<int>{2, 2}));
  EXPECT_EQ(layers_per_stage(5, 2), (std::vector<int>{3, 2}));
  // 7 // 4 = 1 each; the 3 left over go to the stages just before the last.
  EXPECT_EQ(layers_per_stage(7, 4), (std::vector<int>{2, 2, 2, 1}));
  EXPECT_EQ(layers_per_stage(80, 8), (std::vector<int>(8, 10)));
}

TEST(ModelLayout, TensorParallelMustDivideTheHeadsInVllmsWords) {
  const ModelSpec spec = small_model(DType::kF32);
  EXPECT_EQ(model_layout_error(spec, Parallel{3, 1, 1}).value_or(""),
            "Total number of attention heads (4) must be divisible by tensor parallel size (3).");
  EXPECT_FALSE(model_layout_error(spec, Parallel{4, 1, 1}));  // 2 KV heads, replicated twice
  ModelSpec odd_kv = spec;
  odd_kv.heads = 6;
  odd_kv.kv_heads = 3;
  odd_kv.hidden = 96;
  EXPECT_NE(model_layout_error(odd_kv, Parallel{2, 1, 1}).value_or("").find("kv_heads (3)"),
            std::string::npos);
  EXPECT_NE(model_layout_error(spec, Parallel{1, 3, 1}).value_or("").find("layers (2)"),
            std::string::npos);
}

TEST(ModelWeights, AShardIsTheSameBlockOfTheFullMatrix) {
  const Tensor full = seeded_weight(5, WeightKind::kO, 1, {6, 8, 0, 6, 0, 8}, 0.5, 0, DType::kF32);
  const Tensor cols = seeded_weight(5, WeightKind::kO, 1, {6, 8, 2, 3, 4, 4}, 0.5, 0, DType::kF32);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) {
      EXPECT_EQ(cols.data<float>()[static_cast<std::size_t>(r * 4 + c)],
                full.data<float>()[static_cast<std::size_t>((r + 2) * 8 + 4 + c)]);
    }
  }
  const Tensor other = seeded_weight(5, WeightKind::kO, 2, {6, 8, 0, 6, 0, 8}, 0.5, 0, DType::kF32);
  EXPECT_NE(other.data<float>()[0], full.data<float>()[0]);
  for (float value : full.data<float>()) EXPECT_LE(std::abs(value), 0.5f);
}

TEST(ModelCosts, APhantomStageChargesExactlyWhatARealOneDoes) {
  for (const int tp : {1, 2}) {
    for (const bool comm_bf16 : {false, true}) {
      ModelSpec spec = small_model(DType::kF32);
      if (comm_bf16) spec.comm_dtype = DType::kBF16;
      const auto real = costs_of_two_steps(spec, tp, false);
      const auto phantom = costs_of_two_steps(spec, tp, true);
      ASSERT_EQ(real.size(), phantom.size()) << "tp " << tp;
      ASSERT_GT(real.size(), 20u);
      for (std::size_t i = 0; i < real.size(); ++i) {
        EXPECT_EQ(real[i].name, phantom[i].name) << i;
        EXPECT_EQ(real[i].dtype, phantom[i].dtype) << real[i].name;
        EXPECT_EQ(real[i].flops, phantom[i].flops) << real[i].name;
        EXPECT_EQ(real[i].bytes, phantom[i].bytes) << real[i].name;
      }
    }
  }
}

// Replicated KV heads (4 ranks, 2 KV heads), a rank other than 0, and bf16 weights where this CPU
// has bf16 kernels.
TEST(ModelCosts, PhantomMatchesRealForReplicatedKvHeadsOtherRanksAndBf16) {
  std::vector<DType> dtypes = {DType::kF32};
  if (commsim::kernels::bf16_supported(nullptr)) dtypes.push_back(DType::kBF16);
  for (const DType dtype : dtypes) {
    const ModelSpec spec = small_model(dtype);
    ASSERT_EQ(spec.kv_heads, 2);
    for (const int rank : {1, 3}) {
      const auto real = costs_of_two_steps(spec, 4, false, rank);
      const auto phantom = costs_of_two_steps(spec, 4, true, rank);
      ASSERT_EQ(real.size(), phantom.size());
      for (std::size_t i = 0; i < real.size(); ++i) {
        EXPECT_EQ(real[i].name, phantom[i].name) << i;
        EXPECT_EQ(real[i].flops, phantom[i].flops) << real[i].name;
        EXPECT_EQ(real[i].bytes, phantom[i].bytes) << real[i].name;
        EXPECT_EQ(real[i].dtype, phantom[i].dtype) << real[i].name;
      }
    }
  }
}

TEST(ModelReference, ANonFiniteOrMisshapenResultIsTheLargestError) {
  Tensor reference = Tensor::zeros(DType::kF32, {2, 2});
  Tensor result = Tensor::zeros(DType::kF32, {2, 2});
  reference.data<float>()[0] = 1;
  result.data<float>()[0] = 1;
  EXPECT_EQ(deviation(result, reference).rel_l2, 0);
  result.data<float>()[3] = std::nanf("");
  EXPECT_EQ(deviation(result, reference).rel_l2, std::numeric_limits<double>::max());
  EXPECT_EQ(deviation(Tensor::zeros(DType::kF32, {3}), reference).max_abs,
            std::numeric_limits<double>::max());
}

TEST(ModelCosts, AShardOfTwoDoesHalfTheLinearWork) {
  const auto whole = costs_of_two_steps(small_model(DType::kF32), 1, true);
  const auto half = costs_of_two_steps(small_model(DType::kF32), 2, true);
  double whole_flops = 0;
  double half_flops = 0;
  for (const auto& cost : whole) {
    if (cost.name.find("proj") != std::string::npos) whole_flops += cost.flops;
  }
  for (const auto& cost : half) {
    if (cost.name.find("proj") != std::string::npos) half_flops += cost.flops;
  }
  EXPECT_DOUBLE_EQ(half_flops * 2, whole_flops);
}

TEST(ModelReference, IsDeterministicAndGreedy) {
  commsim::scenario::Workload workload;
  workload.kind = "model";
  workload.model = small_model(DType::kF32);
  workload.batch = 2;
  workload.prompt = 5;
  workload.steps = 3;
  workload.seed = 11;
  const ReferenceRun& run = single_rank_reference(workload);
  ASSERT_EQ(run.logits.size(), 4u);
  ASSERT_EQ(run.tokens.size(), 4u);
  for (std::size_t step = 0; step < run.logits.size(); ++step) {
    EXPECT_EQ(run.logits[step].shape(), (commsim::comm::Shape{2, 128}));
    const auto values = run.logits[step].data<float>();
    for (int b = 0; b < 2; ++b) {
      const auto token = run.tokens[step][static_cast<std::size_t>(b)];
      ASSERT_GE(token, 0);
      ASSERT_LT(token, 128);
      for (int v = 0; v < 128; ++v) {
        EXPECT_LE(values[static_cast<std::size_t>(b * 128 + v)],
                  values[static_cast<std::size_t>(b * 128 + token)]);
      }
    }
  }
  // Another seed gives other logits.
  workload.seed = 12;
  const ReferenceRun& other = single_rank_reference(workload);
  EXPECT_GT(deviation(other.logits[0], run.logits[0]).rel_l2, 0.1);
}

}  // namespace
