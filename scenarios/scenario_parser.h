// Scenario files: YAML in, a validated Scenario or a list of positioned errors out.
//
// The parser is strict: unknown keys, wrong types, impossible values, unknown names (arch, dtype,
// policy, outcome, backend) and YAML syntax errors are all reported with the file, 1-based line and
// column of the offending key or value. It collects every error it can find rather than stopping at
// the first. A scenario is returned only when there are no errors. The schema is described in
// scenarios/README.md. Nothing here throws.
#pragma once

#include <functional>
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

// What a SimGrid platform file holds, as `topology.kind: xml` needs it: its nodes in order, or
// one line saying why the file cannot be used. Exactly one of the two is non-empty unless the
// file has no nodes.
struct PlatformFileNodes {
  std::vector<PlatformNode> nodes;
  std::string error;
};

// Reads the platform file at `path`, taking each host (`node_unit` "hosts") or each zone holding
// hosts ("zones") as a node. sim/platform_file.h implements it with SimGrid; the parser stays
// free of SimGrid. Without a reader, a scenario of kind xml is an error.
using PlatformFileReader =
    std::function<PlatformFileNodes(const std::string& path, const std::string& node_unit)>;

// Reads and parses the file at `path` (Scenario::path = path as given). An unreadable file gives
// one error whose position names the file and has no line. A platform file of kind xml is read
// relative to the scenario file's directory.
ParseResult parse_scenario_file(const std::string& path, const PlatformFileReader& reader = {});

// Parses `text`; `file_name` is used for positions and as Scenario::path.
ParseResult parse_scenario_text(const std::string& text, const std::string& file_name,
                                const PlatformFileReader& reader = {});

}  // namespace commsim::scenario
