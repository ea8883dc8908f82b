// What each rank of a scenario observes about its node: the facts the simulator hands every rank,
// computed from the scenario alone (no SimGrid), so that they can also be explained without a run.
#pragma once

#include <vector>

#include "communicators/rank_env.h"
#include "scenarios/launch_ports.h"
#include "scenarios/scenario.h"

namespace commsim::scenario {

// What rank `rank` on node `node_index` observes: the node's facts (hostname "node<i>", arch,
// init_shm_manager, environment with VLLM_DIST_IDENT = `idents[node_index]`, the launch model's
// identifier, scenarios/launch_ports.h), then the rank's
// overrides (threads, variables set and unset). num_threads defaults to the node's cores divided
// by `ranks_per_node` (at least 1).
// REQUIRES: the scenario is valid, node_index = scenario.node_of_rank(rank), and ranks_per_node is
// that node's entry of scenario.ranks_per_node(), and idents = launch_idents(scenario).
comm::NodeFacts rank_facts(const Scenario& scenario, int rank, int node_index, int ranks_per_node,
                           const std::vector<LaunchIdent>& idents);

}  // namespace commsim::scenario
