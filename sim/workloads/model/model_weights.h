// Deterministic, shardable weights of the Llama-style model.
//
// Every element of every full weight matrix is a pure function of (seed, which weight, element
// index): a splitmix64 hash turned into a uniform in [-1, 1), times the weight's scale, rounded to
// the model dtype. A tensor-parallel rank generates only its own rows or columns of a matrix, and
// they equal the same elements of the full matrix the single-rank reference generates.
#pragma once

#include <cstdint>

#include "communicators/tensor.h"

namespace commsim::workloads::model {

// Which weight of the model; with the layer index it names one full matrix.
enum class WeightKind : std::uint32_t {
  kEmbed,
  kLmHead,
  kFinalNorm,
  kInputNorm,
  kPostNorm,
  kQ,
  kK,
  kV,
  kO,
  kGate,
  kUp,
  kDown,
};

// A block of a full [rows, cols] matrix: rows [row_begin, row_begin + row_count) and columns
// [col_begin, col_begin + col_count).
struct MatrixBlock {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t row_begin = 0;
  std::int64_t row_count = 0;
  std::int64_t col_begin = 0;
  std::int64_t col_count = 0;
};

// The block `block` of weight (kind, layer), as a [row_count, col_count] tensor of `dtype`
// (f32 or bf16): uniform in [-scale, scale), plus `offset` (norm gammas are 1 + a little).
comm::Tensor seeded_weight(std::uint64_t seed, WeightKind kind, int layer, const MatrixBlock& block,
                           double scale, double offset, comm::DType dtype);

}  // namespace commsim::workloads::model
