// Scenario files: YAML in, a validated Scenario or a list of positioned errors out.
//
// The parser is strict: unknown keys, wrong types, impossible values, unknown names (arch, dtype,
// policy, outcome, backend) and YAML syntax errors are all reported with the file, 1-based line and
// column of the offending key or value. It collects every error it can find rather than stopping at
// the first. A scenario is returned only when there are no errors. The schema is described in
// scenarios/README.md. Nothing here throws.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

struct ScenarioError {
  SourcePos pos;
  std::string message;

  // "file:line:col: message"; "file: message" when there is no line; "message" when there is no
  // file either.
  std::string to_string() const;
};

// Exactly one of: a scenario and no errors, or no scenario and at least one error. Errors are
// ordered by position.
struct ParseResult {
  std::optional<Scenario> scenario;
  std::vector<ScenarioError> errors;
};

// Reads and parses the file at `path` (Scenario::path = path as given). An unreadable file gives
// one error whose position names the file and has no line.
ParseResult parse_scenario_file(const std::string& path);

// Parses `text`; `file_name` is used for positions and as Scenario::path.
ParseResult parse_scenario_text(const std::string& text, const std::string& file_name);

}  // namespace commsim::scenario
