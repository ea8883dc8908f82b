// Binomial-tree broadcast. Ranks are renumbered relative to the root (v = (r - root) mod size).
// In round k (mask = 2^k), every v < mask that already holds the data sends it to v + mask, if
// that rank exists; after ceil(log2(size)) rounds every rank holds it.
#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

void binomial_broadcast(const GroupLink& link, Tensor& tensor, int root) {
  const int world = link.size();
  const int relative = (link.rank - root + world) % world;
  const auto actual = [&](int v) { return (v + root) % world; };
  for (int mask = 1; mask < world; mask <<= 1) {
    if (relative < mask) {
      if (relative + mask < world) link.post(actual(relative + mask), tensor)->wait();
    } else if (relative < 2 * mask) {
      link.recv_into(actual(relative - mask), tensor);
    }
  }
}

}  // namespace commsim::comm::collectives
