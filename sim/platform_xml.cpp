#include "sim/platform_xml.h"

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "communicators/rank_env.h"
#include "results/xml_text.h"
#include "scenarios/input_file.h"

namespace commsim::sim {

namespace {

using scenario::Fault;

// The shortest decimal spelling of `value` that reads back as exactly `value`.
std::string number(double value) {
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), end);
}

struct Unit {
  const char* suffix;
  double scale;  // as SimGrid (and scenario files) scale it: value = number * scale
};

// The shortest spelling of `value` as a number and one of `units` that SimGrid parses back to
// exactly `value` (e.g. 1.25e9 bytes/s as "10Gbps", 5e-6 s as "5us"). The first unit must have
// scale 1, so that a spelling always exists.
template <std::size_t N>
std::string spelled(double value, const std::array<Unit, N>& units) {
  std::string best = number(value) + units[0].suffix;
  for (const Unit& unit : units) {
    const std::string digits = number(value / unit.scale);
    double parsed = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    const std::string text = digits + unit.suffix;
    // Shorter wins; at equal length, a whole number ("100ns" rather than "0.1us").
    const auto weight = [](const std::string& t) { return 2 * t.size() + (t.find('.') != t.npos); };
    if (parsed * unit.scale == value && weight(text) < weight(best)) best = text;
  }
  return best;
}

constexpr std::array<Unit, 10> kBandwidthUnits = {{{"Bps", 1},
                                                   {"kBps", 1e3},
                                                   {"MBps", 1e6},
                                                   {"GBps", 1e9},
                                                   {"TBps", 1e12},
                                                   {"bps", 0.125},
                                                   {"kbps", 0.125 * 1e3},
                                                   {"Mbps", 0.125 * 1e6},
                                                   {"Gbps", 0.125 * 1e9},
                                                   {"Tbps", 0.125 * 1e12}}};
