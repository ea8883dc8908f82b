#include "scenarios/scenario.h"

#include <algorithm>

#include "scenarios/node_presets.h"

namespace commsim::scenario {

namespace {

constexpr std::pair<Fault::Kind, std::string_view> kFaultKinds[] = {
    {Fault::Kind::kLinkDown, "link_down"},         {Fault::Kind::kLinkUp, "link_up"},
    {Fault::Kind::kHostCrash, "host_crash"},       {Fault::Kind::kSlowNode, "slow_node"},
    {Fault::Kind::kMessageDelay, "message_delay"},
};

}  // namespace

std::string_view fault_kind_name(Fault::Kind kind) {
  for (const auto& [value, name] : kFaultKinds) {
    if (value == kind) return name;
  }
  return "unknown";
}

std::vector<std::string> fault_kind_names() {
  std::vector<std::string> names;
  for (const auto& entry : kFaultKinds) names.emplace_back(entry.second);
  return names;
}

std::optional<Fault::Kind> parse_fault_kind(std::string_view name) {
  for (const auto& [value, known] : kFaultKinds) {
    if (known == name) return value;
  }
  return std::nullopt;
}

int Scenario::node_of_rank(int rank) const {
  if (placement.kind == "explicit") return placement.map.at(static_cast<std::size_t>(rank));
  if (placement.kind == "round_robin") return rank % topology.nodes;
  return rank / std::max(1, parallel.world() / topology.nodes);
}

std::vector<int> Scenario::ranks_per_node() const {
  std::vector<int> counts(static_cast<std::size_t>(topology.nodes), 0);
  for (int rank = 0; rank < parallel.world(); ++rank) {
    ++counts.at(static_cast<std::size_t>(node_of_rank(rank)));
  }
  return counts;
}

namespace {

// `spec` with the fields `override_spec` gives replaced (its preset first, then its own keys).
void apply_override(const NodeOverride& override_spec, NodeSpec& spec) {
  if (override_spec.preset) {
    if (const NodePreset* preset = find_node_preset(*override_spec.preset)) {
      spec.preset = std::string(preset->name);
      spec.arch = preset->arch;
      spec.hardware = preset->hardware;
    }
  }
  if (override_spec.arch) spec.arch = *override_spec.arch;
  if (override_spec.has_init_shm_manager) {
    spec.has_init_shm_manager = *override_spec.has_init_shm_manager;
  }
  if (override_spec.num_threads) spec.num_threads = *override_spec.num_threads;
  if (override_spec.cores) spec.hardware.cores = *override_spec.cores;
  if (override_spec.core_flops) spec.hardware.core_flops = *override_spec.core_flops;
  if (override_spec.memory_bandwidth) {
    spec.hardware.memory_bandwidth = *override_spec.memory_bandwidth;
  }
  if (override_spec.memory_latency) spec.hardware.memory_latency = *override_spec.memory_latency;
  for (const auto& [key, value] : override_spec.environment) spec.environment[key] = value;
  if (override_spec.stale_shm_segments) spec.stale_shm_segments = *override_spec.stale_shm_segments;
  if (override_spec.ports_in_use) spec.ports_in_use = *override_spec.ports_in_use;
}

}  // namespace

std::string topo_parameters(const Topology& topology) {
  const auto list = [](const std::vector<int>& values) {
    std::string out;
    for (int value : values) out += (out.empty() ? "" : ",") + std::to_string(value);
    return out;
  };
  const auto pair = [](std::pair<int, int> p) {
    return std::to_string(p.first) + "," + std::to_string(p.second);
  };
  if (topology.kind == "fat_tree") {
    const FatTreeShape& shape = topology.fat_tree;
    return std::to_string(shape.levels) + ";" + list(shape.down) + ";" + list(shape.up) + ";" +
           list(shape.links);
  }
  if (topology.kind == "torus") return list(topology.torus.dimensions);
  if (topology.kind == "dragonfly") {
    const DragonflyShape& shape = topology.dragonfly;
    return pair(shape.groups) + ";" + pair(shape.chassis) + ";" + pair(shape.routers) + ";" +
           std::to_string(shape.nodes);
  }
  return "";
}

NodeSpec Scenario::node(int index) const {
  NodeSpec spec = topology.node;
  if (index >= 0 && static_cast<std::size_t>(index) < topology.platform_facts.size()) {
    apply_override(topology.platform_facts[static_cast<std::size_t>(index)], spec);
  }
  const auto found = node_overrides.find(index);
  if (found != node_overrides.end()) apply_override(found->second, spec);
  if (index >= 0 && static_cast<std::size_t>(index) < topology.platform_facts.size()) {
    // A platform file's hosts keep their cores and speed whatever preset is named over them.
    const NodeOverride& file = topology.platform_facts[static_cast<std::size_t>(index)];
    if (file.cores) spec.hardware.cores = *file.cores;
    if (file.core_flops) spec.hardware.core_flops = *file.core_flops;
  }
  return spec;
}

std::string Scenario::node_name(int index) const {
  if (topology.kind == "xml" && index >= 0 &&
      static_cast<std::size_t>(index) < topology.xml.nodes.size()) {
    return topology.xml.nodes[static_cast<std::size_t>(index)].name;
  }
  return "node" + std::to_string(index);
}

std::optional<double> Scenario::nic_limit(int index) const {
  const auto found = node_overrides.find(index);
  if (found != node_overrides.end() && found->second.nic_limit) return found->second.nic_limit;
  return topology.network.nic_limit;
}

comm::Policy PolicySwitches::apply(comm::Policy policy) const {
  if (arch_allow) policy.arch_allow = *arch_allow;
  if (name_agreement_check) policy.name_agreement_check = *name_agreement_check;
  if (fallback_info_log) policy.fallback_info_log = *fallback_info_log;
  if (has_supports_tensor_dict) policy.has_supports_tensor_dict = *has_supports_tensor_dict;
  if (custom_send_recv_rule) policy.custom_send_recv_rule = *custom_send_recv_rule;
  if (thread_num_min_allreduce) policy.thread_num_min_allreduce = *thread_num_min_allreduce;
  if (shm_allreduce_world_sizes) policy.shm_allreduce_world_sizes = *shm_allreduce_world_sizes;
  return policy;
}

}  // namespace commsim::scenario
