// Names of scenario::Outcome as they appear in scenario files, JSON records and summaries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

// "ok", "error", "hang", "killed", "timeout" or "unknown".
std::string outcome_name(Outcome outcome);

// Every outcome a scenario can expect, in enum order: all but "unknown".
const std::vector<std::string>& outcome_names();

// The inverse of outcome_name for an outcome a scenario can expect (exact, lower case); nullopt
// for any other text, "unknown" included.
std::optional<Outcome> parse_outcome(std::string_view text);

// The inverse of outcome_name, "unknown" included (as records carry it).
std::optional<Outcome> parse_recorded_outcome(std::string_view text);

}  // namespace commsim::scenario
