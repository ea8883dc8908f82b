// The torch.distributed (gloo) collectives, one algorithm per file, as straight-line blocking code
// over a GroupLink. All work in place or into caller-allocated outputs, for any group size
// (1 and non-powers of two included) and any element count (0 included), on real or phantom
// tensors (phantom: the same messages and sizes, no bytes).
#pragma once

#include <string_view>
#include <vector>

#include "communicators/collectives/group_link.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::comm::collectives {

enum class AllReduceAlgorithm { kAuto, kRing, kRecursiveDoubling, kLogicalRing };

std::string_view algorithm_name(AllReduceAlgorithm algorithm);

// kAuto's choice: the ring at every size, as PyTorch's gloo all-reduce. Recursive doubling stays
// for explicit use (bench --algorithm, scenario `algorithm:`).
AllReduceAlgorithm choose_allreduce(std::size_t bytes, std::int64_t numel, int world);

// The flattened tensor's elements split into `world` nearly equal consecutive chunks (the first
// numel % world one element longer); chunk `index` (taken mod world) as a view.
Tensor ring_chunk(const Tensor& flat, int world, int index);

void ring_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op);
void recursive_doubling_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op);
void logical_ring_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op);
// output = every rank's input, rank-major. REQUIRES: output.numel() == size * input.numel().
void ring_allgather(const GroupLink& link, Tensor& output, const Tensor& input);
// Every rank ends with group rank `root`'s tensor.
void binomial_broadcast(const GroupLink& link, Tensor& tensor, int root);
// Group rank `root` receives outputs[r] = rank r's input; `outputs` is ignored elsewhere.
void direct_gather(const GroupLink& link, const Tensor& input, std::vector<Tensor>* outputs,
                   int root);

}  // namespace commsim::comm::collectives
