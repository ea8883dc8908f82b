// The `topology:` and `nodes:` sections of a scenario file: the topology kinds and their shapes,
// SimGrid platform files (read through a PlatformFileReader), node hardware and presets, and
// per-node overrides. Internal to commsim_scenarios (see scenario_parser.h for the whole format).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenarios/field_reader.h"

namespace commsim::scenario::parsing {

// Fills `scenario.topology` and `scenario.node_overrides`; errors go to the shared list.
class TopologyParser : public FieldReader {
 public:
  TopologyParser(std::string file, std::vector<ScenarioError>& errors, Scenario& scenario,
                 const PlatformFileReader& reader)
      : FieldReader(std::move(file), errors), scenario_(scenario), reader_(reader) {}

  void parse_topology(const Field& field);

  void parse_node_overrides(const Field& field);

  // Whether topology.nodes holds a valid value (given, derived from a shape, or the default).
  bool nodes_valid() const { return nodes_valid_; }

 private:
  // The product of `factors`, or nullopt when it passes kMaxRanks.
  static std::optional<int> product(const std::vector<int>& factors);

  std::optional<int> too_many_nodes(const Field& field);

  // SimGrid's FatTreeParams: `levels`, then per level `down`, `up` and `links`.
  std::optional<int> parse_fat_tree(const Field& field, FatTreeShape& shape);

  std::optional<int> parse_torus(const Field& field, TorusShape& shape);

  // SimGrid's DragonflyParams: (count, links) for groups, chassis and routers, then nodes.
  std::optional<int> parse_dragonfly(const Field& field, DragonflyShape& shape);

  // kind: xml. SimGrid reads the file (through reader_); each node's host properties become its
  // platform facts.
  std::optional<int> parse_xml_platform(const Field& field, Topology& topology);

  void parse_node(const Field& field, NodeSpec& node);

  // A platform file's hosts have their own cores and speed: `where` may not give them.
  void refuse_host_hardware(const Field& field, const std::string& where);

  void parse_node_override(const Field& field, NodeOverride& node);
  void check_vllm_port(const Field& env);
  std::optional<std::vector<int>> read_ports(const Field& field);

  Scenario& scenario_;
  const PlatformFileReader& reader_;
  bool nodes_valid_ = true;
};

}  // namespace commsim::scenario::parsing
