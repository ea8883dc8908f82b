#include "sim/workloads/model_workload.h"

#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "communicators/object_codec.h"
#include "kernels/argmax.h"
#include "scenarios/model_spec.h"
#include "sim/workloads/model/llama_stage.h"
#include "sim/workloads/model/model_run.h"

namespace commsim::workloads {

using comm::DType;
using comm::Tensor;
using model::Activations;
using model::KernelSink;

namespace {

// The TP collectives of a stage, on the rank's TP group.
class GroupTensorParallel final : public model::TensorParallel {
 public:
  explicit GroupTensorParallel(comm::GroupCoordinator& group) : group_(group) {}
  int size() const override { return group_.world_size(); }
  int rank() const override { return group_.rank_in_group(); }
  void all_reduce(Tensor& tensor) override { group_.all_reduce(tensor); }
  Tensor all_gather_columns(const Tensor& tensor) override { return group_.all_gather(tensor, 1); }

 private:
  comm::GroupCoordinator& group_;
};

std::string join_ids(const std::vector<std::int64_t>& ids) {
  std::string text;
  for (std::int64_t id : ids) text += (text.empty() ? "" : ",") + std::to_string(id);
  return text;
}

std::vector<std::int64_t> split_ids(const std::string& text) {
  std::vector<std::int64_t> ids;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    ids.push_back(std::stoll(text.substr(begin, end - begin)));
    begin = end + 1;
  }
  return ids;
}

// The tensor at `key` of a received hand-off; a dict without it is a harness error.
const Tensor& received_tensor(const comm::TensorDict& dict, const std::string& key) {
  const comm::Value* value = dict.find(key);
  const Tensor* tensor = value ? std::get_if<Tensor>(value) : nullptr;
  if (tensor == nullptr) {
    throw std::runtime_error("the PP hand-off arrived without the tensor '" + key + "'");
  }
  return *tensor;
}

}  // namespace

void run_model(comm::RankEnv& env, comm::ParallelState& state, const scenario::Workload& workload,
               WorkloadReport& report) {
  comm::GroupCoordinator& pp = state.group("pp");
  comm::GroupCoordinator& tp_group = state.group("tp");
  GroupTensorParallel tp(tp_group);
  const scenario::ModelSpec& spec = workload.model;
  const bool phantom = workload.data == "phantom";
  const int stage_index = pp.rank_in_group();
  const int stages = pp.world_size();
  const std::vector<int> layers = scenario::layers_per_stage(spec.layers, stages);

  model::StagePlacement placement;
  placement.tp_rank = tp.rank();
  placement.tp_size = tp.size();
  placement.first_layer = std::accumulate(layers.begin(), layers.begin() + stage_index, 0);
  placement.layers = layers[static_cast<std::size_t>(stage_index)];
  placement.first = stage_index == 0;
  placement.last = stage_index == stages - 1;
  model::LlamaStage stage(spec, workload.seed, placement, workload.batch,
                          workload.prompt + workload.steps, phantom);
  const KernelSink sink = [&env](const kernels::KernelCost& cost) {
    env.charge_kernel(cost.name, cost.dtype, cost.flops, cost.bytes);
  };
  // The worker's all_gather_tensors: empty without sequence parallelism (the model workload does
  // not model it), so each tensor is sliced over TP when its size divides by the TP size.
  const std::map<std::string, bool> all_gather_tensors;
  comm::WorkList pp_send_work;  // the worker's _pp_send_work
  const bool records = placement.last && tp.rank() == 0;
  const model::ReferenceRun* reference =
      records && !phantom ? &model::single_rank_reference(workload) : nullptr;

  std::vector<std::int64_t> ids = model::prompt_ids(workload);
  double step_start = env.now();
  for (int step = 0; step <= workload.steps; ++step) {
    const int seq = step == 0 ? workload.prompt : 1;
    pp.wait_sends(pp_send_work);  // the previous step's sends (gpu_worker.py:758-762)
    Activations acts;
    if (placement.first) {
      acts = stage.embed(ids, tp, sink);
    } else {
      auto pending = pp.irecv_tensor_dict(std::nullopt, &tp_group, &all_gather_tensors);
      const auto received = pp.wait_for_comm(pending);  // the layers read .tensors
      acts.hidden =
          model::converted(received_tensor(*received, "hidden_states"), DType::kF32, sink);
      acts.residual = model::converted(received_tensor(*received, "residual"), DType::kF32, sink);
      acts.has_residual = true;
      ++report.data.dicts_delivered;
    }
    stage.run_layers(acts, model::step_positions(workload, step), step == 0, seq, tp, sink);
    if (!placement.last) {
      comm::TensorDict dict;
      dict.set("hidden_states", model::converted(acts.hidden, spec.comm_dtype, sink));
      dict.set("residual", model::converted(acts.residual, spec.comm_dtype, sink));
      pp_send_work = pp.isend_tensor_dict(dict, std::nullopt, &tp_group, &all_gather_tensors);
      ++report.data.dicts_sent;
    } else {
      const Tensor logits = stage.logits(acts, seq, tp, sink);
      sink(kernels::argmax_cost(workload.batch, spec.vocab));
      ids = phantom ? std::vector<std::int64_t>(static_cast<std::size_t>(workload.batch))
                    : kernels::argmax_rows(logits);
      if (records) {
        results::DataRecord& data = report.data;
        data.model_steps = step + 1;
        data.step_times_s.push_back(env.now() - step_start);
        data.tokens.push_back(ids);
        if (reference != nullptr) {
          data.reference_checked = true;
          // Logits are compared while the tokens fed in are the reference's: after the first
          // step whose tokens differ, the two runs no longer see the same inputs.
          if (data.token_mismatches == 0) {
            const model::Deviation d =
                model::deviation(logits, reference->logits[static_cast<std::size_t>(step)]);
            data.max_rel_l2 = std::max(data.max_rel_l2, d.rel_l2);
            data.max_abs_error = std::max(data.max_abs_error, d.max_abs);
          }
          if (ids != reference->tokens[static_cast<std::size_t>(step)]) ++data.token_mismatches;
        }
      }
    }
    step_start = env.now();
    if (step == workload.steps || stages == 1) continue;
    // The sampled tokens reach the first stage for the next step.
    if (placement.last) {
      pp.send_object(comm::encode_string(join_ids(ids)), 0);
    } else if (placement.first) {
      ids = split_ids(comm::decode_string(pp.recv_object(stages - 1)));
    }
  }
  pp.wait_sends(pp_send_work);  // what the next execute_model call would wait on
}

}  // namespace commsim::workloads
