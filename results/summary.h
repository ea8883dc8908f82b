// Terminal summaries of run records: one run, or one scenario under several policies.
//
// Plain text, no colours, aligned columns, and fixed precision everywhere, so identical records
// give byte-identical output. Times print in milliseconds with six decimals.
#pragma once

#include <ostream>
#include <vector>

#include "results/run_record.h"

namespace commsim::results {

// One run: header `scenario <name> · policy <policy>`, the groups table, the distinct INFO log
// lines with the ranks that logged each, the ranks table (outcome, error / hang detail, probes),
// the data line, the simulated time and the verdict; for FAIL, one line per mismatch:
// `  file:line:col: what: expected X, got Y`. A run whose simulation failed shows the header,
// `simulation failed: <why>`, the ranks table (every outcome unknown) and the verdict.
void write_summary(std::ostream& out, const RunRecord& record);

// One scenario under several policies, one column per record (in the given order): each group's
// backend, supports_tensor_dict and use_cpu_custom_send_recv, each rank's outcome (with the error
// type and a shortened message), dicts delivered, simulated time and verdict. A group or rank a
// run does not have shows "-", as does the simulated time of a run whose simulation failed (its
// verdict reads "FAIL (simulation failed)"). Writes "no runs" for an empty list.
void write_comparison(std::ostream& out, const std::vector<RunRecord>& records);

}  // namespace commsim::results
