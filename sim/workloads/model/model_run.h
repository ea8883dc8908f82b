// The inputs and the single-rank reference of a `kind: model` workload.
#pragma once

#include <cstdint>
#include <vector>

#include "communicators/tensor.h"
#include "scenarios/scenario.h"

namespace commsim::workloads::model {

// The prompt's token ids: `batch` sequences of `prompt` ids each, sequence-major, seeded and
// below the vocabulary size. Zeros for phantom data.
std::vector<std::int64_t> prompt_ids(const scenario::Workload& workload);

// The token rows of a step: the prompt at step 0 (positions 0 .. prompt-1 of every sequence),
// then one token per sequence at position prompt + step - 1.
std::vector<std::int64_t> step_positions(const scenario::Workload& workload, int step);

// The same model, run on one rank in this process with no communication and no time: the
// logits [batch, vocab] and the greedy tokens of every step (the prefill, then each decode).
struct ReferenceRun {
  std::vector<comm::Tensor> logits;
  std::vector<std::vector<std::int64_t>> tokens;
};

// The reference of `workload` (real data), computed on first use and kept for the process.
const ReferenceRun& single_rank_reference(const scenario::Workload& workload);

// ||result - reference|| / ||reference|| and max |result - reference| over two f32 tensors. A
// non-finite result or a different size is the largest error a double holds, so no tolerance
// passes it.
struct Deviation {
  double rel_l2 = 0;
  double max_abs = 0;
};
Deviation deviation(const comm::Tensor& result, const comm::Tensor& reference);

}  // namespace commsim::workloads::model
