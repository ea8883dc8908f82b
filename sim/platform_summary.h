// What a scenario's platform is made of, as SimGrid builds it: for `commsim explain`.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::sim {

struct RouteSummary {
  int from = 0;  // node indices
  int to = 0;
  std::vector<std::string> links;  // in order
  double latency = 0;              // seconds, the sum over the links (before model factors)
  double narrowest = 0;            // bytes/s, the smallest link bandwidth on it
};

struct PlatformSummary {
  int hosts = 0;  // of the network (the memory buses are left out)
  int links = 0;  // SimGrid's own __loopback__ left out
  std::vector<RouteSummary> routes;
};

// Builds `scenario`'s platform in a child process and looks up the route between each pair of
// nodes in `pairs` (first host to first host). Throws std::runtime_error with SimGrid's message
// when the platform cannot be built.
PlatformSummary summarize_platform(const scenario::Scenario& scenario,
                                   const std::vector<std::pair<int, int>>& pairs);

// The node pairs worth showing: inside node 0, then each hop between consecutive members of the
// groups that span nodes (deduplicated, in group order), at most `limit` in all.
std::vector<std::pair<int, int>> pairs_to_show(const scenario::Scenario& scenario,
                                               const std::vector<std::vector<int>>& groups,
                                               std::size_t limit);

// The "network" section of `commsim explain`: kind and shape, model, counts, routes.
void write_network_text(std::ostream& out, const scenario::Scenario& scenario,
                        const PlatformSummary& summary);

}  // namespace commsim::sim
