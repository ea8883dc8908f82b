#include "sim/child_record.h"

#include <exception>
#include <nlohmann/json.hpp>

#include "results/record_json.h"

namespace commsim::sim {

results::RunRecord failed_simulation_record(const scenario::Scenario& scenario,
                                            const std::string& policy, const std::string& reason) {
  results::RunRecord record;
  record.scenario = scenario.name;
  record.scenario_path = scenario.path;
  record.policy = policy;
  record.simulation_failure = reason;
  for (int rank = 0; rank < scenario.parallel.world(); ++rank) {
    results::RankRecord rank_record;
    rank_record.rank = rank;
    rank_record.node = scenario.node_of_rank(rank);
    rank_record.outcome = scenario::Outcome::kUnknown;
    record.ranks.push_back(std::move(rank_record));
  }
  return record;
}

results::RunRecord record_from_child(const ChildOutput& output, const scenario::Scenario& scenario,
                                     const std::string& policy) {
  std::string unreadable;
  if (output.completed) {
    try {
      return results::record_from_json(nlohmann::json::parse(output.result));
    } catch (const std::exception& error) {
      unreadable = std::string("its record cannot be read: ") + error.what();
    }
  }
  std::string reason = last_error_line(output.errors);
  const std::string ending = output.completed ? unreadable : child_status_text(output.status);
  reason = reason.empty() ? ending : reason + " (" + ending + ")";
  return failed_simulation_record(scenario, policy, reason);
}

}  // namespace commsim::sim
