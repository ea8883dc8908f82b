// One rank's part of a Llama-style decoder: the layers of its pipeline stage, sharded for its
// tensor-parallel rank as vLLM shards them.
//
// - Column-parallel: the fused QKV projection (this rank's query heads, and its KV heads, which
//   are replicated when there are fewer KV heads than TP ranks) and the fused gate/up projection.
// - Row-parallel: o_proj and down_proj, whose f32 partial sums are all-reduced over TP (in the
//   model's comm_dtype).
// - Vocabulary-parallel: the embedding (rows outside this rank's range are zero, then all-reduced)
//   and the LM head (this rank's vocabulary columns, then all-gathered).
// - Activations and the residual stream are f32; with dtype bf16 the weights, the matmul inputs
//   and the KV cache are bf16 (matmuls accumulate and write f32).
//
// Every kernel call's cost goes to the KernelSink. A phantom stage allocates no weights and runs
// no kernels: it computes the same costs from shapes and passes size-only tensors to the
// collectives, so a 70B-class model costs what its FLOPs and bytes say, and nothing else.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"
#include "scenarios/scenario.h"

namespace commsim::kernels {
class RmsNorm;
}  // namespace commsim::kernels

namespace commsim::workloads::model {

// The tensor-parallel collectives a stage needs.
class TensorParallel {
 public:
  virtual ~TensorParallel() = default;
  virtual int size() const = 0;
  virtual int rank() const = 0;
  // Sum over the TP group, in place.
  virtual void all_reduce(comm::Tensor& tensor) = 0;
  // [M, n] on every rank -> [M, n x size], rank r's columns at r x n.
  virtual comm::Tensor all_gather_columns(const comm::Tensor& tensor) = 0;
};

// A TP group of one rank: the single-rank reference.
class NoTensorParallel final : public TensorParallel {
 public:
  int size() const override { return 1; }
  int rank() const override { return 0; }
  void all_reduce(comm::Tensor&) override {}
  comm::Tensor all_gather_columns(const comm::Tensor& tensor) override { return tensor; }
};

using KernelSink = std::function<void(const kernels::KernelCost&)>;

// `tensor` in `dtype`: the tensor itself when it already is, else a conversion whose cost goes to
// `sink` (a phantom tensor converts to a phantom tensor, charging the same cost).
comm::Tensor converted(const comm::Tensor& tensor, comm::DType dtype, const KernelSink& sink);

// Which part of the model a rank holds.
struct StagePlacement {
  int tp_rank = 0;
  int tp_size = 1;
  int first_layer = 0;
  int layers = 0;
  bool first = true;  // holds the embedding
  bool last = true;   // holds the final norm and the LM head
};

// What flows between layers and stages: f32 [tokens, hidden] each. Before the first layer there is
// no residual yet (vLLM's residual = None).
struct Activations {
  comm::Tensor hidden;
  comm::Tensor residual;
  bool has_residual = false;
};

class LlamaStage {
 public:
  // `batch` sequences of up to `max_seq` tokens each (the KV cache's size).
  // REQUIRES: scenario::model_layout_error(spec, ...) is nullopt for this TP size.
  LlamaStage(const scenario::ModelSpec& spec, std::uint64_t seed, StagePlacement placement,
             int batch, int max_seq, bool phantom);
  ~LlamaStage();
  LlamaStage(const LlamaStage&) = delete;
  LlamaStage& operator=(const LlamaStage&) = delete;

  const StagePlacement& placement() const { return placement_; }

  // First stage: the embeddings of `ids` (one per token, sequence-major), all-reduced over TP.
  Activations embed(std::span<const std::int64_t> ids, TensorParallel& tp, const KernelSink& sink);

  // This stage's layers on `acts`. A prefill (`prefill`) has `seq` tokens per sequence at
  // positions 0 .. seq-1 and fills the KV caches; a decode step has one token per sequence at
  // the next position. `positions` has one entry per row.
  void run_layers(Activations& acts, std::span<const std::int64_t> positions, bool prefill, int seq,
                  TensorParallel& tp, const KernelSink& sink);

  // Last stage: the final norm, then the logits [batch, vocab] (f32) of each sequence's last
  // token, all-gathered over TP.
  comm::Tensor logits(Activations& acts, int seq, TensorParallel& tp, const KernelSink& sink);

 private:
  struct Layer;

  comm::Tensor make(comm::DType dtype, comm::Shape shape) const;
  comm::Tensor for_matmul(const comm::Tensor& x, const KernelSink& sink) const;
  void reduce(comm::Tensor& partial, TensorParallel& tp, const KernelSink& sink) const;
  // residual += hidden (or residual = hidden before the first layer), then hidden = norm(residual):
  // vLLM's fused add + RMSNorm. `norm` is null in a phantom stage.
  void add_and_norm(Activations& acts, kernels::RmsNorm* norm, const KernelSink& sink) const;
  void run_layer(Layer& layer, Activations& acts, std::span<const std::int64_t> positions,
                 bool prefill, int seq, TensorParallel& tp, const KernelSink& sink);

  scenario::ModelSpec spec_;
  StagePlacement placement_;
  bool phantom_;
  int batch_;
  std::int64_t q_heads_;   // this rank's
  std::int64_t kv_heads_;  // this rank's
  std::int64_t head_dim_;
  std::int64_t intermediate_;  // this rank's
  std::int64_t vocab_;         // this rank's
  std::int64_t cache_length_ = 0;
  std::vector<std::unique_ptr<Layer>> layers_;
  struct Ends;
  std::unique_ptr<Ends> ends_;  // embedding, final norm, LM head (real stages only)
};

}  // namespace commsim::workloads::model
