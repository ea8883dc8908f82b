#include "kernels/embedding.h"

#include <algorithm>
#include <string>

#include "communicators/half_float.h"
#include "kernels/checks.h"

namespace commsim::kernels {

namespace {

constexpr const char* kName = "embedding";

}  // namespace

Embedding::Embedding(const comm::Tensor& table, std::int64_t vocab_start)
    : table_(table.clone()), vocab_start_(vocab_start) {
  require(!table.is_phantom() && table.dim() == 2 &&
              (table.dtype() == comm::DType::kF32 || table.dtype() == comm::DType::kBF16),
          kName, "table is " + describe(table) + ", expected float32 or bfloat16 [V_local, H]");
  require(vocab_start >= 0, kName, "vocab_start " + std::to_string(vocab_start) + " is negative");
}

KernelCost Embedding::forward(std::span<const std::int64_t> ids, comm::Tensor& out) {
  const auto tokens = static_cast<std::int64_t>(ids.size());
  const std::int64_t h = hidden();
  require_matrix(out, kName, "out", tokens, h, comm::DType::kF32);
  const auto rows = static_cast<std::size_t>(h);
  const std::span<float> dst = out.data<float>();
  for (std::size_t t = 0; t < ids.size(); ++t) {
    float* row = dst.data() + t * rows;
    const std::int64_t local = ids[t] - vocab_start_;
    if (local < 0 || local >= local_vocab()) {
      std::fill(row, row + rows, 0.F);
    } else if (table_.dtype() == comm::DType::kF32) {
      const float* src = table_.data<float>().data() + static_cast<std::size_t>(local) * rows;
      std::copy(src, src + rows, row);
    } else {
      const std::uint16_t* src =
          table_.data<std::uint16_t>().data() + static_cast<std::size_t>(local) * rows;
      for (std::size_t i = 0; i < rows; ++i) row[i] = comm::bf16_to_float(src[i]);
    }
  }
  return cost(tokens, h, table_.dtype());
}

KernelCost Embedding::cost(std::int64_t tokens, std::int64_t hidden, comm::DType table_dtype) {
  const double t = static_cast<double>(tokens);
  const double th = t * static_cast<double>(hidden);
  return KernelCost{kName, table_dtype, 0.0,
                    th * static_cast<double>(comm::element_size(table_dtype) + sizeof(float)) +
                        t * sizeof(std::int64_t)};
}

}  // namespace commsim::kernels
