// RMSNorm as Llama uses it: y = x / sqrt(mean(x²) + eps) · gamma, over the last dimension.
//
// oneDNN 2.6 has no RMSNorm; it is composed from JIT primitives: binary_mul (x²), reduction_mean
// (the per-row mean square) and layer normalization with global statistics (mean 0, variance =
// that mean square) and a scale (gamma), which computes exactly gamma·x/sqrt(var + eps).
#pragma once

#include <cstdint>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

class RmsNorm {
 public:
  // gamma: [H] float32, copied. Throws KernelError for another shape or dtype.
  RmsNorm(const comm::Tensor& gamma, float eps);

  std::int64_t hidden() const { return static_cast<std::int64_t>(gamma_.size()); }
  float eps() const { return eps_; }

  // y = rms_norm(x). REQUIRES: x and y [M, H] float32; y may be x itself (in place), no other
  // overlap. One primitive set per M, created on first use and kept. Returns cost(M, H).
  KernelCost forward(const comm::Tensor& x, comm::Tensor& y);

  // name "rms_norm"; flops = 4·M·H (square, sum, normalise, scale); bytes = (2·M·H + H)·4
  // (read x, write y, read gamma); dtype float32.
  static KernelCost cost(std::int64_t m, std::int64_t h);

 private:
  struct Primitives {
    dnnl::binary square;
    dnnl::reduction mean_square;
    dnnl::layer_normalization_forward normalize;
  };

  std::vector<float> gamma_;
  float eps_;
  std::map<std::int64_t, Primitives> primitives_;
  std::vector<float> squares_;   // [M, H] scratch
  std::vector<float> variance_;  // [M] per-row mean squares
  std::vector<float> zeros_;     // [M] the "mean" that layer normalization subtracts
};

}  // namespace commsim::kernels
