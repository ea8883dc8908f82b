#include "sim/platform.h"

#include <algorithm>
#include <simgrid/kernel/ProfileBuilder.hpp>
#include <string>
#include <vector>

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

using scenario::Fault;

// The "time state" profile of node `node`'s NIC (1 on, 0 off) from its link faults, or "".
std::string link_profile(const scenario::Scenario& scenario, int node) {
  std::vector<std::pair<double, int>> events;
  for (const Fault& fault : scenario.faults) {
    if (fault.node != node) continue;
    if (fault.kind == Fault::Kind::kLinkDown) events.emplace_back(fault.at, 0);
    if (fault.kind == Fault::Kind::kLinkUp) events.emplace_back(fault.at, 1);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string profile;
  for (const auto& [time, state] : events) {
    profile += std::to_string(time) + " " + std::to_string(state) + "\n";
  }
  return profile;
}

// The earliest crash time of node `node`, or a negative number.
double crash_time(const scenario::Scenario& scenario, int node) {
  double earliest = -1;
  for (const Fault& fault : scenario.faults) {
    if (fault.node == node && fault.kind == Fault::Kind::kHostCrash &&
        (earliest < 0 || fault.at < earliest)) {
      earliest = fault.at;
    }
  }
  return earliest;
}

// The product of node `node`'s slow-node factors (1 when none).
double speed_factor(const scenario::Scenario& scenario, int node) {
  double factor = 1;
  for (const Fault& fault : scenario.faults) {
    if (fault.node == node && fault.kind == Fault::Kind::kSlowNode) factor *= fault.factor;
  }
  return factor;
}

}  // namespace

Platform build_cluster_platform(const scenario::Scenario& scenario) {
  Platform platform;
  auto* zone = sg4::create_star_zone("cluster");
  const scenario::NetworkSpec& network = scenario.topology.network;
  for (int i = 0; i < scenario.topology.nodes; ++i) {
    const std::string id = std::to_string(i);
    const scenario::NodeSpec node = scenario.node(i);
    const double factor = speed_factor(scenario, i);
    sg4::Host* host = zone->create_host("node" + id, node.hardware.core_flops * factor)
                          ->set_core_count(node.hardware.cores);
    if (const double at = crash_time(scenario, i); at >= 0) {
      host->set_state_profile(simgrid::kernel::profile::ProfileBuilder::from_string(
          "crash" + id, std::to_string(at) + " 0\n", -1));
    }
    host->seal();
    sg4::SplitDuplexLink* nic = zone->create_split_duplex_link("nic" + id, network.bandwidth);
    nic->set_latency(network.latency);
    if (const std::string profile = link_profile(scenario, i); !profile.empty()) {
      namespace profiles = simgrid::kernel::profile;
      nic->get_link_up()->set_state_profile(
          profiles::ProfileBuilder::from_string("nic" + id + "_UP_state", profile, -1));
      nic->get_link_down()->set_state_profile(
          profiles::ProfileBuilder::from_string("nic" + id + "_DOWN_state", profile, -1));
    }
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
        zone->create_host("node" + id + "-membus", node.hardware.memory_bandwidth * factor)
            ->seal());
  }
  zone->seal();
  return platform;
}

}  // namespace commsim::sim
