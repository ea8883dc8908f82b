// Baselines: committed run records that later runs are compared with, so that CI sees when a
// simulated time or a decision drifts. A baseline is the record's JSON (record_json.h) in
// DIR/<scenario name>@<policy>.json; re-recording rewrites it, so a change of baseline is a
// reviewed diff.
#pragma once

#include <string>
#include <vector>

#include "results/run_record.h"

namespace commsim::results {

// Relative tolerance on simulated times unless told otherwise: SimGrid's times are exact and the
// same on every machine, so any drift is a change of behaviour.
constexpr double kDefaultBaselineTolerance = 1e-9;

// One difference between a baseline and a run.
struct Drift {
  std::string what;  // e.g. "sim_time_s", "group pp:0 [0, 1] backend", "rank 1 error.message"
  std::string baseline;
  std::string now;
};

// "<scenario>@<policy>.json".
std::string baseline_file_name(const RunRecord& record);

// What differs between `baseline` and `now`: the simulated end time, every rank's end time and
// the data's collective time (each beyond `tolerance`, relative), whether it deadlocked, every
// group's decision (backend, reason, flags), every rank's outcome (error type, message and
// operation; where a hang waits), and the data delivered. Empty when nothing drifted.
std::vector<Drift> compare_with_baseline(const RunRecord& baseline, const RunRecord& now,
                                         double tolerance);

}  // namespace commsim::results
