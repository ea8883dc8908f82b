// What one kernel call costs, as the time model sees it: FLOPs and bytes, never wall time.
//
// Every kernel computes its cost from shapes alone (static cost functions), so a phantom run
// charges the same cost as a real one without allocating or executing anything. The seam
// (RankEnv::charge_kernel) turns a cost into simulated time on the rank's host. The formulas of
// every kernel are listed in kernels/README.md.
#pragma once

#include <string>

#include "communicators/dtype.h"

namespace commsim::kernels {

struct KernelCost {
  std::string name;                       // the kernel, e.g. "rms_norm", "attention_decode";
                                          // a Linear's own name ("qkv_proj", "lm_head")
  comm::DType dtype = comm::DType::kF32;  // the arithmetic's dtype: picks the host's peak
  double flops = 0;                       // floating-point operations
  double bytes = 0;                       // bytes read from and written to memory
};

}  // namespace commsim::kernels
