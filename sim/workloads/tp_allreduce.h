// The `tp_allreduce` workload: vLLM's row-parallel reduction, checked exactly.
//
// For each step, every rank fills each workload tensor with seeded values and all-reduces it in
// place through its TP group (GroupCoordinator.all_reduce). With `values: integers` (numbers in
// [-8, 8]) sums of up to 8 inputs are exact in f32, bf16 and f16 whatever the order, so each rank
// checks its result element for element. With `values: uniform` (floats in [-1, 1)) the rank
// measures rel-L2 and max-abs against the float64 sum, for the `numerics` expectation.
#pragma once

#include "communicators/parallel_state.h"
#include "communicators/rank_env.h"
#include "scenarios/scenario.h"
#include "sim/workloads/workload_report.h"

namespace commsim::workloads {

// Runs the all-reduces on `state` (already initialised). Throws what the communicators throw.
void run_tp_allreduce(comm::RankEnv& env, comm::ParallelState& state,
                      const scenario::Workload& workload, WorkloadReport& report);

}  // namespace commsim::workloads
