#include "kernels/rotary.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/checks.h"

namespace commsim::kernels {

namespace {

constexpr const char* kName = "rotary";

}  // namespace

RotaryEmbedding::RotaryEmbedding(std::int64_t head_dim, double theta)
    : head_dim_(head_dim), theta_(theta) {
  require(head_dim > 0 && head_dim % 2 == 0 && theta > 0, kName,
          "head_dim " + std::to_string(head_dim) + " and theta " + std::to_string(theta) +
              ": head_dim must be positive and even, theta positive");
}

void RotaryEmbedding::cover(std::int64_t position) {
  const auto half = static_cast<std::size_t>(head_dim_ / 2);
  const std::size_t have = cos_.size() / half;
  const auto need = static_cast<std::size_t>(position) + 1;
  if (need <= have) return;
  // Grow geometrically so that decode (one new position per step) stays amortised O(1).
  const std::size_t target = std::max(need, 2 * have);
  cos_.resize(target * half);
  sin_.resize(target * half);
  for (std::size_t p = have; p < target; ++p) {
    for (std::size_t i = 0; i < half; ++i) {
      const double inv_freq =
          std::pow(theta_, -2.0 * static_cast<double>(i) / static_cast<double>(head_dim_));
      const double angle = static_cast<double>(p) * inv_freq;
      cos_[p * half + i] = static_cast<float>(std::cos(angle));
      sin_[p * half + i] = static_cast<float>(std::sin(angle));
    }
  }
}

void RotaryEmbedding::rotate(std::int64_t position, float* head) const {
  const auto half = static_cast<std::size_t>(head_dim_ / 2);
  const float* c = cos_.data() + static_cast<std::size_t>(position) * half;
  const float* s = sin_.data() + static_cast<std::size_t>(position) * half;
  for (std::size_t i = 0; i < half; ++i) {
    const float x1 = head[i];
    const float x2 = head[i + half];
    head[i] = x1 * c[i] - x2 * s[i];
    head[i + half] = x2 * c[i] + x1 * s[i];
  }
}

KernelCost RotaryEmbedding::forward(std::span<const std::int64_t> positions, comm::Tensor& q,
                                    comm::Tensor& k) {
  const auto tokens = static_cast<std::int64_t>(positions.size());
  require_matrix(q, kName, "q", tokens, kAnySize, comm::DType::kF32);
  require_matrix(k, kName, "k", tokens, kAnySize, comm::DType::kF32);
  const std::int64_t q_width = q.shape()[1];
  const std::int64_t k_width = k.shape()[1];
  require(q_width % head_dim_ == 0 && k_width % head_dim_ == 0, kName,
          "q " + describe(q) + " and k " + describe(k) + " are not whole heads of " +
              std::to_string(head_dim_));
  std::int64_t max_position = -1;
  for (const std::int64_t p : positions) {
    require(p >= 0, kName, "position " + std::to_string(p) + " is negative");
    max_position = std::max(max_position, p);
  }
  if (max_position >= 0) cover(max_position);

  float* qd = q.data<float>().data();
  float* kd = k.data<float>().data();
  for (std::int64_t t = 0; t < tokens; ++t) {
    const std::int64_t p = positions[static_cast<std::size_t>(t)];
    for (std::int64_t c = 0; c < q_width; c += head_dim_) rotate(p, qd + t * q_width + c);
    for (std::int64_t c = 0; c < k_width; c += head_dim_) rotate(p, kd + t * k_width + c);
  }
  return cost(tokens, q_width / head_dim_, k_width / head_dim_, head_dim_);
}

KernelCost RotaryEmbedding::cost(std::int64_t tokens, std::int64_t q_heads, std::int64_t kv_heads,
                                 std::int64_t head_dim) {
  const double elements = static_cast<double>(tokens) * static_cast<double>(q_heads + kv_heads) *
                          static_cast<double>(head_dim);
  return KernelCost{kName, comm::DType::kF32, 3.0 * elements, 2.0 * elements * sizeof(float)};
}

}  // namespace commsim::kernels
