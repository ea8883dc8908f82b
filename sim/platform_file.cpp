#include "sim/platform_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <simgrid/s4u.hpp>
#include <stdexcept>

#include "scenarios/input_file.h"
#include "sim/child_process.h"
#include "sim/engine.h"
#include "sim/platform_file_check.h"
#include "sim/platform_parts.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

// Written to the child's stderr before each route lookup, and after a node's routes are fine.
constexpr const char* kRoutingMarker = "commsim: looking up the route from ";
constexpr const char* kRoutesChecked = "commsim: routes checked";

// The pair of the last route lookup announced in `errors`, or "".
std::string last_route_lookup(const std::string& errors) {
  const std::size_t at = errors.rfind(kRoutingMarker);
  if (at == std::string::npos) return "";
  const std::size_t checked = errors.rfind(kRoutesChecked);
  if (checked != std::string::npos && checked > at) return "";
  const std::size_t start = at + std::strlen(kRoutingMarker);
  return errors.substr(start, errors.find('\n', start) - start);
}

// "n2" before "n10": digit runs compare as numbers, the rest as text.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i_end = i;
      std::size_t j_end = j;
      while (i_end < a.size() && std::isdigit(static_cast<unsigned char>(a[i_end]))) ++i_end;
      while (j_end < b.size() && std::isdigit(static_cast<unsigned char>(b[j_end]))) ++j_end;
      const std::string x = a.substr(i, i_end - i);
      const std::string y = b.substr(j, j_end - j);
      const std::size_t x_digits = x.size() - std::min(x.find_first_not_of('0'), x.size());
      const std::size_t y_digits = y.size() - std::min(y.find_first_not_of('0'), y.size());
      if (x_digits != y_digits) return x_digits < y_digits;
      const int order = x.compare(x.size() - x_digits, x_digits, y, y.size() - y_digits, y_digits);
      if (order != 0) return order < 0;
      i = i_end;
      j = j_end;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;  // "n1" and "n01" read alike: the plain text decides
}

void collect(const sg4::NetZone* zone, const std::string& node_unit,
             std::vector<std::vector<sg4::Host*>>& nodes) {
  std::vector<sg4::Host*> hosts = zone->get_all_hosts();
  // get_all_hosts includes the hosts of child zones in some SimGrid versions: keep this zone's.
  hosts.erase(
      std::remove_if(hosts.begin(), hosts.end(),
                     [zone](const sg4::Host* host) { return host->get_englobing_zone() != zone; }),
      hosts.end());
  std::sort(hosts.begin(), hosts.end(), [](const sg4::Host* a, const sg4::Host* b) {
    return natural_less(a->get_name(), b->get_name());
  });
  if (node_unit == "zones") {
    if (!hosts.empty()) nodes.push_back(hosts);
  } else {
    for (sg4::Host* host : hosts) nodes.push_back({host});
  }
  for (const sg4::NetZone* child : zone->get_children()) collect(child, node_unit, nodes);
}

}  // namespace

std::vector<std::vector<sg4::Host*>> platform_file_nodes(const std::string& node_unit) {
  std::vector<std::vector<sg4::Host*>> nodes;
  collect(sg4::Engine::get_instance()->get_netzone_root(), node_unit, nodes);
  return nodes;
}

void load_platform_network(const scenario::Scenario& scenario, Platform& platform) {
  sg4::Engine::get_instance()->load_platform(scenario.topology.xml.file);
  platform.node_hosts = platform_file_nodes(scenario.topology.xml.node_unit);
}

