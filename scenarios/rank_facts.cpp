#include "scenarios/rank_facts.h"

#include <algorithm>
#include <string>

namespace commsim::scenario {

comm::NodeFacts rank_facts(const Scenario& scenario, int rank, int node_index, int ranks_per_node,
                           const std::vector<LaunchIdent>& idents) {
  const NodeSpec spec = scenario.node(node_index);
  comm::NodeFacts facts;
  facts.index = node_index;
  facts.hostname = scenario.node_name(node_index);
  facts.arch = spec.arch;
  facts.has_init_shm_manager = spec.has_init_shm_manager;
  facts.num_threads =
      spec.num_threads > 0 ? spec.num_threads : std::max(1, spec.hardware.cores / ranks_per_node);
  facts.environment = spec.environment;
  facts.dist_impl = scenario.torch_distributed.library;
  facts.dist_timeout = scenario.torch_distributed.timeout;
  facts.environment["VLLM_DIST_IDENT"] = idents[static_cast<std::size_t>(node_index)].ident;
  const auto found = scenario.rank_overrides.find(rank);
  if (found != scenario.rank_overrides.end()) {
    const RankOverride& rank_override = found->second;
    if (rank_override.num_threads) facts.num_threads = *rank_override.num_threads;
    for (const auto& [key, value] : rank_override.environment) facts.environment[key] = value;
    for (const std::string& key : rank_override.unset_environment) facts.environment.erase(key);
  }
  return facts;
}

}  // namespace commsim::scenario
