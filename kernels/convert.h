// Dtype conversion between float32 and bfloat16 (and same-dtype copies), through oneDNN's reorder:
// float32 -> bfloat16 rounds to nearest even, as the CPU's conversion instructions do.
#pragma once

#include <cstdint>

#include "communicators/dtype.h"
#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

// dst = src converted to dst's dtype. REQUIRES: same shape; each dtype float32 or bfloat16; dst
// does not overlap src. Throws KernelError otherwise. Returns convert_cost(numel, src dtype, dst
// dtype).
KernelCost convert(const comm::Tensor& src, comm::Tensor& dst);

// name "convert"; flops = 0; bytes = numel·(sizeof(from) + sizeof(to)); dtype = from.
KernelCost convert_cost(std::int64_t numel, comm::DType from, comm::DType to);

}  // namespace commsim::kernels
