// Which all-reduce algorithm runs when the caller leaves the choice to the backend.
#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

// PyTorch's gloo all-reduce sets no algorithm, so gloo runs its ring at every size
// (ProcessGroupGlooDetail.hpp:301-309 of PyTorch 2.11, gloo/allreduce.cc:134-138 @ cc44198).
AllReduceAlgorithm choose_allreduce(std::size_t /*bytes*/, std::int64_t /*numel*/, int /*world*/) {
  return AllReduceAlgorithm::kRing;
}

std::string_view algorithm_name(AllReduceAlgorithm algorithm) {
  switch (algorithm) {
    case AllReduceAlgorithm::kAuto:
      return "auto";
    case AllReduceAlgorithm::kRing:
      return "ring";
    case AllReduceAlgorithm::kRecursiveDoubling:
      return "recursive_doubling";
    case AllReduceAlgorithm::kLogicalRing:
      return "logical_ring";
  }
  return "auto";
}

}  // namespace commsim::comm::collectives
