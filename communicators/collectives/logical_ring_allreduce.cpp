// The textbook ring all-reduce (MPICH's and SMPI's `lr`, "logical ring"): rank r sends to r+1 and
// receives from r-1, one chunk per rank and one chunk in flight. In reduce-scatter step s, rank r
// sends chunk (r - s) and folds the received chunk (r - s - 1) into its own, so after size-1
// steps it holds the fully reduced chunk (r + 1). In all-gather step s it sends chunk (r + 1 - s)
// and stores the received chunk (r - s). Not what gloo runs (ring_allreduce.cpp); kept as an
// explicit algorithm, the one SimGrid's MPI runs under `smpi/allreduce:lr`, so the network model
// can be held against SMPI's with the same messages.
#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

void logical_ring_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op) {
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
    link.wait(*send);
  }
  for (int step = 0; step < world - 1; ++step) {
    auto send = link.post(next, ring_chunk(flat, world, rank + 1 - step));
    Tensor target = ring_chunk(flat, world, rank - step);
    link.recv_into(previous, target);
    link.wait(*send);
  }
}

}  // namespace commsim::comm::collectives
