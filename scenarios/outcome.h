// Names of scenario::Outcome as they appear in scenario files, JSON records and summaries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

// "ok", "error", "hang" or "killed".
std::string outcome_name(Outcome outcome);

// Every outcome name, in enum order.
const std::vector<std::string>& outcome_names();

// The inverse of outcome_name (exact, lower case); nullopt for any other text.
std::optional<Outcome> parse_outcome(std::string_view text);

}  // namespace commsim::scenario
