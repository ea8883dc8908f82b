// Token embedding, as vLLM's VocabParallelEmbedding computes one rank's share: the rank holds rows
// [vocab_start, vocab_start + V_local) of the table; a token outside that range gets a zero row
// (the all-reduce over the tensor-parallel group then supplies it from its owner). Plain C++.
#pragma once

#include <cstdint>
#include <span>

#include "communicators/dtype.h"
#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

class Embedding {
 public:
  // table: [V_local, H], float32 or bfloat16, copied. REQUIRES: vocab_start >= 0. Throws
  // KernelError otherwise.
  Embedding(const comm::Tensor& table, std::int64_t vocab_start);

  std::int64_t vocab_start() const { return vocab_start_; }
  std::int64_t local_vocab() const { return table_.shape()[0]; }
  std::int64_t hidden() const { return table_.shape()[1]; }

  // out[t] = table[ids[t] − vocab_start] as float32 when the id is in this rank's range, zeros
  // otherwise. REQUIRES: out float32 [ids.size(), H]. Returns cost(T, H, table dtype).
  KernelCost forward(std::span<const std::int64_t> ids, comm::Tensor& out);

  // name "embedding"; flops = 0; bytes = T·H·(sizeof(table) + 4) + T·8 (rows read, rows written,
  // ids read); dtype = the table's.
  static KernelCost cost(std::int64_t tokens, std::int64_t hidden, comm::DType table_dtype);

 private:
  comm::Tensor table_;
  std::int64_t vocab_start_;
};

}  // namespace commsim::kernels
