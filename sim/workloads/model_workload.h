// The `model` workload: a Llama-style decoder served as vLLM serves it on CPUs.
//
// Every rank builds its stage of the model (sim/workloads/model/llama_stage.h) for its TP rank and
// PP stage, then runs a prefill of `prompt` tokens for each of `batch` sequences and `steps`
// decode steps:
// - each stage first waits on the sends it started in the previous step; the first stage embeds
//   the step's tokens; every other stage receives the previous stage's `hidden_states` and
//   `residual` with pp.irecv_tensor_dict(all_gather_group = tp) and waits for them before its
//   layers read them, and every stage but the last starts sending its own with
//   pp.isend_tensor_dict without waiting, as vLLM's worker does (gpu_worker.py:754-841 @
//   2aab9acf4). all_gather_tensors is empty: each tensor is sliced over TP when its size divides
//   by the TP size (sequence parallelism is not modelled here);
// - the last stage computes the logits (all-gathered over TP) and the greedy next tokens, and
//   sends them back to the first stage over the PP group (send_object), standing in for the
//   engine's scheduler, which hands the sampled tokens to the next step;
// - every kernel call is charged to the rank's host through RankEnv::charge_kernel.
// The last stage's first TP rank records the tokens and each step's simulated time, and with real
// data compares each step's logits and tokens with the single-rank reference.
#pragma once

#include "communicators/parallel_state.h"
#include "communicators/rank_env.h"
#include "scenarios/scenario.h"
#include "sim/workloads/workload_report.h"

namespace commsim::workloads {

// Runs the model on `state` (already initialised). Throws what the communicators throw.
void run_model(comm::RankEnv& env, comm::ParallelState& state, const scenario::Workload& workload,
               WorkloadReport& report);

}  // namespace commsim::workloads
