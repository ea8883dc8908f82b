// Node preset files: node hardware measured on a machine (`commsim calibrate` writes them) or
// written by hand, named by a scenario as `preset: ./host.yaml` wherever a preset name goes.
//
// The file is YAML with one required section:
//
//   preset:
//     name: calibrated-host          # optional: a label for people
//     summary: "x86_64, 2 cores"     # optional: one line saying what machine this is
//     arch: x86_64                   # the rest is required, spelled as in a scenario's node
//     cores: 2
//     core_gflops: 238.0             # f32 GFLOP/s per core (or a speed with a flops unit)
//     memory_bandwidth: 36.0GBps
//     memory_latency: 100ns
//     kernels: { efficiency: 1.0, bf16_speedup: 2.04, call_overhead: 2.49us }
//   measured: ...                    # optional and not read: what the figures come from
//
// Every hardware key is required, so that a preset file never silently takes a default.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenarios/node_presets.h"

namespace commsim::scenario {

// True when a `preset:` value names a preset file rather than a built-in preset: it ends in
// ".yaml" or ".yml".
bool is_preset_file_name(std::string_view value);

// A preset file read: exactly one of a preset and a non-empty list of problems.
struct PresetFileResult {
  const NodePreset* preset = nullptr;  // registered under the file's path (node_presets.h)
  // One line each: "path: cannot read preset file: ..." or "path:line:col: message".
  std::vector<std::string> errors;
};

// Reads and validates the preset file at `path` (already resolved by the caller) and registers
// it under the name `path`, so that find_node_preset(path) finds it. Nothing here throws.
PresetFileResult load_preset_file(const std::string& path);

// The problems of a preset file's text (`path` names it in messages), or none; nothing is
// registered.
std::vector<std::string> check_preset_text(const std::string& text, const std::string& path);

}  // namespace commsim::scenario
