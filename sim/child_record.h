// The record of a run from what the child process that simulated it returned (run_isolated).
#pragma once

#include <string>

#include "results/run_record.h"
#include "scenarios/scenario.h"
#include "sim/child_process.h"

namespace commsim::sim {

// The record the child returned (as JSON, results/record_json.h). When the child died or its
// record cannot be read: a record of `scenario` under the policy named `policy` whose
// simulation_failure says why (SimGrid's last message, if it wrote one, then what ended the
// child: "Assertion to_->is_on() failed (killed by signal 6 (Aborted))"), with every rank of the
// scenario on its node and outcome unknown, and nothing else.
results::RunRecord record_from_child(const ChildOutput& output, const scenario::Scenario& scenario,
                                     const std::string& policy);

// A record of `scenario` under `policy` whose simulation failed for `reason`, as above.
results::RunRecord failed_simulation_record(const scenario::Scenario& scenario,
                                            const std::string& policy, const std::string& reason);

}  // namespace commsim::sim
