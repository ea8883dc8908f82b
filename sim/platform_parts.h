// The pieces build_platform (platform.h) is made of; one source file per network kind.
#pragma once

#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

#include "scenarios/scenario.h"
#include "sim/platform.h"

namespace commsim::sim {

// Kinds cluster and single_node: the star zone. Fills node_hosts.
void build_star_network(const scenario::Scenario& scenario, Platform& platform);

// Kinds fat_tree, torus and dragonfly: SimGrid's generators. Fills node_hosts.
void build_generated_network(const scenario::Scenario& scenario, Platform& platform);

// Kind xml: loads the file. Fills node_hosts.
void load_platform_network(const scenario::Scenario& scenario, Platform& platform);

// The nodes of the loaded platform: each host (`node_unit` "hosts") or each zone with hosts of
// its own ("zones"), zones depth first in file order, hosts of a zone in natural name order
// ("n2" before "n10").
std::vector<std::vector<simgrid::s4u::Host*>> platform_file_nodes(const std::string& node_unit);

// Node `node`'s host-crash fault as a state profile on `host`, if it has one. Before sealing.
void set_host_faults(const scenario::Scenario& scenario, int node, simgrid::s4u::Host* host);

// Node `node`'s link faults as state profiles on `link`, if it has any. Before sealing.
void set_link_faults(const scenario::Scenario& scenario, int node, simgrid::s4u::Link* link);

// The product of node `node`'s slow-node factors (1 when none): its cores' and memory bus' speed.
double speed_factor(const scenario::Scenario& scenario, int node);

}  // namespace commsim::sim
