#include "sim/workloads/model/llama_stage.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include "kernels/argmax.h"
#include "kernels/attention.h"
#include "kernels/convert.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/linear.h"
#include "kernels/rms_norm.h"
#include "kernels/rotary.h"
#include "sim/workloads/model/model_weights.h"

namespace commsim::workloads::model {

using comm::DType;
using comm::Tensor;

namespace {

// Rows of `parts` concatenated (row-major, so their bytes one after the other).
Tensor concat_rows(const std::vector<Tensor>& parts) {
  std::int64_t rows = 0;
  for (const Tensor& part : parts) rows += part.shape()[0];
  Tensor out = Tensor::zeros(parts.front().dtype(), {rows, parts.front().shape()[1]});
  std::size_t offset = 0;
  for (const Tensor& part : parts) {
    std::memcpy(out.mutable_bytes().data() + offset, part.bytes().data(), part.nbytes());
    offset += part.nbytes();
  }
  return out;
}

// Columns [begin, begin + count) of a [rows, cols] tensor, as a contiguous copy (a view in
// PyTorch: not charged).
Tensor columns(const Tensor& t, std::int64_t begin, std::int64_t count) {
  const std::int64_t rows = t.shape()[0];
  if (t.is_phantom()) return Tensor::phantom(t.dtype(), {rows, count});
  const std::int64_t cols = t.shape()[1];
  const std::size_t width = comm::element_size(t.dtype());
  Tensor out = Tensor::zeros(t.dtype(), {rows, count});
  for (std::int64_t r = 0; r < rows; ++r) {
    std::memcpy(out.mutable_bytes().data() + static_cast<std::size_t>(r * count) * width,
                t.bytes().data() + static_cast<std::size_t>(r * cols + begin) * width,
                static_cast<std::size_t>(count) * width);
  }
  return out;
}

// Rows `index` of a [rows, cols] tensor, as a contiguous copy.
Tensor select_rows(const Tensor& t, const std::vector<std::int64_t>& index) {
  const std::int64_t cols = t.shape()[1];
  const auto count = static_cast<std::int64_t>(index.size());
  if (t.is_phantom()) return Tensor::phantom(t.dtype(), {count, cols});
  Tensor out = Tensor::zeros(t.dtype(), {count, cols});
  const std::size_t row_bytes = static_cast<std::size_t>(cols) * comm::element_size(t.dtype());
  for (std::size_t i = 0; i < index.size(); ++i) {
    std::memcpy(out.mutable_bytes().data() + i * row_bytes,
                t.bytes().data() + static_cast<std::size_t>(index[i]) * row_bytes, row_bytes);
  }
  return out;
}

double linear_scale(std::int64_t in_features) {
  return std::sqrt(3.0 / static_cast<double>(in_features));  // unit variance out for unit in
}

}  // namespace

struct LlamaStage::Layer {
  std::optional<kernels::RmsNorm> input_norm;
  std::optional<kernels::RmsNorm> post_norm;
  std::optional<kernels::Linear> qkv_proj;
  std::optional<kernels::Linear> o_proj;
  std::optional<kernels::Linear> gate_up_proj;
  std::optional<kernels::Linear> down_proj;
  std::optional<kernels::RotaryEmbedding> rotary;
  std::optional<kernels::Attention> attention;
};

struct LlamaStage::Ends {
  std::optional<kernels::Embedding> embedding;
  std::optional<kernels::RmsNorm> final_norm;
  std::optional<kernels::Linear> lm_head;
};

LlamaStage::LlamaStage(const scenario::ModelSpec& spec, std::uint64_t seed,
                       StagePlacement placement, int batch, int max_seq, bool phantom)
    : spec_(spec),
      placement_(placement),
      phantom_(phantom),
      batch_(batch),
      ends_(std::make_unique<Ends>()) {
  const int tp = placement.tp_size;
  const int r = placement.tp_rank;
  const std::int64_t h = spec.hidden;
  head_dim_ = spec.head_dim();
  q_heads_ = spec.heads / tp;
  kv_heads_ = spec.kv_heads >= tp ? spec.kv_heads / tp : 1;
  // This rank's first KV head: its own block, or the one its query heads share when replicated.
  const std::int64_t kv_begin = spec.kv_heads >= tp ? r * kv_heads_ : r * spec.kv_heads / tp;
  intermediate_ = spec.intermediate / tp;
  vocab_ = spec.vocab / tp;
  const DType dt = spec.dtype;
  for (int i = 0; i < placement.layers; ++i) layers_.push_back(std::make_unique<Layer>());
  if (phantom) return;

  const std::int64_t qd = spec.heads * head_dim_;
  const std::int64_t kvd = spec.kv_heads * head_dim_;
  auto gamma = [&](WeightKind kind, int layer) {
    return seeded_weight(seed, kind, layer, {1, h, 0, 1, 0, h}, 0.1, 1.0, DType::kF32).reshape({h});
  };
  for (int i = 0; i < placement.layers; ++i) {
    const int l = placement.first_layer + i;
    Layer& layer = *layers_[static_cast<std::size_t>(i)];
    const float eps = static_cast<float>(spec.rms_eps);
    layer.input_norm.emplace(gamma(WeightKind::kInputNorm, l), eps);
    layer.post_norm.emplace(gamma(WeightKind::kPostNorm, l), eps);
    const double s_h = linear_scale(h);
    const Tensor q =
        seeded_weight(seed, WeightKind::kQ, l,
                      {qd, h, r * q_heads_ * head_dim_, q_heads_ * head_dim_, 0, h}, s_h, 0, dt);
    const Tensor k =
        seeded_weight(seed, WeightKind::kK, l,
                      {kvd, h, kv_begin * head_dim_, kv_heads_ * head_dim_, 0, h}, s_h, 0, dt);
    const Tensor v =
        seeded_weight(seed, WeightKind::kV, l,
                      {kvd, h, kv_begin * head_dim_, kv_heads_ * head_dim_, 0, h}, s_h, 0, dt);
    layer.qkv_proj.emplace("qkv_proj", concat_rows({q, k, v}));
    layer.o_proj.emplace(
        "o_proj", seeded_weight(seed, WeightKind::kO, l,
                                {h, qd, 0, h, r * q_heads_ * head_dim_, q_heads_ * head_dim_},
                                linear_scale(qd), 0, dt));
    const std::int64_t full_i = spec.intermediate;
    const Tensor gate =
        seeded_weight(seed, WeightKind::kGate, l,
                      {full_i, h, r * intermediate_, intermediate_, 0, h}, s_h, 0, dt);
    const Tensor up = seeded_weight(
        seed, WeightKind::kUp, l, {full_i, h, r * intermediate_, intermediate_, 0, h}, s_h, 0, dt);
    layer.gate_up_proj.emplace("gate_up_proj", concat_rows({gate, up}));
    layer.down_proj.emplace("down_proj",
                            seeded_weight(seed, WeightKind::kDown, l,
                                          {h, full_i, 0, h, r * intermediate_, intermediate_},
                                          linear_scale(full_i), 0, dt));
    layer.rotary.emplace(head_dim_, spec.rope_theta);
    layer.attention.emplace(q_heads_, kv_heads_, head_dim_, batch, max_seq, dt);
  }
  const std::int64_t v = spec.vocab;
  if (placement.first) {
    ends_->embedding.emplace(
        seeded_weight(seed, WeightKind::kEmbed, 0, {v, h, r * vocab_, vocab_, 0, h}, 1.0, 0, dt),
        r * vocab_);
  }
  if (placement.last) {
    ends_->final_norm.emplace(gamma(WeightKind::kFinalNorm, 0), static_cast<float>(spec.rms_eps));
    ends_->lm_head.emplace(
        "lm_head", seeded_weight(seed, WeightKind::kLmHead, 0, {v, h, r * vocab_, vocab_, 0, h},
                                 linear_scale(h), 0, dt));
  }
}

Tensor converted(const Tensor& tensor, DType dtype, const KernelSink& sink) {
  if (tensor.dtype() == dtype) return tensor;
  if (tensor.is_phantom()) {
    sink(kernels::convert_cost(tensor.numel(), tensor.dtype(), dtype));
    return Tensor::phantom(dtype, tensor.shape());
  }
  Tensor out = Tensor::zeros(dtype, tensor.shape());
  sink(kernels::convert(tensor, out));
  return out;
}

LlamaStage::~LlamaStage() = default;

Tensor LlamaStage::make(DType dtype, comm::Shape shape) const {
  return phantom_ ? Tensor::phantom(dtype, std::move(shape))
                  : Tensor::zeros(dtype, std::move(shape));
}

Tensor LlamaStage::for_matmul(const Tensor& x, const KernelSink& sink) const {
  return converted(x, spec_.dtype, sink);
}

void LlamaStage::reduce(Tensor& partial, TensorParallel& tp, const KernelSink& sink) const {
  if (tp.size() == 1) return;  // vLLM skips the all-reduce of a one-rank group
  Tensor narrow = converted(partial, spec_.comm_dtype, sink);  // `partial` itself in f32
  tp.all_reduce(narrow);
  partial = converted(narrow, DType::kF32, sink);
}

void LlamaStage::add_and_norm(Activations& acts, kernels::RmsNorm* norm,
                              const KernelSink& sink) const {
  const std::int64_t rows = acts.hidden.shape()[0];
  if (acts.has_residual) {
    sink(phantom_ ? kernels::add_cost(acts.hidden.numel())
                  : kernels::add_in_place(acts.residual, acts.hidden));
  } else {
    acts.residual = acts.hidden;
    acts.has_residual = true;
  }
  Tensor normed = make(DType::kF32, {rows, spec_.hidden});
  sink(phantom_ ? kernels::RmsNorm::cost(rows, spec_.hidden)
                : norm->forward(acts.residual, normed));
  acts.hidden = std::move(normed);
}

Activations LlamaStage::embed(std::span<const std::int64_t> ids, TensorParallel& tp,
                              const KernelSink& sink) {
  const auto rows = static_cast<std::int64_t>(ids.size());
  Activations acts;
  acts.hidden = make(DType::kF32, {rows, spec_.hidden});
  sink(phantom_ ? kernels::Embedding::cost(rows, spec_.hidden, spec_.dtype)
                : ends_->embedding->forward(ids, acts.hidden));
  reduce(acts.hidden, tp, sink);
  return acts;
}

void LlamaStage::run_layers(Activations& acts, std::span<const std::int64_t> positions,
                            bool prefill, int seq, TensorParallel& tp, const KernelSink& sink) {
  for (auto& layer : layers_) run_layer(*layer, acts, positions, prefill, seq, tp, sink);
  cache_length_ = prefill ? seq : cache_length_ + 1;
}

void LlamaStage::run_layer(Layer& layer, Activations& acts, std::span<const std::int64_t> positions,
                           bool prefill, int seq, TensorParallel& tp, const KernelSink& sink) {
  const std::int64_t rows = acts.hidden.shape()[0];
  const std::int64_t h = spec_.hidden;
  const std::int64_t qd = q_heads_ * head_dim_;
  const std::int64_t kvd = kv_heads_ * head_dim_;
  const DType dt = spec_.dtype;
  auto linear = [&](std::optional<kernels::Linear>& kernel, const char* name, const Tensor& x,
                    std::int64_t in, std::int64_t out) {
    Tensor y = make(DType::kF32, {rows, out});
    const Tensor x_mm = for_matmul(x, sink);
    sink(phantom_ ? kernels::Linear::cost(name, rows, in, out, dt, DType::kF32)
                  : kernel->forward(x_mm, y));
    return y;
  };

  // Attention block.
  add_and_norm(acts, phantom_ ? nullptr : &*layer.input_norm, sink);
  const Tensor qkv = linear(layer.qkv_proj, "qkv_proj", acts.hidden, h, qd + 2 * kvd);
  Tensor q = columns(qkv, 0, qd);
  Tensor k = columns(qkv, qd, kvd);
  const Tensor v = columns(qkv, qd + kvd, kvd);
  sink(phantom_ ? kernels::RotaryEmbedding::cost(rows, q_heads_, kv_heads_, head_dim_)
                : layer.rotary->forward(positions, q, k));
  Tensor attended = make(DType::kF32, {rows, qd});
  if (prefill) {
    sink(phantom_
             ? kernels::Attention::prefill_cost(batch_, seq, q_heads_, kv_heads_, head_dim_, dt)
             : layer.attention->prefill(q, k, v, seq, attended));
  } else {
    sink(phantom_ ? kernels::Attention::decode_cost(batch_, cache_length_ + 1, q_heads_, kv_heads_,
                                                    head_dim_, dt)
                  : layer.attention->decode(q, k, v, attended));
  }
  acts.hidden = linear(layer.o_proj, "o_proj", attended, qd, h);
  reduce(acts.hidden, tp, sink);

  // MLP block.
  add_and_norm(acts, phantom_ ? nullptr : &*layer.post_norm, sink);
  const Tensor gate_up =
      linear(layer.gate_up_proj, "gate_up_proj", acts.hidden, h, 2 * intermediate_);
  const Tensor gate = columns(gate_up, 0, intermediate_);
  const Tensor up = columns(gate_up, intermediate_, intermediate_);
  Tensor activated = make(DType::kF32, {rows, intermediate_});
  sink(phantom_ ? kernels::silu_and_mul_cost(rows, intermediate_)
                : kernels::silu_and_mul(gate, up, activated));
  acts.hidden = linear(layer.down_proj, "down_proj", activated, intermediate_, h);
  reduce(acts.hidden, tp, sink);
}

Tensor LlamaStage::logits(Activations& acts, int seq, TensorParallel& tp, const KernelSink& sink) {
  add_and_norm(acts, phantom_ ? nullptr : &*ends_->final_norm, sink);
  std::vector<std::int64_t> last_rows;
  for (int b = 0; b < batch_; ++b) last_rows.push_back(std::int64_t{b} * seq + seq - 1);
  const Tensor last = select_rows(acts.hidden, last_rows);
  const Tensor x_mm = for_matmul(last, sink);
  Tensor local = make(DType::kF32, {batch_, vocab_});
  sink(phantom_ ? kernels::Linear::cost("lm_head", batch_, spec_.hidden, vocab_, spec_.dtype,
                                        DType::kF32)
                : ends_->lm_head->forward(x_mm, local));
  return tp.size() == 1 ? local : tp.all_gather_columns(local);
}

}  // namespace commsim::workloads::model
