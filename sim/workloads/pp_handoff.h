// The `pp_handoff` workload: vLLM's pipeline-parallel hand-off between stages.
//
// For each step, every stage but the first receives the previous stage's TensorDict with
// pp.recv_tensor_dict(all_gather_group = tp, all_gather_tensors = {"residual": true}) and checks it
// bit for bit against the values it regenerates from the seed; every stage but the last sends its
// own dict with pp.send_tensor_dict(...) as vLLM's worker does. With probe_fastpath, the first
// stage then calls CpuCommunicator.send_tensor_dict directly and the last stage
// CpuCommunicator.recv_tensor_dict, and what happens is recorded as a probe.
#pragma once

#include <vector>

#include "communicators/parallel_state.h"
#include "communicators/rank_env.h"
#include "results/run_record.h"
#include "scenarios/scenario.h"
#include "sim/workloads/workload_report.h"

namespace commsim::workloads {

// The dict that pipeline stage `stage` sends at `step`.
comm::TensorDict make_stage_dict(const scenario::Workload& workload, int stage, int step);

// Runs the hand-off on `state` (already initialised). Throws what the communicators throw.
void run_pp_handoff(comm::RankEnv& env, comm::ParallelState& state,
                    const scenario::Workload& workload, WorkloadReport& report);

}  // namespace commsim::workloads
