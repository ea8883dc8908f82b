// A linear layer without bias, y = x · Wᵀ, as torch.nn.functional.linear computes it, on oneDNN's
// brgemm matmul with weights packed once at construction.
#pragma once

#include <cstdint>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <utility>

#include "communicators/dtype.h"
#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

class Linear {
 public:
  // weight: [N, K] row-major (PyTorch's layout), float32 or bfloat16. It is copied into oneDNN's
  // packed layout here; the tensor need not outlive the Linear. `name` names the cost and errors
  // ("qkv_proj", "lm_head", ...). Throws KernelError for another shape or dtype, or for bf16
  // weights on a CPU without native bf16 matmul.
  Linear(std::string name, const comm::Tensor& weight);

  std::int64_t in_features() const { return k_; }
  std::int64_t out_features() const { return n_; }
  comm::DType dtype() const { return dtype_; }
  const std::string& name() const { return name_; }

  // y[M, N] = x[M, K] · Wᵀ. REQUIRES: x is [M, K] of dtype(); y is [M, N] of float32 or dtype().
  // One primitive per (M, y dtype) is created on first use and kept. Throws KernelError naming
  // the layer and the shapes otherwise. Returns cost(name(), M, K, N, dtype(), y.dtype()).
  KernelCost forward(const comm::Tensor& x, comm::Tensor& y);

  // flops = 2·M·K·N; bytes = (M·K + K·N)·sizeof(in) + M·N·sizeof(out); dtype = in.
  static KernelCost cost(std::string name, std::int64_t m, std::int64_t k, std::int64_t n,
                         comm::DType in, comm::DType out);

 private:
  std::string name_;
  std::int64_t n_;
  std::int64_t k_;
  comm::DType dtype_;
  // One matmul per (M, y dtype), with memory objects re-pointed at each call's x and y.
  struct Call {
    dnnl::matmul matmul;
    dnnl::memory x;
    dnnl::memory y;
  };

  dnnl::memory packed_weight_;  // library-owned, in the layout the matmul chose
  std::map<std::pair<std::int64_t, comm::DType>, Call> calls_;
};

}  // namespace commsim::kernels
