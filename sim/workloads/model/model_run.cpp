#include "sim/workloads/model/model_run.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>

#include "kernels/argmax.h"
#include "sim/workloads/model/llama_stage.h"
#include "sim/workloads/seeded_values.h"

namespace commsim::workloads::model {

std::vector<std::int64_t> prompt_ids(const scenario::Workload& workload) {
  const std::int64_t count = std::int64_t{workload.batch} * workload.prompt;
  if (workload.data == "phantom") return std::vector<std::int64_t>(static_cast<std::size_t>(count));
  comm::Tensor ids = comm::Tensor::zeros(comm::DType::kI64, {count});
  fill_seeded_integers(ids, workload.seed, stream_id("prompt", 0, 0), 0, workload.model.vocab - 1);
  const auto values = ids.data<std::int64_t>();
  return {values.begin(), values.end()};
}

std::vector<std::int64_t> step_positions(const scenario::Workload& workload, int step) {
  std::vector<std::int64_t> positions;
  for (int b = 0; b < workload.batch; ++b) {
    if (step == 0) {
      for (int s = 0; s < workload.prompt; ++s) positions.push_back(s);
    } else {
      positions.push_back(workload.prompt + step - 1);
    }
  }
  return positions;
}

namespace {

// Every input of the reference, exactly (doubles as hexadecimal floats).
std::string reference_key(const scenario::Workload& w) {
  const scenario::ModelSpec& m = w.model;
  std::string key;
  for (long long part :
       {(long long)m.layers, (long long)m.hidden, (long long)m.heads, (long long)m.kv_heads,
        (long long)m.intermediate, (long long)m.vocab, (long long)m.dtype, (long long)m.comm_dtype,
        (long long)w.batch, (long long)w.prompt, (long long)w.steps}) {
    key += std::to_string(part) + ",";
  }
  char doubles[64];
  std::snprintf(doubles, sizeof doubles, "%a,%a,", m.rope_theta, m.rms_eps);
  return key + doubles + std::to_string(w.seed);
}

ReferenceRun compute_reference(const scenario::Workload& w) {
  StagePlacement whole;
  whole.layers = w.model.layers;
  LlamaStage stage(w.model, w.seed, whole, w.batch, w.prompt + w.steps, false);
  NoTensorParallel tp;
  const KernelSink no_time = [](const kernels::KernelCost&) {};
  ReferenceRun run;
  std::vector<std::int64_t> ids = prompt_ids(w);
  for (int step = 0; step <= w.steps; ++step) {
    const int seq = step == 0 ? w.prompt : 1;
    Activations acts = stage.embed(ids, tp, no_time);
    stage.run_layers(acts, step_positions(w, step), step == 0, seq, tp, no_time);
    run.logits.push_back(stage.logits(acts, seq, tp, no_time));
    ids = kernels::argmax_rows(run.logits.back());
    run.tokens.push_back(ids);
  }
  return run;
}

}  // namespace

const ReferenceRun& single_rank_reference(const scenario::Workload& workload) {
  // Ranks are actors of one simulation on one thread: no locking needed.
  static std::map<std::string, ReferenceRun> cache;
  const std::string key = reference_key(workload);
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, compute_reference(workload)).first;
  return found->second;
}

Deviation deviation(const comm::Tensor& result, const comm::Tensor& reference) {
  const auto a = result.data<float>();
  const auto b = reference.data<float>();
  constexpr double kLargest = std::numeric_limits<double>::max();
  if (a.size() != b.size()) return Deviation{kLargest, kLargest};
  double diff2 = 0;
  double ref2 = 0;
  Deviation d;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) return Deviation{kLargest, kLargest};
    const double e = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    diff2 += e * e;
    ref2 += static_cast<double>(b[i]) * b[i];
    d.max_abs = std::max(d.max_abs, std::abs(e));
  }
  d.rel_l2 = ref2 > 0 ? std::sqrt(diff2 / ref2) : std::sqrt(diff2);
  return d;
}

}  // namespace commsim::workloads::model
