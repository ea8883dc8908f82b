// Recursive doubling all-reduce, with the usual fold for a group size that is not a power of two.
// Let p2 be the largest power of two <= size and extra = size - p2. The first 2 * extra ranks
// pair up: each odd rank sends its whole tensor to the even rank below it and sits out. The p2
// remaining ranks ("participants", numbered 0 .. p2-1) then exchange whole tensors with the
// participant whose number differs in bit k, for k = 0 .. log2(p2) - 1, reducing each time.
// Finally each even rank of the folded pairs sends the result back to its odd partner.
// Element-wise sum, min and max are commutative (in bf16/f16 too: one rounding of the same
// exact result), so both partners of an exchange hold the same bytes, and so do all ranks.
#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

void recursive_doubling_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op) {
  const int world = link.size();
  if (world == 1) return;
  const int rank = link.rank;
  int p2 = 1;
  while (p2 * 2 <= world) p2 *= 2;
  const int extra = world - p2;
  Tensor flat = tensor.reshape({-1});

  // Fold: odd ranks below 2 * extra hand their data to the even rank below them.
  int participant = -1;  // number among the p2 participants, or -1 when sitting out
  if (rank < 2 * extra) {
    if (rank % 2 == 1) {
      link.wait(*link.post(rank - 1, flat));
    } else {
      link.recv_reduce_into(rank + 1, flat, op);
      participant = rank / 2;
    }
  } else {
    participant = rank - extra;
  }
  const auto group_rank_of = [extra](int p) { return p < extra ? 2 * p : p + extra; };

  if (participant >= 0) {
    for (int mask = 1; mask < p2; mask <<= 1) {
      const int peer = group_rank_of(participant ^ mask);
      auto send = link.post(peer, flat);
      link.recv_reduce_into(peer, flat, op);  // the message holds a copy of what was sent
      link.wait(*send);
    }
  }

  // Unfold: the even rank of each folded pair returns the result to its partner.
  if (rank < 2 * extra) {
    if (rank % 2 == 0) {
      link.wait(*link.post(rank + 1, flat));
    } else {
      link.recv_into(rank - 1, flat);
    }
  }
}

}  // namespace commsim::comm::collectives
