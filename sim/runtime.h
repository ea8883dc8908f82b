// Running one scenario under one policy on SimGrid, and collecting its RunRecord.
#pragma once

#include <string>

#include "communicators/policy.h"
#include "results/run_record.h"
#include "scenarios/scenario.h"

namespace commsim::sim {

struct RunOptions {
  // When set, receives the run's timeline as a Chrome trace (chrome_trace.h), as JSON text. The
  // caller writes it (sim/cli/output_file.h), so that a run never writes a file itself.
  std::string* trace_json = nullptr;
};

// Simulates `scenario` under `policy` in this process: builds the platform, starts one actor per
// rank (placed as the scenario's placement says; packed by default: rank = node * ranks_per_node +
// local_rank), runs the workload, and records
// every rank's outcome (ok, error with type/message/op, or hang when SimGrid finds every remaining
// rank blocked). The scenario's policy_switches are applied to `policy`. The verdict is not
// computed here.
// SimGrid allows one simulation per process: call this at most once (see run_isolated).
// REQUIRES: the scenario is valid (as the parser returns it).
results::RunRecord run_scenario(const scenario::Scenario& scenario, const comm::Policy& policy,
                                const RunOptions& options = {});

// run_scenario in a child process, so any number of runs can happen from one process. When the
// child dies without producing a record (SimGrid aborted, a signal), the record says so
// (RunRecord::simulation_failure, see child_record.h) and the caller goes on with its next run.
// Throws std::runtime_error only when no child can be started.
results::RunRecord run_isolated(const scenario::Scenario& scenario, const comm::Policy& policy,
                                const RunOptions& options = {});

}  // namespace commsim::sim
