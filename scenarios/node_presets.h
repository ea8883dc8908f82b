// Named node hardware, so that a scenario can say `preset: arm-server` instead of four numbers.
//
// Every preset states where its numbers come from. A preset sets the node's arch and hardware;
// keys given beside it in the same block win over it. Besides the built-in presets, a scenario
// can name a preset file (scenarios/preset_file.h); each file read is registered here under its
// resolved path, so that find_node_preset finds it like a built-in one.
#pragma once

#include <string>
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

// Every built-in preset, in a fixed order (preset files are not among them).
const std::vector<NodePreset>& node_presets();

// The built-in preset called `name`, else the preset file registered last under `name`, or
// nullptr. Thread-safe.
const NodePreset* find_node_preset(std::string_view name);

// Registers a preset read from a file under `name` (its resolved path) and returns it. The strings
// are copied into storage that lives as long as the process, so the returned preset and its
// string_views stay valid. Registering a name again with the same contents returns the entry
// already there; with other contents (the file changed) it adds a new entry that find_node_preset
// returns from then on, and earlier entries stay valid. Thread-safe.
const NodePreset& register_file_preset(std::string name, std::string summary, comm::Arch arch,
                                       const NodeHardware& hardware, std::string source);

}  // namespace commsim::scenario
