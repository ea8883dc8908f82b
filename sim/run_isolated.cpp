// run_isolated: one simulation per child process, its record returned as JSON.
#include <string>

#include "results/record_json.h"
#include "sim/child_process.h"
#include "sim/child_record.h"
#include "sim/runtime.h"

namespace commsim::sim {

results::RunRecord run_isolated(const scenario::Scenario& scenario, const comm::Policy& policy,
                                const RunOptions& options) {
  const ChildOutput output = run_in_child(
      [&] { return results::to_json(run_scenario(scenario, policy, options)).dump(); });
  return record_from_child(output, scenario, policy.name);
}

}  // namespace commsim::sim
