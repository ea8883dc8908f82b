// The model parts of a scenario file: `workload.model` (a preset name, or a mapping of shape keys
// with an optional preset), `workload.data`, `batch` and `prompt` for `kind: model`, and
// `expect.<policy>.model`. Internal to commsim_scenarios (see scenario_parser.h for the format).
#pragma once

#include <string>
#include <vector>

#include "scenarios/field_reader.h"

namespace commsim::scenario::parsing {

class ModelParser : public FieldReader {
 public:
  ModelParser(std::string file, std::vector<ScenarioError>& errors, Scenario& scenario)
      : FieldReader(std::move(file), errors), scenario_(scenario) {}

  // The model keys of the workload section (`section` is the whole `workload:` mapping). Keys
  // that belong to `kind: model` are refused under any other kind. The shape is checked against
  // scenario.parallel (parsed before the workload).
  void parse_workload_keys(const Section& section);

  void parse_expectation(const Field& field, Expectations& expectations);

 private:
  void parse_model(const Field& field, ModelSpec& model);

  Scenario& scenario_;
};

// The keys of `workload:` that belong to `kind: model`.
extern const KeyList kModelWorkloadKeys;

}  // namespace commsim::scenario::parsing
