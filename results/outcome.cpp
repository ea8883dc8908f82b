#include "results/outcome.h"

namespace commsim::results {

std::string outcome_name(scenario::Outcome outcome) {
  switch (outcome) {
    case scenario::Outcome::kOk:
      return "ok";
    case scenario::Outcome::kError:
      return "error";
    case scenario::Outcome::kHang:
      return "hang";
    case scenario::Outcome::kKilled:
      return "killed";
  }
  return "unknown";
}

std::optional<scenario::Outcome> parse_outcome(std::string_view text) {
  if (text == "ok") return scenario::Outcome::kOk;
  if (text == "error") return scenario::Outcome::kError;
  if (text == "hang") return scenario::Outcome::kHang;
  if (text == "killed") return scenario::Outcome::kKilled;
  return std::nullopt;
}

}  // namespace commsim::results
