// Node facts from a SimGrid platform file (topology kind `xml`).
//
// SimGrid reads the file (sim/platform_file.h); this turns what it found on each node (its cores,
// its first host's speed and properties) into the same overrides a scenario's `nodes:` section
// gives. Properties commsim reads on a node's first host, over those of its zone:
//   arch              x86_64 | aarch64 | ...    init_shm_manager  true | false
//   threads           torch.get_num_threads()   preset            a node preset name
//   memory_bandwidth  e.g. 200GBps              memory_latency    e.g. 100ns
//   env:NAME          the variable NAME
// nic_limit is refused (the file's links are its own). Other properties belong to other tools and
// are left alone.
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

// The overrides node `node` stands for, or the first reason one of its properties cannot be used
// ("node 'n3': property 'arch': unknown arch 'sparc'; valid: ..."). Exactly one is set.
struct PlatformFacts {
  std::optional<NodeOverride> facts;
  std::string error;
};
PlatformFacts platform_facts(const PlatformNode& node);

}  // namespace commsim::scenario
