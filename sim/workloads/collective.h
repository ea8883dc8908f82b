// The `collective` workload: one torch.distributed collective, `steps` times, on the TP group's
// device_group (or, for all_reduce, through GroupCoordinator.all_reduce and so the backend the
// group chose), as nccl-tests runs one collective (scenarios/collective_spec.h says what is sent
// and why every result is exact).
//
// Each call is timed on its own rank (report.collective_seconds). Before each call the inputs are
// reset, outside the timed part; after the last call a rank with real data counts the elements of
// its result that differ from the exact result (report.data.wrong_elements). Phantom tensors go
// through the same messages with no bytes, so the times are those of the real run.
#pragma once

#include "communicators/parallel_state.h"
#include "communicators/rank_env.h"
#include "scenarios/scenario.h"
#include "sim/workloads/workload_report.h"

namespace commsim::workloads {

// Runs the collective on `state` (already initialised). Throws what the communicators throw.
void run_collective(comm::RankEnv& env, comm::ParallelState& state,
                    const scenario::Workload& workload, WorkloadReport& report);

}  // namespace commsim::workloads
