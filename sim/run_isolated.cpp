// run_isolated: one simulation per child process, its record returned as JSON.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "results/record_json.h"
#include "sim/child_process.h"
#include "sim/runtime.h"

namespace commsim::sim {

results::RunRecord run_isolated(const scenario::Scenario& scenario, const comm::Policy& policy,
                                const RunOptions& options) {
  const ChildOutput output = run_in_child(
      [&] { return results::to_json(run_scenario(scenario, policy, options)).dump(); });
  if (output.completed) {
    const nlohmann::json record =
        nlohmann::json::parse(output.result, nullptr, /*allow_exceptions=*/false);
    if (!record.is_discarded()) return results::record_from_json(record);
  }
  const std::string reason = last_error_line(output.errors);
  if (!reason.empty()) throw std::runtime_error("simulation failed: " + reason);
  throw std::runtime_error("simulation process ended without a result (" +
                           child_status_text(output.status) + ")");
}

}  // namespace commsim::sim
