// Shared by the model tests: a small model shape, and the kernel costs of a stage run alone.
#pragma once

#include <cstdint>
#include <vector>

#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"
#include "scenarios/scenario.h"
#include "sim/workloads/model/llama_stage.h"

namespace commsim::testing {

using comm::DType;
using comm::Tensor;
using kernels::KernelCost;
using scenario::ModelSpec;
using namespace workloads::model;

inline ModelSpec small_model(DType dtype) {
  ModelSpec spec;
  spec.layers = 2;
  spec.hidden = 64;
  spec.heads = 4;
  spec.kv_heads = 2;
  spec.intermediate = 96;
  spec.vocab = 128;
  spec.dtype = dtype;
  return spec;
}

// A TP group whose collectives only keep shapes, so one shard runs alone.
class ShapeOnlyTensorParallel final : public TensorParallel {
 public:
  explicit ShapeOnlyTensorParallel(int size) : size_(size) {}
  int size() const override { return size_; }
  int rank() const override { return 0; }
  void all_reduce(Tensor&) override {}
  Tensor all_gather_columns(const Tensor& tensor) override {
    const auto rows = tensor.shape()[0];
    const auto cols = tensor.shape()[1] * size_;
    return tensor.is_phantom() ? Tensor::phantom(tensor.dtype(), {rows, cols})
                               : Tensor::zeros(tensor.dtype(), {rows, cols});
  }

 private:
  int size_;
};

// The costs of a prefill of 4 tokens for 2 sequences, then one decode step, on one stage holding
// every layer as TP rank `tp_rank` of `tp_size`.
inline std::vector<KernelCost> costs_of_two_steps(const ModelSpec& spec, int tp_size, bool phantom,
                                                  int tp_rank = 0) {
  StagePlacement placement;
  placement.tp_size = tp_size;
  placement.tp_rank = tp_rank;
  placement.layers = spec.layers;
  LlamaStage stage(spec, 1, placement, 2, 8, phantom);
  ShapeOnlyTensorParallel tp(tp_size);
  std::vector<KernelCost> costs;
  const KernelSink sink = [&costs](const KernelCost& cost) { costs.push_back(cost); };
  for (int step = 0; step < 2; ++step) {
    const int seq = step == 0 ? 4 : 1;
    std::vector<std::int64_t> ids(static_cast<std::size_t>(2 * seq), 3);
    std::vector<std::int64_t> positions;
    for (int b = 0; b < 2; ++b) {
      for (int s = 0; s < seq; ++s) positions.push_back(step == 0 ? s : 4);
    }
    Activations acts = stage.embed(ids, tp, sink);
    stage.run_layers(acts, positions, step == 0, seq, tp, sink);
    stage.logits(acts, seq, tp, sink);
  }
  return costs;
}

}  // namespace commsim::testing
