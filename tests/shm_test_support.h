// Helpers shared by the SHM tests: groups on one node, seeded inputs, reference sums.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "communicators/group_coordinator.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::testing {

// Values uniform in [-1, 1) from (rank, size), rounded to the dtype.
inline comm::Tensor seeded_input(comm::DType dtype, std::int64_t numel, int rank) {
  comm::Tensor t = comm::Tensor::zeros(dtype, {numel});
  std::uint64_t state = 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(rank + 1) +
                        static_cast<std::uint64_t>(numel);
  for (std::int64_t i = 0; i < numel; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const float value = static_cast<float>(state >> 40) / static_cast<float>(1 << 23) - 1.0f;
    comm::set_element_from_float(t, i, value);
  }
  return t;
}

// vLLM's SHM sum for `rank`: fp32 accumulation of own, rank+1, rank+2, ... then one rounding.
inline comm::Tensor rotated_sum(const std::vector<comm::Tensor>& inputs, int rank) {
  const int world = static_cast<int>(inputs.size());
  comm::Tensor out = inputs[static_cast<std::size_t>(rank)].clone();
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    float acc = comm::element_as_float(inputs[static_cast<std::size_t>(rank)], i);
    for (int j = 1; j < world; ++j) {
      acc += comm::element_as_float(inputs[static_cast<std::size_t>((rank + j) % world)], i);
    }
    comm::set_element_from_float(out, i, acc);
  }
  return out;
}

// ||a - b|| / ||b|| over the elements as float.
inline double rel_l2(const comm::Tensor& a, const comm::Tensor& b) {
  double diff = 0;
  double norm = 0;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    const double x = comm::element_as_float(a, i);
    const double y = comm::element_as_float(b, i);
    diff += (x - y) * (x - y);
    norm += y * y;
  }
  return norm == 0 ? std::sqrt(diff) : std::sqrt(diff / norm);
}

// Unit roundoff of a dtype's mantissa.
inline double unit_roundoff(comm::DType dtype) {
  switch (dtype) {
    case comm::DType::kBF16:
      return std::ldexp(1.0, -8);
    case comm::DType::kF16:
      return std::ldexp(1.0, -11);
    default:
      return std::ldexp(1.0, -24);
  }
}

// The largest |a[i] - b[i]| relative to the K-scaled bound 2 * W * u * sum_r |inputs[r][i]| of two
// W-term sums taken in different orders with roundings to the dtype: <= 1 when within the bound.
inline double worst_error_vs_bound(const comm::Tensor& a, const comm::Tensor& b,
                                   const std::vector<comm::Tensor>& inputs) {
  const double u = unit_roundoff(a.dtype());
  const double world = static_cast<double>(inputs.size());
  double worst = 0;
  for (std::int64_t i = 0; i < a.numel(); ++i) {
    double magnitude = 0;
    for (const comm::Tensor& input : inputs)
      magnitude += std::fabs(comm::element_as_float(input, i));
    const double bound = 2 * world * u * magnitude;
    const double error = std::fabs(comm::element_as_float(a, i) - comm::element_as_float(b, i));
    if (error > 0) worst = std::max(worst, bound > 0 ? error / bound : INFINITY);
  }
  return worst;
}

}  // namespace commsim::testing
