// The simulated cluster: SimGrid hosts and links built from a scenario's topology.
//
//   node0 --[nic0 UP]--\                     /--[nic1 DOWN]--> node1     between nodes: 2 hops
//                       (switch, star centre)
//   node0 --[lo0]--> node0                                     inside a node: TCP over loopback
//   node0-membus                                               the node's memory bus
//
// Each node is one host with the node's cores and per-core speed. Each NIC is a split-duplex link
// (bandwidth per direction, latency per hop); the loopback is a SHARED link carrying
// torch.distributed messages between ranks of the node. The memory bus is a single-core host whose
// speed is the memory bandwidth in bytes/s: a shared-memory copy of n bytes is an execution of n
// on it, so concurrent copies on one node share its bandwidth (max-min fair) and no network-model
// factor applies. REQUIRES: a simgrid::s4u::Engine exists and no platform has been built yet.
#pragma once

#include <simgrid/s4u.hpp>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::sim {

struct Platform {
  std::vector<simgrid::s4u::Host*> nodes;         // by node index
  std::vector<simgrid::s4u::Host*> memory_buses;  // by node index
};

Platform build_cluster_platform(const scenario::Scenario& scenario);

}  // namespace commsim::sim
