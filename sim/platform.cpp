#include "sim/platform.h"

#include <string>

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

Platform build_cluster_platform(const scenario::Scenario& scenario) {
  Platform platform;
  auto* zone = sg4::create_star_zone("cluster");
  const scenario::NetworkSpec& network = scenario.topology.network;
  for (int i = 0; i < scenario.topology.nodes; ++i) {
    const std::string id = std::to_string(i);
    const scenario::NodeSpec node = scenario.node(i);
    sg4::Host* host = zone->create_host("node" + id, node.hardware.core_flops)
                          ->set_core_count(node.hardware.cores)
                          ->seal();
    sg4::SplitDuplexLink* nic = zone->create_split_duplex_link("nic" + id, network.bandwidth);
    nic->set_latency(network.latency);
    nic->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {{nic, sg4::LinkInRoute::Direction::UP}}, true);
    // Plain links are sealed by the zone (sealing them twice breaks tracing).
    sg4::Link* loopback = zone->create_link("lo" + id, network.loopback_bandwidth)
                              ->set_latency(network.loopback_latency);
    zone->add_route(host->get_netpoint(), host->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(loopback)}, false);
    platform.nodes.push_back(host);
    platform.memory_buses.push_back(
        zone->create_host("node" + id + "-membus", node.hardware.memory_bandwidth)->seal());
  }
  zone->seal();
  return platform;
}

}  // namespace commsim::sim
