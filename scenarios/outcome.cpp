#include "scenarios/outcome.h"

namespace commsim::scenario {

namespace {

constexpr std::string_view kUnknownName = "unknown";

}  // namespace

const std::vector<std::string>& outcome_names() {
  static const std::vector<std::string> kNames = {"ok", "error", "hang", "killed", "timeout"};
  return kNames;
}

std::string outcome_name(Outcome outcome) {
  if (outcome == Outcome::kUnknown) return std::string(kUnknownName);
  return outcome_names()[static_cast<std::size_t>(outcome)];
}

std::optional<Outcome> parse_outcome(std::string_view text) {
  const auto& names = outcome_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

std::optional<Outcome> parse_recorded_outcome(std::string_view text) {
  if (text == kUnknownName) return Outcome::kUnknown;
  return parse_outcome(text);
}

}  // namespace commsim::scenario
