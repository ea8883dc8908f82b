// The `tp_allreduce` workload: vLLM's row-parallel reduction, checked exactly.
//
// For each step, every rank fills each workload tensor with seeded integer-valued numbers in
// [-8, 8] and all-reduces it in place through its TP group (GroupCoordinator.all_reduce). Sums of
// up to 8 such numbers are exact in f32, bf16 and f16 whatever the order, so each rank compares
// the result element for element with the sum it computes from every rank's inputs.
#pragma once

#include "communicators/parallel_state.h"
#include "communicators/rank_env.h"
#include "scenarios/scenario.h"
#include "sim/workloads/pp_handoff.h"

namespace commsim::workloads {

// Runs the all-reduces on `state` (already initialised). Throws what the communicators throw.
void run_tp_allreduce(comm::RankEnv& env, comm::ParallelState& state,
                      const scenario::Workload& workload, WorkloadReport& report);

}  // namespace commsim::workloads
