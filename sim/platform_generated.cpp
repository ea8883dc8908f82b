// Kinds fat_tree, torus and dragonfly: SimGrid's cluster generators, one host per leaf.
#include <limits>
#include <string>
#include <vector>

#include "sim/platform_parts.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

// A FATPIPE limiter's bandwidth when the node has no NIC limit: 1 PB/s, above every link's.
constexpr double kUnlimited = 1e15;

std::vector<unsigned> as_unsigned(const std::vector<int>& values) {
  return {values.begin(), values.end()};
}

}  // namespace

void build_generated_network(const scenario::Scenario& scenario, Platform& platform) {
  const scenario::Topology& topology = scenario.topology;
  const scenario::NetworkSpec& network = topology.network;
  platform.node_hosts.resize(static_cast<std::size_t>(topology.nodes));

  // Leaf `id` is node `id`: SimGrid numbers a generated cluster's leaves 0 .. nodes - 1.
  const auto make_host = [&](sg4::NetZone* zone, const std::vector<unsigned long>&,
                             unsigned long id) {
    const int index = static_cast<int>(id);
    const scenario::NodeSpec node = scenario.node(index);
    sg4::Host* host = zone->create_host(scenario.node_name(index),
                                        node.hardware.core_flops * speed_factor(scenario, index))
                          ->set_core_count(node.hardware.cores);
    set_host_faults(scenario, index, host);
    host->seal();
    platform.node_hosts[id] = {host};
    return std::make_pair(host->get_netpoint(),
                          static_cast<simgrid::kernel::routing::NetPoint*>(nullptr));
  };
  const auto make_loopback = [&](sg4::NetZone* zone, const std::vector<unsigned long>&,
                                 unsigned long id) {
    return zone->create_link("lo" + std::to_string(id), network.loopback_bandwidth)
        ->set_latency(network.loopback_latency);
  };
  // Every node gets a limiter, so that link faults have a link to switch off: SHARED at the
  // node's NIC limit, or a FATPIPE no flow can fill when it has none.
  // SimGrid also asks for the limiters of a fat-tree's switches (coordinates {level > 0, j}) and
  // a dragonfly's routers (last coordinate UINT_MAX): they get none.
  const auto make_limiter = [&](sg4::NetZone* zone, const std::vector<unsigned long>& coord,
                                unsigned long id) -> sg4::Link* {
    const bool fat_tree_switch = topology.kind == "fat_tree" && coord.front() > 0;
    const bool dragonfly_router =
        topology.kind == "dragonfly" && coord.back() == std::numeric_limits<unsigned int>::max();
    if (fat_tree_switch || dragonfly_router) return nullptr;
    const int index = static_cast<int>(id);
    const auto limit = scenario.nic_limit(index);
    sg4::Link* limiter = zone->create_link("nic" + std::to_string(id), limit ? *limit : kUnlimited);
    if (!limit) limiter->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE);
    set_link_faults(scenario, index, limiter);
    return limiter;
  };
  const sg4::ClusterCallbacks callbacks(make_host, make_loopback, make_limiter);
  const auto sharing = sg4::Link::SharingPolicy::SPLITDUPLEX;

  sg4::NetZone* zone = nullptr;
  if (topology.kind == "fat_tree") {
    const scenario::FatTreeShape& shape = topology.fat_tree;
    zone = sg4::create_fatTree_zone(
        "fat_tree", nullptr,
        sg4::FatTreeParams(static_cast<unsigned>(shape.levels), as_unsigned(shape.down),
                           as_unsigned(shape.up), as_unsigned(shape.links)),
        callbacks, network.bandwidth, network.latency, sharing);
  } else if (topology.kind == "torus") {
    const std::vector<unsigned long> dimensions(topology.torus.dimensions.begin(),
                                                topology.torus.dimensions.end());
    zone = sg4::create_torus_zone("torus", nullptr, dimensions, callbacks, network.bandwidth,
                                  network.latency, sharing);
  } else {
    const scenario::DragonflyShape& shape = topology.dragonfly;
    const auto pair = [](std::pair<int, int> p) {
      return std::pair<unsigned, unsigned>(static_cast<unsigned>(p.first),
                                           static_cast<unsigned>(p.second));
    };
    zone = sg4::create_dragonfly_zone(
        "dragonfly", nullptr,
        sg4::DragonflyParams(pair(shape.groups), pair(shape.chassis), pair(shape.routers),
                             static_cast<unsigned>(shape.nodes)),
        callbacks, network.bandwidth, network.latency, sharing);
  }
  zone->seal();
}

}  // namespace commsim::sim