constexpr std::array<Unit, 4> kTimeUnits = {{{"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}}};
constexpr std::array<Unit, 6> kSpeedUnits = {
    {{"f", 1}, {"kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}, {"Pf", 1e15}}};

std::string bandwidth(double bytes_per_second) {
  return spelled(bytes_per_second, kBandwidthUnits);
}
std::string seconds(double value) { return spelled(value, kTimeUnits); }
std::string flops(double value) { return spelled(value, kSpeedUnits); }

// The <prop>s of a node: its facts, spelled as in a scenario file.
std::string node_properties(const scenario::NodeSpec& node, const std::string& indent) {
  std::ostringstream xml;
  xml << indent << "<prop id=\"arch\" value=\"" << results::xml_escape(comm::arch_name(node.arch))
      << "\"/>\n"
      << indent << "<prop id=\"init_shm_manager\" value=\""
      << (node.has_init_shm_manager ? "true" : "false") << "\"/>\n"
      << indent << "<prop id=\"memory_bandwidth\" value=\""
      << bandwidth(node.hardware.memory_bandwidth) << "\"/>\n"
      << indent << "<prop id=\"memory_latency\" value=\"" << seconds(node.hardware.memory_latency)
      << "\"/>\n";
  return xml.str();
}

std::string header(const scenario::Scenario& scenario, const std::string& what) {
  const scenario::NetworkSpec& network = scenario.topology.network;
  std::ostringstream xml;
  xml << "<?xml version='1.0'?>\n"
      << "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
      << "<platform version=\"4.1\">\n"
      << "  <!-- commsim scenario '" << results::xml_comment_text(scenario.name)
      << "': " << results::xml_comment_text(what) << " -->\n"
      << "  <!-- commsim: " << results::xml_comment_text(network.model) << ", crosstraffic "
      << (network.crosstraffic ? "on" : "off")
      << " (for smpirun, set the configuration network/model to "
      << results::xml_comment_text(network.model) << ") -->\n"
      << "  <!-- not exported: the memory-bus hosts nodeI-membus (shared-memory copies) -->\n";
  if (!network.crosstraffic) {
    xml << "  <config>\n"
        << "    <prop id=\"network/crosstraffic\" value=\"0\"/>\n"
        << "  </config>\n";
  }
  return xml.str();
}

// What differs between node `index` and node 0 that a <cluster> cannot say, or "".
std::string unlike_first_node(const scenario::Scenario& scenario, int index) {
  const scenario::NodeSpec first = scenario.node(0);
  const scenario::NodeSpec node = scenario.node(index);
  if (node.arch != first.arch) return "arch";
  if (node.has_init_shm_manager != first.has_init_shm_manager) return "init_shm_manager";
  if (node.hardware.cores != first.hardware.cores) return "cores";
  if (node.hardware.core_flops != first.hardware.core_flops) return "core_gflops";
  if (node.hardware.memory_bandwidth != first.hardware.memory_bandwidth) {
    return "memory_bandwidth";
  }
  if (node.hardware.memory_latency != first.hardware.memory_latency) return "memory_latency";
  if (scenario.nic_limit(index) != scenario.nic_limit(0)) return "nic_limit";
  return "";
}

// Kinds fat_tree, torus and dragonfly: SimGrid's <cluster topology="..."> builds them with the
// same generator commsim calls. Its hosts are alike, so every node must be.
std::string generated_xml(const scenario::Scenario& scenario) {
  const scenario::Topology& topology = scenario.topology;
  for (int index = 1; index < topology.nodes; ++index) {
    if (const std::string field = unlike_first_node(scenario, index); !field.empty()) {
      throw PlatformExportError("node " + std::to_string(index) + " differs from node 0 in " +
                                field + ": SimGrid's <cluster topology=...> has one kind of host");
    }
  }
  const std::string name = topology.kind == "fat_tree" ? "FAT_TREE"
                           : topology.kind == "torus"  ? "TORUS"
                                                       : "DRAGONFLY";
  const std::string parameters = scenario::topo_parameters(topology);
  const scenario::NetworkSpec& network = topology.network;
  const scenario::NodeSpec node = scenario.node(0);
  std::ostringstream xml;
  xml << header(scenario, topology.kind + " " + parameters)
      << "  <!-- SimGrid's cluster loopbacks are FATPIPE where commsim's are SHARED: messages\n"
         "       inside a node do not share the loopback here. Without a NIC limit, commsim's\n"
         "       limiters never bind and are left out. -->\n"
      << "  <cluster id=\"" << results::xml_escape(topology.kind)
      << "\" prefix=\"node\" suffix=\"\" radical=\"0-" << topology.nodes - 1 << "\" speed=\""
      << flops(node.hardware.core_flops) << "\" core=\"" << node.hardware.cores << "\" bw=\""
      << bandwidth(network.bandwidth) << "\" lat=\"" << seconds(network.latency)
      << "\" sharing_policy=\"SPLITDUPLEX\" topology=\"" << results::xml_escape(name)
      << "\" topo_parameters=\"" << results::xml_escape(parameters) << "\" loopback_bw=\""
      << bandwidth(network.loopback_bandwidth) << "\" loopback_lat=\""
      << seconds(network.loopback_latency) << "\"";
  if (const auto limit = scenario.nic_limit(0)) {
    // SimGrid's <cluster limiter_link=...> limits the switches and routers too; commsim does not.
    if (topology.kind != "torus") {
      throw PlatformExportError("the nodes have a NIC limit: SimGrid's " + topology.kind +
                                " <cluster limiter_link=...> would limit its switches as well");
    }
    xml << " limiter_link=\"" << bandwidth(*limit) << "\"";
  }
  xml << ">\n"
      << node_properties(node, "    ") << "  </cluster>\n"
      << "</platform>\n";
  return xml.str();
}

// Kind xml: the file itself, as SimGrid read it.
std::string file_xml(const scenario::Scenario& scenario) {
  scenario::InputText input =
      scenario::read_input_file(scenario.topology.xml.file, scenario::kMaxPlatformFileBytes);
  if (!input.text) {
    throw PlatformExportError("cannot read " + scenario.topology.xml.file + ": " + input.error);
  }
  return std::move(*input.text);
}

}  // namespace

std::string platform_xml(const scenario::Scenario& scenario) {
  if (!scenario.faults.empty()) {
    const Fault& fault = scenario.faults.front();
    std::string where = fault.pos.line > 0 ? " (line " + std::to_string(fault.pos.line) + ")" : "";
    throw PlatformExportError(
        "fault '" + std::string(scenario::fault_kind_name(fault.kind)) + "'" + where +
        ": platform export does not carry faults; remove the faults: section");
  }
  const std::string& kind = scenario.topology.kind;
  if (kind == "xml") return file_xml(scenario);
  if (kind == "fat_tree" || kind == "torus" || kind == "dragonfly") return generated_xml(scenario);
  for (int index = 0; index < scenario.topology.nodes; ++index) {
    if (scenario.nic_limit(index)) {
      throw PlatformExportError("node " + std::to_string(index) +
                                " has a NIC limit: a <zone routing=\"Cluster\"> gives a host "
                                "one link up and one down, so a cluster's limiters cannot be "
                                "exported");
    }
  }
  const scenario::NetworkSpec& network = scenario.topology.network;
  const int nodes = scenario.topology.nodes;
  std::ostringstream xml;
  xml << header(scenario, std::to_string(nodes) + " nodes behind one switch");
  // A "Cluster" zone is a star: nodeI's host_link gives its route up to and down from the centre;
  // the route nodeI -> nodeI replaces that pair inside the node by its loopback.
  xml << "  <zone id=\"cluster\" routing=\"Cluster\">\n";
  for (int i = 0; i < nodes; ++i) {
    const std::string id = std::to_string(i);
    const scenario::NodeSpec node = scenario.node(i);
    xml << "    <host id=\"node" << id << "\" speed=\"" << flops(node.hardware.core_flops)
        << "\" core=\"" << node.hardware.cores << "\">\n"
        << node_properties(node, "      ") << "    </host>\n";
  }
  for (int i = 0; i < nodes; ++i) {
    const std::string id = std::to_string(i);
    xml << "    <link id=\"nic" << id << "\" bandwidth=\"" << bandwidth(network.bandwidth)
        << "\" latency=\"" << seconds(network.latency) << "\" sharing_policy=\"SPLITDUPLEX\"/>\n"
        << "    <link id=\"lo" << id << "\" bandwidth=\"" << bandwidth(network.loopback_bandwidth)
        << "\" latency=\"" << seconds(network.loopback_latency) << "\"/>\n";
  }
  for (int i = 0; i < nodes; ++i) {
    const std::string id = std::to_string(i);
    xml << "    <host_link id=\"node" << id << "\" up=\"nic" << id << "_UP\" down=\"nic" << id
        << "_DOWN\"/>\n";
  }
  for (int i = 0; i < nodes; ++i) {
    const std::string id = std::to_string(i);
    xml << "    <route src=\"node" << id << "\" dst=\"node" << id
        << "\" symmetrical=\"NO\"><link_ctn id=\"lo" << id << "\"/></route>\n";
  }
  xml << "  </zone>\n"
      << "</platform>\n";
  return xml.str();
}

}  // namespace commsim::sim
