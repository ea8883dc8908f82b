#include "kernels/argmax.h"

#include "kernels/checks.h"

namespace commsim::kernels {

std::vector<std::int64_t> argmax_rows(const comm::Tensor& logits) {
  constexpr const char* kName = "argmax";
  require_matrix(logits, kName, "logits", kAnySize, kAnySize, comm::DType::kF32);
  const std::int64_t m = logits.shape()[0];
  const std::int64_t v = logits.shape()[1];
  require(v > 0, kName, "logits is " + describe(logits) + ", expected at least one column");
  const float* data = logits.data<float>().data();
  std::vector<std::int64_t> result(static_cast<std::size_t>(m), 0);
  for (std::int64_t r = 0; r < m; ++r) {
    const float* row = data + r * v;
    std::int64_t best = 0;
    for (std::int64_t i = 1; i < v; ++i) {
      // Strictly greater keeps the first maximum; a NaN best so far gives way to any number.
      if (row[i] > row[best] || (row[best] != row[best] && row[i] == row[i])) best = i;
    }
    result[static_cast<std::size_t>(r)] = best;
  }
  return result;
}

KernelCost argmax_cost(std::int64_t m, std::int64_t v) {
  const double mv = static_cast<double>(m) * static_cast<double>(v);
  return KernelCost{"argmax", comm::DType::kF32, mv,
                    mv * sizeof(float) + static_cast<double>(m) * sizeof(std::int64_t)};
}

}  // namespace commsim::kernels
