// Ring reduce-scatter: the input is cut into one chunk per rank (ring_chunk). In step s rank r
// sends its partial sum of chunk (r - s - 1) to r+1 and folds the received partial of chunk
// (r - s - 2) into its own. After size-1 steps rank r holds chunk r reduced over every rank.
#include "communicators/collectives/collectives.h"
#include "communicators/errors.h"

namespace commsim::comm::collectives {

void ring_reduce_scatter(const GroupLink& link, Tensor& output, const Tensor& input, ReduceOp op) {
  const int world = link.size();
  const int rank = link.rank;
  Tensor partial = input.clone().reshape({-1});  // the input stays untouched
  COMMSIM_CHECK(output.numel() == ring_chunk(partial, world, rank).numel(),
                "reduce_scatter: output must hold this rank's chunk");
  const int next = (rank + 1) % world;
  const int previous = (rank - 1 + world) % world;
  for (int step = 0; step < world - 1; ++step) {
    auto send = link.post(next, ring_chunk(partial, world, rank - step - 1));
    Tensor target = ring_chunk(partial, world, rank - step - 2);
    link.recv_reduce_into(previous, target, op);
    send->wait();
  }
  Tensor result = output.reshape({-1});
  result.copy_from(ring_chunk(partial, world, rank));
}

}  // namespace commsim::comm::collectives
