#include "sim/platform_summary.h"

#include <algorithm>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <set>
#include <simgrid/s4u.hpp>
#include <sstream>
#include <stdexcept>

#include "sim/child_process.h"
#include "sim/engine.h"
#include "sim/platform.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

// The shape of the topology: SimGrid's topo_parameters, the platform file, or the node count.
std::string shape_text(const scenario::Topology& topology) {
  if (const std::string parameters = scenario::topo_parameters(topology); !parameters.empty()) {
    return parameters;
  }
  if (topology.kind == "xml") return topology.xml.file + " (" + topology.xml.node_unit + ")";
  return std::to_string(topology.nodes) + " node" + (topology.nodes == 1 ? "" : "s");
}

std::string short_number(double value) {
  std::ostringstream text;
  text << std::setprecision(6) << value;
  return text.str();
}

}  // namespace

PlatformSummary summarize_platform(const scenario::Scenario& scenario,
                                   const std::vector<std::pair<int, int>>& pairs) {
  const ChildOutput output = run_in_child([&] {
    const sg4::Engine& engine = start_engine({});
    const Platform platform = build_platform(scenario);
    nlohmann::json routes = nlohmann::json::array();
    for (const auto& [from, to] : pairs) {
      std::vector<sg4::Link*> links;
      double latency = 0;
      // Inside a node: from its first host to its second, where it has several.
      platform.host_of(from, 0)->route_to(platform.host_of(to, from == to ? 1 : 0), links,
                                          &latency);
      nlohmann::json names = nlohmann::json::array();
      double narrowest = 0;
      for (const sg4::Link* link : links) {
        names.push_back(link->get_name());
        if (narrowest == 0 || link->get_bandwidth() < narrowest) narrowest = link->get_bandwidth();
      }
      routes.push_back({{"from", from},
                        {"to", to},
                        {"links", names},
                        {"latency", latency},
                        {"narrowest", narrowest}});
    }
    const nlohmann::json summary = {{"hosts", engine.get_all_hosts().size()},
                                    {"links", engine.get_link_count() - 1},
                                    {"routes", routes}};
    return summary.dump();
  });
  if (!output.completed) {
    const std::string reason = last_error_line(output.errors);
    throw std::runtime_error("cannot build the platform: " +
                             (reason.empty() ? child_status_text(output.status) : reason));
  }
  const auto json = nlohmann::json::parse(output.result);
  PlatformSummary summary{json.at("hosts").get<int>(), json.at("links").get<int>(), {}};
  for (const auto& route : json.at("routes")) {
    summary.routes.push_back(RouteSummary{route.at("from").get<int>(), route.at("to").get<int>(),
                                          route.at("links").get<std::vector<std::string>>(),
                                          route.at("latency").get<double>(),
                                          route.at("narrowest").get<double>()});
  }
  return summary;
}

std::vector<std::pair<int, int>> pairs_to_show(const scenario::Scenario& scenario,
                                               const std::vector<std::vector<int>>& groups,
                                               std::size_t limit) {
  std::vector<std::pair<int, int>> pairs = {{0, 0}};
  std::set<std::pair<int, int>> seen = {{0, 0}};
  for (const std::vector<int>& ranks : groups) {
    for (std::size_t i = 1; i < ranks.size() && pairs.size() < limit; ++i) {
      const std::pair<int, int> pair(scenario.node_of_rank(ranks[i - 1]),
                                     scenario.node_of_rank(ranks[i]));
      if (pair.first != pair.second && seen.insert(pair).second) pairs.push_back(pair);
    }
  }
  return pairs;
}

void write_network_text(std::ostream& out, const scenario::Scenario& scenario,
                        const PlatformSummary& summary) {
  const scenario::NetworkSpec& network = scenario.topology.network;
  out << "network\n"
      << "  kind    " << scenario.topology.kind << " " << shape_text(scenario.topology) << '\n'
      << "  model   " << network.model << ", crosstraffic " << (network.crosstraffic ? "on" : "off")
      << '\n'
      << "  counts  " << summary.hosts << " hosts, " << summary.links << " links\n";
  if (scenario.topology.kind != "xml") {
    out << "  links   " << short_number(network.bandwidth * 8 / 1e9) << " Gbps, "
        << short_number(network.latency * 1e6) << " us each; loopback "
        << short_number(network.loopback_bandwidth / 1e9) << " GB/s, "
        << short_number(network.loopback_latency * 1e6) << " us";
    if (network.nic_limit)
      out << "; NIC limit " << short_number(*network.nic_limit * 8 / 1e9) << " Gbps";
    out << '\n';
  }
  for (const RouteSummary& route : summary.routes) {
    out << "  route   " << scenario.node_name(route.from) << " -> " << scenario.node_name(route.to)
        << ": " << route.links.size() << " link" << (route.links.size() == 1 ? "" : "s") << ", "
        << short_number(route.latency * 1e6) << " us, narrowest "
        << short_number(route.narrowest / 1e9) << " GB/s:";
    for (const std::string& link : route.links) out << ' ' << link;
    out << '\n';
  }
}

}  // namespace commsim::sim
