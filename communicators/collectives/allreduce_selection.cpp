// Which all-reduce algorithm runs when the caller leaves the choice to the backend.
#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

AllReduceAlgorithm choose_allreduce(std::size_t bytes, std::int64_t numel, int world) {
  constexpr std::size_t kRingThreshold = 64 * 1024;
  if (bytes < kRingThreshold || numel < world) return AllReduceAlgorithm::kRecursiveDoubling;
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
  }
  return "auto";
}

}  // namespace commsim::comm::collectives
