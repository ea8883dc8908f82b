// Baselines: committed run records that later runs are compared with, so that CI sees when a
// simulated time or a decision drifts. A baseline is the record's JSON (record_json.h) in
// DIR/<scenario name>@<policy>.json; re-recording rewrites it, so a change of baseline is a
// reviewed diff.
#pragma once

#include <string>
#include <vector>

#include "results/run_record.h"

namespace commsim::results {

// Relative tolerance on simulated times unless told otherwise: simulated times come from SimGrid's
// models alone, and are the same run after run on the same build.
constexpr double kDefaultBaselineTolerance = 1e-9;

// One difference between a baseline and a run.
struct Drift {
  std::string what;  // e.g. "sim_time_s", "group pp:0 [0, 1] backend", "rank 1 error.message"
  std::string baseline;
  std::string now;
};

// "<scenario>@<policy>.json", with every character but letters, digits, '.', '-', '_' and '@'
// replaced by '_' (so a name cannot leave the directory).
std::string baseline_file_name(const std::string& scenario, const std::string& policy);

// What differs between `baseline` and `now`. Numbers, each within `tolerance` relative to the
// larger (not finite: equal): the simulated end time, every rank's end time, the data's
// collective time and numerical errors. Exactly: why the simulation failed (if it did), whether
// it deadlocked; every group's decision
// (backend, reason, flags) and INFO lines; every rank's node, outcome, exception (type, message,
// operation, group, stack), where a hang waits and its probes; the data sent and delivered.
// Not compared: ranks' log lines and their times, the verdict, the scenario's path.
// Empty when nothing drifted.
std::vector<Drift> compare_with_baseline(const RunRecord& baseline, const RunRecord& now,
                                         double tolerance);

}  // namespace commsim::results
