#include "scenarios/model_parser.h"

#include <cmath>

#include "scenarios/model_spec.h"

namespace commsim::scenario::parsing {

const KeyList kModelWorkloadKeys = {"model", "data", "batch", "prompt"};

namespace {

const KeyList kModelKeys = {"preset",     "layers",       "hidden", "heads",
                            "kv_heads",   "intermediate", "vocab",  "dtype",
                            "comm_dtype", "rope_theta",   "rms_eps"};
const KeyList kModelExpectKeys = {"steps", "tokens_match_reference"};

// Positions a sequence may reach, and tokens a prefill may hold (phantom runs still keep ids).
constexpr long long kMaxPositions = 1 << 20;
constexpr long long kMaxPrefillTokens = 1 << 24;

}  // namespace

void ModelParser::parse_workload_keys(const Section& section) {
  Workload& workload = scenario_.workload;
  if (workload.kind != "model") {
    for (const std::string_view key : kModelWorkloadKeys) {
      if (const Field* f = section.find(key)) {
        error(at_key(*f), f->path + ": only for workload kind 'model'");
      }
    }
    return;
  }
  const Field* model = section.find("model");
  if (!model) {
    error(at(section.self), section.self.path +
                                ": kind 'model' needs a `model:` (a preset name, "
                                "e.g. llama-7b, or layers, hidden, heads, ...)");
    return;
  }
  const std::size_t errors_before = errors_.size();
  parse_model(*model, workload.model);
  if (const Field* f = section.find("data")) {
    if (auto data = read_choice(*f, {"real", "phantom"}, "data kind")) workload.data = *data;
  }
  if (const Field* f = section.find("batch")) {
    if (auto batch = read_int(*f, 1, 4096)) workload.batch = *batch;
  }
  if (const Field* f = section.find("prompt")) {
    if (auto prompt = read_int(*f, 1, 1 << 20)) workload.prompt = *prompt;
  }
  if (errors_.size() != errors_before) return;
  if (const long long positions = static_cast<long long>(workload.prompt) + workload.steps;
      positions > kMaxPositions) {
    error(at(section.self), section.self.path + ": prompt + steps is " + std::to_string(positions) +
                                " positions; at most " + std::to_string(kMaxPositions));
    return;
  }
  if (const long long tokens = static_cast<long long>(workload.batch) * workload.prompt;
      tokens > kMaxPrefillTokens) {
    error(at(section.self), section.self.path + ": batch x prompt is " + std::to_string(tokens) +
                                " tokens; at most " + std::to_string(kMaxPrefillTokens));
    return;
  }
  if (auto why = model_layout_error(workload.model, scenario_.parallel)) {
    error(at(*model), model->path + ": " + *why);
    return;
  }
  // The bytes of real weights count in the run's budget (run_limits.h, checked by the caller).
}

void ModelParser::parse_model(const Field& field, ModelSpec& model) {
  if (field.value.IsScalar()) {
    const auto name = read_string(field);
    if (!name) return;
    if (const ModelPreset* preset = find_model_preset(*name)) {
      model = preset->spec;
      model.preset = std::string(preset->name);
      return;
    }
    std::vector<std::string> names;
    for (const ModelPreset& preset : model_presets()) names.emplace_back(preset.name);
    error(at(field), field.path + ": unknown model preset " + quote(*name) +
                         "; valid: " + join(names) + " (or a mapping of layers, hidden, ...)");
    return;
  }
  const auto section = read_section(field, kModelKeys);
  if (!section) return;
  if (const Field* f = section->find("preset")) {
    if (const auto name = read_string(*f)) {
      if (const ModelPreset* preset = find_model_preset(*name)) {
        model = preset->spec;
        model.preset = std::string(preset->name);
      } else {
        std::vector<std::string> names;
        for (const ModelPreset& known : model_presets()) names.emplace_back(known.name);
        error(at(*f),
              f->path + ": unknown model preset " + quote(*name) + "; valid: " + join(names));
      }
    }
  }
  for (const auto& [key, target] :
       {std::pair{"layers", &model.layers}, std::pair{"hidden", &model.hidden},
        std::pair{"heads", &model.heads}, std::pair{"kv_heads", &model.kv_heads},
        std::pair{"intermediate", &model.intermediate}, std::pair{"vocab", &model.vocab}}) {
    if (const Field* f = section->find(key)) {
      if (auto value = read_int(*f, 1, 1 << 24)) *target = *value;
    }
  }
  for (const auto& [key, target] :
       {std::pair{"dtype", &model.dtype}, std::pair{"comm_dtype", &model.comm_dtype}}) {
    if (const Field* f = section->find(key)) {
      if (auto dtype = read_dtype(*f)) {
        if (*dtype == comm::DType::kF32 || *dtype == comm::DType::kBF16) {
          *target = *dtype;
        } else {
          error(at(*f), f->path + ": model dtypes are f32 or bf16, got " + f->value.Scalar());
        }
      }
    }
  }
  for (const auto& [key, target] :
       {std::pair{"rope_theta", &model.rope_theta}, std::pair{"rms_eps", &model.rms_eps}}) {
    if (const Field* f = section->find(key)) {
      if (auto value = read_number(*f)) {
        if (*value > 0) {
          *target = *value;
        } else {
          error(at(*f), f->path + ": must be positive, got " + f->value.Scalar());
        }
      }
    }
  }
}

void ModelParser::parse_expectation(const Field& field, Expectations& expectations) {
  const auto section = read_section(field, kModelExpectKeys);
  if (!section) return;
  if (scenario_.workload.kind != "model") {
    error(at_key(field), field.path + ": only for workload kind 'model'");
  }
  ModelExpectation model;
  model.pos = at(field);
  if (const Field* f = section->find("steps")) model.steps = read_int(*f, 0);
  if (const Field* f = section->find("tokens_match_reference")) {
    model.tokens_match_reference = read_bool(*f);
    if (model.tokens_match_reference && scenario_.workload.data == "phantom") {
      error(at(*f), f->path + ": phantom data has no tokens to compare");
    }
  }
  expectations.model = model;
}

}  // namespace commsim::scenario::parsing
