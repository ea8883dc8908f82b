// Ring all-reduce: rank r sends to r+1 and receives from r-1. The tensor is cut into one chunk
// per rank. In reduce-scatter step s, rank r sends chunk (r - s) and folds the received chunk
// (r - s - 1) into its own, so after size-1 steps it holds the fully reduced chunk (r + 1). In
// all-gather step s it sends chunk (r + 1 - s) and stores the received chunk (r - s).
#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

Tensor ring_chunk(const Tensor& flat, int world, int index) {
  const int c = ((index % world) + world) % world;
  const std::int64_t numel = flat.numel();
  const std::int64_t base = numel / world;
  const std::int64_t extra = numel % world;
  const std::int64_t begin = c * base + std::min<std::int64_t>(c, extra);
  return flat.slice(begin, base + (c < extra ? 1 : 0));
}

void ring_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op) {
  const int world = link.size();
  if (world == 1) return;
  const int rank = link.rank;
  const int next = (rank + 1) % world;
  const int previous = (rank - 1 + world) % world;
  const Tensor flat = tensor.reshape({-1});
  for (int step = 0; step < world - 1; ++step) {
    auto send = link.post(next, ring_chunk(flat, world, rank - step));
    Tensor target = ring_chunk(flat, world, rank - step - 1);
    link.recv_reduce_into(previous, target, op);
    send->wait();
  }
  for (int step = 0; step < world - 1; ++step) {
    auto send = link.post(next, ring_chunk(flat, world, rank + 1 - step));
    Tensor target = ring_chunk(flat, world, rank - step);
    link.recv_into(previous, target);
    send->wait();
  }
}

}  // namespace commsim::comm::collectives
