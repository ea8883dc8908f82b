// Gather to one root: every other rank sends its input straight to the root, which receives them
// in group order (gloo's gather does the same over its pairs).
#include "communicators/collectives/collectives.h"
#include "communicators/errors.h"

namespace commsim::comm::collectives {

void direct_gather(const GroupLink& link, const Tensor& input, std::vector<Tensor>* outputs,
                   int root) {
  if (link.rank != root) {
    link.wait(*link.post(root, input));
    return;
  }
  COMMSIM_CHECK(outputs && static_cast<int>(outputs->size()) == link.size(),
                "gather: the root needs one output per rank");
  for (int peer = 0; peer < link.size(); ++peer) {
    Tensor& target = (*outputs)[static_cast<std::size_t>(peer)];
    if (peer == root) {
      target.copy_from(input);
    } else {
      link.recv_into(peer, target);
    }
  }
}

}  // namespace commsim::comm::collectives
