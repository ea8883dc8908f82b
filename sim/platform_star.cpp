// Kinds cluster and single_node: nodes behind one switch, in a StarZone.
#include <string>

#include "sim/platform_parts.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

void build_star_network(const scenario::Scenario& scenario, Platform& platform) {
  auto* zone = sg4::create_star_zone("cluster");
  const scenario::NetworkSpec& network = scenario.topology.network;
  for (int i = 0; i < scenario.topology.nodes; ++i) {
    const std::string id = std::to_string(i);
    const scenario::NodeSpec node = scenario.node(i);
    sg4::Host* host =
        zone->create_host("node" + id, node.hardware.core_flops * speed_factor(scenario, i))
            ->set_core_count(node.hardware.cores);
    set_host_faults(scenario, i, host);
    host->seal();
    sg4::SplitDuplexLink* nic = zone->create_split_duplex_link("nic" + id, network.bandwidth);
    nic->set_latency(network.latency);
    set_link_faults(scenario, i, nic->get_link_up());
    set_link_faults(scenario, i, nic->get_link_down());
    nic->seal();
    std::vector<sg4::LinkInRoute> uplink = {{nic, sg4::LinkInRoute::Direction::UP}};
    if (const auto limit = scenario.nic_limit(i)) {
      // SimGrid's cluster limiter: one SHARED link for all of the node's traffic, in and out.
      uplink.emplace_back(zone->create_link("limiter" + id, *limit));
    }
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, uplink, true);
    // Plain links are sealed by the zone (sealing them twice breaks tracing).
    sg4::Link* loopback = zone->create_link("lo" + id, network.loopback_bandwidth)
                              ->set_latency(network.loopback_latency);
    zone->add_route(host->get_netpoint(), host->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(loopback)}, false);
    platform.node_hosts.push_back({host});
  }
  zone->seal();
}

}  // namespace commsim::sim
