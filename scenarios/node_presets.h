// Named node hardware, so that a scenario can say `preset: arm-server` instead of four numbers.
//
// Every preset states where its numbers come from. A preset sets the node's arch and hardware;
// keys given beside it in the same block win over it.
#pragma once

#include <string_view>
#include <vector>

#include "communicators/rank_env.h"
#include "scenarios/scenario.h"

namespace commsim::scenario {

struct NodePreset {
  std::string_view name;
  std::string_view summary;  // one line: what machine this is
  comm::Arch arch;
  NodeHardware hardware;
  std::string_view source;  // where the numbers come from
};

// Every preset, in a fixed order.
const std::vector<NodePreset>& node_presets();

// The preset called `name`, or nullptr.
const NodePreset* find_node_preset(std::string_view name);

}  // namespace commsim::scenario
