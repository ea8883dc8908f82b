#include "sim/platform.h"

#include <cstdio>
#include <simgrid/kernel/ProfileBuilder.hpp>
#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <string>
#include <vector>

#include "sim/platform_parts.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;
namespace profiles = simgrid::kernel::profile;

namespace {

using scenario::Fault;

// `seconds` as a profile's date, read back bit for bit (std::to_string would round it to the
// microsecond: a fault at 2.5us would strike at 3us).
std::string profile_date(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", seconds);
  return text;
}

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
    profile += profile_date(time) + " " + std::to_string(state) + "\n";
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

// The memory buses, in a zone of their own outside the network: nothing is ever routed to them,
// they only execute copies. The zone takes its models from the network's root zone, so it can be
// added after the network (an xml platform's root is sealed once loaded).
void add_memory_buses(const scenario::Scenario& scenario, Platform& platform) {
  const auto* root = sg4::Engine::get_instance()->get_netzone_root()->get_impl();
  auto* zone = sg4::create_empty_zone("commsim-memory-buses");
  zone->get_impl()->set_cpu_pm_model(root->get_cpu_pm_model());
  zone->get_impl()->set_network_model(root->get_network_model());
  zone->get_impl()->set_host_model(root->get_host_model());
  for (int node = 0; node < scenario.topology.nodes; ++node) {
    const double speed =
        scenario.node(node).hardware.memory_bandwidth * speed_factor(scenario, node);
    platform.memory_buses.push_back(
        zone->create_host(scenario.node_name(node) + "-membus", speed)->seal());
  }
  zone->seal();
}

}  // namespace

double speed_factor(const scenario::Scenario& scenario, int node) {
  double factor = 1;
  for (const Fault& fault : scenario.faults) {
    if (fault.node == node && fault.kind == Fault::Kind::kSlowNode) factor *= fault.factor;
  }
  return factor;
}

void set_host_faults(const scenario::Scenario& scenario, int node, sg4::Host* host) {
  if (const double at = crash_time(scenario, node); at >= 0) {
    host->set_state_profile(profiles::ProfileBuilder::from_string("crash" + std::to_string(node),
                                                                  profile_date(at) + " 0\n", -1));
  }
}

void set_link_faults(const scenario::Scenario& scenario, int node, sg4::Link* link) {
  if (const std::string profile = link_profile(scenario, node); !profile.empty()) {
    link->set_state_profile(
        profiles::ProfileBuilder::from_string(link->get_name() + "_state", profile, -1));
  }
}

sg4::Host* Platform::host_of(int node, int local_rank) const {
  const auto& hosts = node_hosts.at(static_cast<std::size_t>(node));
  return hosts[static_cast<std::size_t>(local_rank) % hosts.size()];
}

Platform build_platform(const scenario::Scenario& scenario) {
  Platform platform;
  const std::string& kind = scenario.topology.kind;
  if (kind == "xml") {
    load_platform_network(scenario, platform);
  } else if (kind == "fat_tree" || kind == "torus" || kind == "dragonfly") {
    build_generated_network(scenario, platform);
  } else {
    build_star_network(scenario, platform);
  }
  add_memory_buses(scenario, platform);
  // What a run would do first: SimGrid finishes its routing only then, and a route looked up
  // before (as explain does) can fail between zones.
  sg4::Engine::get_instance()->seal_platform();
  return platform;
}

}  // namespace commsim::sim
