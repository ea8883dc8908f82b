// Rotary position embedding, NeoX style (vLLM's default for Llama, is_neox_style=True): each head's
// vector is split in halves that rotate together. For i < D/2, with inv_freq_i = theta^(-2i/D) and
// angle = position·inv_freq_i:
//   out[i]       = x[i]·cos(angle) − x[i + D/2]·sin(angle)
//   out[i + D/2] = x[i + D/2]·cos(angle) + x[i]·sin(angle)
// cos and sin are computed in double and rounded to float once per (position, i) and cached; the
// rotation itself is float arithmetic. Deterministic. Plain C++ (oneDNN has no such primitive).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

class RotaryEmbedding {
 public:
  // REQUIRES: head_dim > 0 and even, theta > 0; throws KernelError otherwise.
  RotaryEmbedding(std::int64_t head_dim, double theta);

  std::int64_t head_dim() const { return head_dim_; }

  // Rotates q and k in place. REQUIRES: q float32 [T, Hq·D], k float32 [T, Hkv·D] (whole heads),
  // positions.size() == T, every position >= 0. Returns cost(T, Hq, Hkv, D).
  KernelCost forward(std::span<const std::int64_t> positions, comm::Tensor& q, comm::Tensor& k);

  // name "rotary"; flops = 3·T·(Hq + Hkv)·D (two multiplies and an add per output element);
  // bytes = 2·T·(Hq + Hkv)·D·4 (q and k read and written); dtype float32.
  static KernelCost cost(std::int64_t tokens, std::int64_t q_heads, std::int64_t kv_heads,
                         std::int64_t head_dim);

 private:
  // Extends the cos/sin tables to cover positions [0, position].
  void cover(std::int64_t position);
  void rotate(std::int64_t position, float* head) const;

  std::int64_t head_dim_;
  double theta_;
  std::vector<float> cos_;  // [positions, D/2]
  std::vector<float> sin_;  // [positions, D/2]
};

}  // namespace commsim::kernels
