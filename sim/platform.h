// The simulated cluster: SimGrid hosts and links built from a scenario's topology.
//
// Every kind gives each node a host (a zone of hosts when an xml platform's zones are nodes) with
// the node's cores and per-core speed, and a memory bus. Between nodes:
//
// - cluster: node -[nicI UP]-> (switch) -[nicJ DOWN]-> node, two hops; an optional limiter per
//   node (SHARED, all its traffic in and out).
// - single_node: one node of a cluster.
// - fat_tree, torus, dragonfly: SimGrid's generators (create_fatTree_zone, create_torus_zone,
//   create_dragonfly_zone). Every generated link has the network's bandwidth and latency and is
//   SPLITDUPLEX; every node has a limiter link "nicI" (SHARED at its nic_limit, or a FATPIPE that
//   never binds) that link faults switch off.
// - xml: the platform file as SimGrid reads it.
//
// Inside a node (all kinds but xml), messages cross the node's loopback "loI" (SHARED). The memory
// bus "<node name>-membus" is a single-core host outside the network whose speed is the memory
// bandwidth in bytes/s: a shared-memory copy of n bytes is an execution of n on it, so concurrent
// copies on one node share its bandwidth (max-min fair) and no network-model factor applies.
// The platform is sealed when built, as a run would seal it first.
// REQUIRES: a simgrid::s4u::Engine exists and no platform has been built yet.
#pragma once

#include <simgrid/s4u.hpp>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::sim {

struct Platform {
  std::vector<std::vector<simgrid::s4u::Host*>> node_hosts;  // by node index; never empty
  std::vector<simgrid::s4u::Host*> memory_buses;             // by node index

  // The host rank number `local_rank` (0-based, on its node) runs on: the node's hosts in turn.
  simgrid::s4u::Host* host_of(int node, int local_rank) const;
};

Platform build_platform(const scenario::Scenario& scenario);

}  // namespace commsim::sim
