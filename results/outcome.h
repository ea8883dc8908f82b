// Names of scenario::Outcome as they appear in scenario files, JSON records and summaries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scenarios/scenario.h"

namespace commsim::results {

// "ok", "error", "hang" or "killed".
std::string outcome_name(scenario::Outcome outcome);

// The inverse of outcome_name (exact, lower case); nullopt for any other text.
std::optional<scenario::Outcome> parse_outcome(std::string_view text);

}  // namespace commsim::results
