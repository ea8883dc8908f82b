// Binomial-tree broadcast with gloo's schedule (gloo/broadcast.cc:45-94 @ 5b14351). Ranks are
// renumbered relative to the root (v = (r - root) mod size). Round i (i = 0, 1, ... < ceil(log2
// size)) involves the v whose bits above i are 0: the one with bit i clear sends to v + 2^i (if it
// exists), the other receives from v - 2^i. A rank waits for its receive before its sends, but
// not for its sends between rounds: the root's sends to 1, 2, 4, ... are all in flight at once and
// share its link. Every send is waited at the end.
#include <vector>

#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

void binomial_broadcast(const GroupLink& link, Tensor& tensor, int root) {
  const int world = link.size();
  const int relative = (link.rank - root + world) % world;
  const auto actual = [&](int v) { return (v + root) % world; };
  int rounds = 0;
  while ((1 << rounds) < world) ++rounds;
  std::vector<std::unique_ptr<PendingSend>> sends;
  int mask = (1 << rounds) - 1;
  for (int i = 0; i < rounds; ++i) {
    mask ^= 1 << i;
    if ((relative & mask) != 0) continue;
    const int peer = relative ^ (1 << i);
    if (peer >= world) continue;
    if ((relative & (1 << i)) == 0) {
      sends.push_back(link.post(actual(peer), tensor));
    } else {
      link.recv_into(actual(peer), tensor);
    }
  }
  for (const auto& send : sends) link.wait(*send);
}

}  // namespace commsim::comm::collectives