scenario::PlatformFileNodes read_platform_file(const std::string& path,
                                               const std::string& node_unit) {
  scenario::PlatformFileNodes found;
  // SimGrid reads the file itself; it must be one it can read whole, not a device or a FIFO.
  const scenario::InputText input =
      scenario::read_input_file(path, scenario::kMaxPlatformFileBytes);
  if (!input.text) {
    found.error = "cannot read platform file '" + path + "': " + input.error;
    return found;
  }
  const ChildOutput output = run_in_child([&] {
    sg4::Engine& engine = start_engine({});
    engine.load_platform(path);
    engine.seal_platform();  // routes between zones are complete only then
    if (const std::string problem = platform_resource_problem(*input.text); !problem.empty()) {
      return nlohmann::json{{"problem", problem}}.dump();
    }
    const auto nodes = platform_file_nodes(node_unit);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& hosts : nodes) {
      nlohmann::json names = nlohmann::json::array();
      for (const sg4::Host* host : hosts) names.push_back(host->get_name());
      const sg4::Host* first = hosts.front();
      nlohmann::json properties = nlohmann::json::object();
      if (const auto* zone_properties = first->get_englobing_zone()->get_properties()) {
        for (const auto& [key, value] : *zone_properties) properties[key] = value;
      }
      if (const auto* host_properties = first->get_properties()) {
        for (const auto& [key, value] : *host_properties) properties[key] = value;
      }
      const std::string name =
          node_unit == "zones" ? first->get_englobing_zone()->get_name() : first->get_name();
      // A zone's cores are all its hosts' cores; the speed is its first host's.
      int cores = 0;
      for (const sg4::Host* host : hosts) cores += host->get_core_count();
      list.push_back({{"name", name},
                      {"hosts", names},
                      {"cores", cores},
                      {"speed", first->get_speed()},
                      {"properties", properties}});
    }
    // Every host must reach node 0's first host and be reached from it, and reach itself (ranks
    // of one node talk through it). SimGrid dies on some missing routes and returns an empty one
    // for others, so each lookup is announced first (see kRoutingMarker) and checked after.
    if (nodes.empty()) return list.dump();  // the parser says there are none
    const sg4::Host* origin = nodes.front().front();
    for (const auto& hosts : nodes) {
      for (const sg4::Host* host : hosts) {
        for (const auto& [from, to] :
             {std::pair(origin, host), std::pair(host, origin), std::pair(host, host)}) {
          if (from == to && from != host) continue;
          std::fprintf(stderr, "%s%s to %s\n", kRoutingMarker, from->get_cname(), to->get_cname());
          std::vector<sg4::Link*> links;
          double latency = 0;
          from->route_to(to, links, &latency);
          if (links.empty() && latency == 0) {
            throw std::runtime_error("the route is empty: messages on it would take no time");
          }
        }
      }
      std::fprintf(stderr, "%s\n", kRoutesChecked);
      // The memory buses are named after the nodes (platform.h).
      const std::string bus =
          (node_unit == "zones" ? hosts.front()->get_englobing_zone()->get_name()
                                : hosts.front()->get_name()) +
          "-membus";
      if (sg4::Host::by_name_or_null(bus) != nullptr) {
        throw std::runtime_error("host '" + bus +
                                 "' has the name commsim gives a node's memory bus");
      }
    }
    return list.dump();
  });
  if (!output.completed) {
    std::string reason = last_error_line(output.errors);
    if (reason.rfind(kRoutingMarker, 0) == 0 || reason == kRoutesChecked) {
      reason = "";  // it died with no message of its own
    }
    // It died looking a route up, after the file loaded: name the pair.
    if (const std::string pair = last_route_lookup(output.errors); !pair.empty()) {
      reason = "SimGrid cannot route from " + pair + " (" +
               (reason.empty() ? "it stopped without a message" : reason) +
               "); every host must reach the first one, be reached from it, and reach itself";
    } else {
      // SimGrid reads numbers with std::stoi and friends, whose message is only their name.
      if (reason == "stoi" || reason == "stol" || reason == "stod" || reason == "stoul") {
        reason = "a number in it is out of range or not a number (" + reason + " failed)";
      }
      reason =
          "SimGrid cannot use it: " + (reason.empty() ? "it stopped without a message" : reason);
    }
    found.error = path + ": " + reason;
    return found;
  }
  const nlohmann::json result = nlohmann::json::parse(output.result);
  if (result.is_object()) {  // {"problem": "[LINE:COL: ]what"}
    const std::string problem = result.at("problem").get<std::string>();
    const bool positioned =
        !problem.empty() && std::isdigit(static_cast<unsigned char>(problem[0]));
    found.error = path + (positioned ? ":" : ": ") + problem;
    return found;
  }
  for (const nlohmann::json& node : result) {
    scenario::PlatformNode entry;
    entry.name = node.at("name").get<std::string>();
    entry.hosts = node.at("hosts").get<std::vector<std::string>>();
    entry.cores = node.at("cores").get<int>();
    entry.speed = node.at("speed").get<double>();
    entry.properties = node.at("properties").get<std::map<std::string, std::string>>();
    found.nodes.push_back(std::move(entry));
  }
  return found;
}

}  // namespace commsim::sim
