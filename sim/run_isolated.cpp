// run_isolated: one simulation per child process, its record returned as JSON.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "results/json_text.h"
#include "results/record_json.h"
#include "sim/child_process.h"
#include "sim/runtime.h"

namespace commsim::sim {

results::RunRecord run_isolated(const scenario::Scenario& scenario, const comm::Policy& policy,
                                const RunOptions& options) {
  // The child returns the record as one line of JSON, then the trace when one is asked for.
  const ChildOutput output = run_in_child([&] {
    std::string trace;
    RunOptions child_options = options;
    if (options.trace_json != nullptr) child_options.trace_json = &trace;
    return results::json_text(results::to_json(run_scenario(scenario, policy, child_options))) +
           "\n" + trace;
  });
  if (output.completed) {
    const std::size_t end = output.result.find('\n');
    const nlohmann::json record = nlohmann::json::parse(output.result.substr(0, end), nullptr,
                                                        /*allow_exceptions=*/false);
    if (!record.is_discarded() && end != std::string::npos) {
      if (options.trace_json != nullptr) *options.trace_json = output.result.substr(end + 1);
      return results::record_from_json(record);
    }
  }
  const std::string reason = last_error_line(output.errors);
  if (!reason.empty()) throw std::runtime_error("simulation failed: " + reason);
  throw std::runtime_error("simulation process ended without a result (" +
                           child_status_text(output.status) + ")");
}

}  // namespace commsim::sim
