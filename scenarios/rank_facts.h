// What each rank of a scenario observes about its node: the facts the simulator hands every rank,
// computed from the scenario alone (no SimGrid), so that they can also be explained without a run.
#pragma once

#include "communicators/rank_env.h"
#include "scenarios/scenario.h"

namespace commsim::scenario {

// VLLM_DIST_IDENT as vLLM's multiproc launcher sets it: the port of the node's own
// distributed_init_method, chosen locally on each node, so it differs between nodes. Node i gets
// kFirstLaunchPort + i unless the scenario sets the variable.
constexpr int kFirstLaunchPort = 29500;

// What rank `rank` on node `node_index` observes: the node's facts (hostname "node<i>", arch,
// init_shm_manager, environment with the launcher's VLLM_DIST_IDENT unless set), then the rank's
// overrides (threads, variables set and unset). num_threads defaults to the node's cores divided
// by `ranks_per_node` (at least 1).
// REQUIRES: the scenario is valid, node_index = scenario.node_of_rank(rank), and ranks_per_node is
// that node's entry of scenario.ranks_per_node().
comm::NodeFacts rank_facts(const Scenario& scenario, int rank, int node_index, int ranks_per_node);

}  // namespace commsim::scenario
