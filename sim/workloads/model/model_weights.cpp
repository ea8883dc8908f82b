#include "sim/workloads/model/model_weights.h"

#include "communicators/half_float.h"

namespace commsim::workloads::model {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

comm::Tensor seeded_weight(std::uint64_t seed, WeightKind kind, int layer, const MatrixBlock& block,
                           double scale, double offset, comm::DType dtype) {
  comm::Tensor tensor = comm::Tensor::zeros(dtype, {block.row_count, block.col_count});
  const std::uint64_t stream =
      splitmix64(seed ^ splitmix64((static_cast<std::uint64_t>(kind) << 32) ^
                                   static_cast<std::uint32_t>(layer)));
  std::int64_t out = 0;
  for (std::int64_t r = block.row_begin; r < block.row_begin + block.row_count; ++r) {
    for (std::int64_t c = block.col_begin; c < block.col_begin + block.col_count; ++c, ++out) {
      const std::uint64_t bits =
          splitmix64(stream + static_cast<std::uint64_t>(r * block.cols + c));
      // 53 random bits -> [0, 1) -> [-1, 1).
      const double unit = static_cast<double>(bits >> 11) * 0x1.0p-53 * 2.0 - 1.0;
      const float value = static_cast<float>(offset + scale * unit);
      if (dtype == comm::DType::kBF16) {
        tensor.data<std::uint16_t>()[static_cast<std::size_t>(out)] = comm::float_to_bf16(value);
      } else {
        tensor.data<float>()[static_cast<std::size_t>(out)] = value;
      }
    }
  }
  return tensor;
}

}  // namespace commsim::workloads::model
