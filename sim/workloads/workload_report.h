// What one rank's workload produced.
#pragma once

#include <vector>

#include "results/run_record.h"

namespace commsim::workloads {

// Filled as the workload goes, so it is meaningful even when the workload throws or never
// returns.
struct WorkloadReport {
  std::vector<results::ProbeRecord> probes;
  results::DataRecord data;
  std::vector<double> collective_seconds;  // simulated duration of each all-reduce, in order
};

}  // namespace commsim::workloads
