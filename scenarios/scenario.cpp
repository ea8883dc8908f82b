#include "scenarios/scenario.h"

namespace commsim::scenario {

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

}  // namespace commsim::scenario
