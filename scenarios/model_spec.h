// Model shapes for `kind: model`: named presets, the checks vLLM makes of a model against a
// parallel layout (with vLLM's wording where it has one), and how pipeline stages split layers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

struct ModelPreset {
  std::string_view name;
  std::string_view source;  // where the shape comes from
  ModelSpec spec;
};

// Every preset, in a fixed order.
const std::vector<ModelPreset>& model_presets();

// The preset called `name`, or nullptr.
const ModelPreset* find_model_preset(std::string_view name);

// Why `model` cannot run on `parallel` (heads, KV heads, intermediate size or vocabulary not
// divisible by the tensor-parallel size, fewer layers than stages, a shape that is not a decoder),
// or nullopt when it can. One sentence; vLLM's own text where vLLM refuses the same thing.
std::optional<std::string> model_layout_error(const ModelSpec& model, const Parallel& parallel);

// The layers of each pipeline stage, as vLLM's get_pp_indices splits them: layers / stages
// each, and the remainder one each to the stages just before the last.
// REQUIRES: stages >= 1, layers >= stages.
std::vector<int> layers_per_stage(int layers, int stages);

// Bytes of every weight of `model` on one rank holding all of it (TP = PP = 1).
double model_weight_bytes(const ModelSpec& model);

// Bytes of the weights one rank of a pipeline stage holds: its share of `layers` layers for TP
// size `tp` (KV heads replicated when fewer than `tp`), plus the embedding (`first`) or the final
// norm and LM head (`last`).
double stage_weight_bytes(const ModelSpec& model, int tp, int layers, bool first, bool last);

}  // namespace commsim::scenario
