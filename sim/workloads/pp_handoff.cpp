#include "sim/workloads/pp_handoff.h"

#include <map>
#include <string>

#include "sim/workloads/failure.h"
#include "sim/workloads/seeded_values.h"

namespace commsim::workloads {
namespace {

bool same_dict(const comm::TensorDict& a, const comm::TensorDict& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto& [key_a, value_a] = a.entries()[i];
    const auto& [key_b, value_b] = b.entries()[i];
    if (key_a != key_b || value_a.index() != value_b.index()) return false;
    if (const auto* tensor = std::get_if<comm::Tensor>(&value_a)) {
      if (!comm::bit_identical(*tensor, std::get<comm::Tensor>(value_b))) return false;
    } else if (comm::to_plain(value_a) != comm::to_plain(value_b)) {
      return false;
    }
  }
  return true;
}

// Runs one direct fast-path call and records its outcome.
template <typename Call>
void probe(comm::RankEnv& env, const std::string& op, const std::string& group, Call call,
           WorkloadReport& report) {
  results::ProbeRecord record{op, group, scenario::Outcome::kOk, std::nullopt};
  try {
    call();
  } catch (const comm::PyError& error) {
    record.outcome = scenario::Outcome::kError;
    record.error = describe_failure(error, env.take_failure_stack());
  }
  report.probes.push_back(std::move(record));
}

}  // namespace

comm::TensorDict make_stage_dict(const scenario::Workload& workload, int stage, int step) {
  comm::TensorDict dict;
  for (const scenario::TensorSpec& spec : workload.tensors) {
    comm::Tensor tensor = comm::Tensor::zeros(spec.dtype, spec.shape);
    fill_seeded(
        tensor, workload.seed,
        stream_id(spec.name, static_cast<std::uint64_t>(stage), static_cast<std::uint64_t>(step)));
    dict.set(spec.name, tensor);
  }
  for (const auto& [key, value] : workload.extras) dict.set(key, comm::from_plain(value));
  return dict;
}

std::map<std::string, bool> all_gather_tensors(const scenario::Scenario& scenario) {
  std::map<std::string, bool> chosen;
  if (scenario.parallel.pipeline > 1 && scenario.workload.sequence_parallel) {
    // is_residual_scattered_for_sp: with sequence parallelism (full-graph compilation) the
    // residual is scattered over the TP ranks whenever TP > 1, and then goes whole.
    chosen["residual"] = !(scenario.parallel.tensor > 1);
  }
  return chosen;
}

void run_pp_handoff(comm::RankEnv& env, comm::ParallelState& state,
                    const scenario::Scenario& scenario, WorkloadReport& report) {
  const scenario::Workload& workload = scenario.workload;
  comm::GroupCoordinator& pp = state.group("pp");
  comm::GroupCoordinator& tp = state.group("tp");
  const std::map<std::string, bool> gathered = all_gather_tensors(scenario);
  const int stage = pp.rank_in_group();
  const bool first = stage == 0;
  const bool last = stage == pp.world_size() - 1;

  comm::WorkList pp_send_work;  // the worker's _pp_send_work
  for (int step = 0; step < workload.steps; ++step) {
    pp.wait_sends(pp_send_work);
    if (!first) {
      auto pending = pp.irecv_tensor_dict(std::nullopt, &tp, &gathered);
      const auto received = pp.wait_for_comm(pending);  // the model reads .tensors
      if (received) {
        ++report.data.dicts_delivered;
        if (!same_dict(*received, make_stage_dict(workload, stage - 1, step))) {
          ++report.data.dicts_mismatched;
        }
      }
    }
    if (!last) {
      pp_send_work = pp.isend_tensor_dict(make_stage_dict(workload, stage, step), std::nullopt, &tp,
                                          &gathered);
      ++report.data.dicts_sent;
    }
  }
  // The worker waits on the last step's sends when it is next asked to execute; the end of the
  // run stands for that call.
  pp.wait_sends(pp_send_work);

  comm::CpuCommunicator* communicator = pp.device_communicator();
  if (!workload.probe_fastpath || communicator == nullptr) return;
  // The first stage sends one more dict to the second, which receives it.
  if (stage == 0) {
    probe(
        env, "CpuCommunicator.send_tensor_dict", pp.unique_name(),
        [&] { communicator->send_tensor_dict(make_stage_dict(workload, stage, -1), 1); }, report);
  }
  if (stage == 1) {
    probe(
        env, "CpuCommunicator.recv_tensor_dict", pp.unique_name(),
        [&] { communicator->recv_tensor_dict(0); }, report);
  }
}

}  // namespace commsim::workloads
