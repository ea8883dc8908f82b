// Greedy sampling: the index of each row's largest logit. Plain C++.
#pragma once

#include <cstdint>
#include <vector>

#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

// For each row of logits (float32 [M, V], V >= 1), the first index holding the row's maximum (ties
// go to the lowest index, as torch.argmax does). NaNs are never chosen unless a row is all NaN
// (then 0). Throws KernelError for another shape or dtype.
std::vector<std::int64_t> argmax_rows(const comm::Tensor& logits);

// name "argmax"; flops = M·V (one comparison per logit); bytes = M·V·4 + M·8; dtype float32.
KernelCost argmax_cost(std::int64_t m, std::int64_t v);

}  // namespace commsim::kernels
