// run_isolated: one simulation per child process, its record returned as JSON.
#include <string>

#include "results/json_text.h"
#include "results/record_json.h"
#include "sim/child_process.h"
#include "sim/child_record.h"
#include "sim/runtime.h"

namespace commsim::sim {

results::RunRecord run_isolated(const scenario::Scenario& scenario, const comm::Policy& policy,
                                const RunOptions& options) {
  // The child returns the record as one line of JSON, then the trace when one is asked for.
  ChildOutput output = run_in_child([&] {
    std::string trace;
    RunOptions child_options = options;
    if (options.trace_json != nullptr) child_options.trace_json = &trace;
    return results::json_text(results::to_json(run_scenario(scenario, policy, child_options))) +
           "\n" + trace;
  });
  if (output.completed) {
    const std::size_t end = output.result.find('\n');
    if (end != std::string::npos) {
      if (options.trace_json != nullptr) *options.trace_json = output.result.substr(end + 1);
      output.result.resize(end);
    }
  }
  // A child that died, or a record that cannot be read, gives a record saying so.
  return record_from_child(output, scenario, policy.name);
}

}  // namespace commsim::sim
