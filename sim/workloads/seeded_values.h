// Deterministic tensor contents: the same (seed, stream) gives the same bytes on any machine.
#pragma once

#include <cstdint>
#include <string_view>

#include "communicators/tensor.h"

namespace commsim::workloads {

// A stream id from parts that name what a tensor is, e.g. (key, producing stage, step).
std::uint64_t stream_id(std::string_view key, std::uint64_t a, std::uint64_t b);

// Fills a real tensor with values drawn from (seed, stream) by splitmix64: floats uniform in
// [-1, 1) rounded to the dtype, integers in [0, 100). Phantom tensors are left as they are.
void fill_seeded(comm::Tensor& tensor, std::uint64_t seed, std::uint64_t stream);

// Fills a real tensor with integers uniform in [low, high] from (seed, stream), stored in the
// tensor's dtype (exact for |values| <= 256 in every dtype).
void fill_seeded_integers(comm::Tensor& tensor, std::uint64_t seed, std::uint64_t stream, int low,
                          int high);

}  // namespace commsim::workloads
