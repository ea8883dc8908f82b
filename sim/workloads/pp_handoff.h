// The `pp_handoff` workload: vLLM's pipeline-parallel hand-off between stages, as the worker
// drives it (Worker.execute_model, gpu_worker.py:754-841 @ 2aab9acf4).
//
// Each step, every stage first waits on the sends it started in the previous step; every stage but
// the first then receives the previous stage's TensorDict with
// pp.irecv_tensor_dict(all_gather_group = tp, all_gather_tensors) and waits for it
// (AsyncIntermediateTensors.wait_for_comm), checking it bit for bit against the values it
// regenerates from the seed; every stage but the last starts sending its own dict with
// pp.isend_tensor_dict(...) and goes on without waiting. The last step's sends are waited at the
// end. all_gather_tensors is empty (each tensor is sliced over TP when its size divides by the TP
// size) unless the scenario turns sequence parallelism on. With probe_fastpath, the first stage
// then calls CpuCommunicator.send_tensor_dict directly and the last stage
// CpuCommunicator.recv_tensor_dict, and what happens is recorded as a probe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "communicators/parallel_state.h"
#include "communicators/rank_env.h"
#include "results/run_record.h"
#include "scenarios/scenario.h"
#include "sim/workloads/workload_report.h"

namespace commsim::workloads {

// The dict that pipeline stage `stage` sends at `step`.
comm::TensorDict make_stage_dict(const scenario::Workload& workload, int stage, int step);

// The worker's all_gather_tensors (gpu_worker.py:767-797 @ 2aab9acf4): empty unless the
// pipeline has more than one stage and the scenario turns sequence parallelism on; then
// {"residual": not is_residual_scattered_for_sp}, the residual being scattered whenever TP > 1.
std::map<std::string, bool> all_gather_tensors(const scenario::Scenario& scenario);

// Runs the hand-off on `state` (already initialised). Throws what the communicators throw.
void run_pp_handoff(comm::RankEnv& env, comm::ParallelState& state,
                    const scenario::Scenario& scenario, WorkloadReport& report);

}  // namespace commsim::workloads
