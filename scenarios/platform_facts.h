// Node facts from a SimGrid platform file (topology kind `xml`).
//
// SimGrid reads the file (sim/platform_file.h); this turns what it found on each node (its first
// host's cores, speed and properties) into the same overrides a scenario's `nodes:` section gives.
// Properties commsim reads on a host (or its zone, when zones are nodes):
//   arch              x86 | arm | ...           init_shm_manager  true | false
//   threads           torch.get_num_threads()   preset            a node preset name
//   memory_bandwidth  e.g. 200GBps              memory_latency    e.g. 100ns
//   nic_limit         e.g. 25Gbps               env:NAME          the variable NAME
// Other properties belong to other tools and are left alone.
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

// The property names above, in that order ("env:" for the variables).
const std::vector<std::string>& platform_property_names();

// The overrides node `node` stands for, or the first reason one of its properties cannot be used
// ("node 'n3': property 'arch': unknown arch 'sparc'; valid: ..."). Exactly one is set.
struct PlatformFacts {
  std::optional<NodeOverride> facts;
  std::string error;
};
PlatformFacts platform_facts(const PlatformNode& node);

}  // namespace commsim::scenario
