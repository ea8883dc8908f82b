#include "scenarios/scenario.h"

#include <algorithm>

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

NodeSpec Scenario::node(int index) const {
  NodeSpec spec = topology.node;
  const auto found = node_overrides.find(index);
  if (found == node_overrides.end()) return spec;
  const NodeOverride& override_spec = found->second;
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
  for (const auto& [key, value] : override_spec.environment) spec.environment[key] = value;
  if (override_spec.stale_shm_segments) spec.stale_shm_segments = *override_spec.stale_shm_segments;
  return spec;
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
