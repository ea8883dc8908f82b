#include "sim/explain/model_text.h"

#include <cstdio>
#include <string>
#include <vector>

#include "results/text_format.h"
#include "scenarios/model_spec.h"

namespace commsim::explain {

namespace {

// "2.05 GiB", or "3.02 MiB" below a GiB.
std::string gib(double bytes) {
  constexpr double kMiB = 1024.0 * 1024.0;
  char buffer[32];
  if (bytes < 1024.0 * kMiB) {
    std::snprintf(buffer, sizeof buffer, "%.2f MiB", bytes / kMiB);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.2f GiB", bytes / (1024.0 * kMiB));
  }
  return buffer;
}

}  // namespace

void write_model(std::ostream& out, const scenario::Scenario& scenario) {
  const scenario::Workload& workload = scenario.workload;
  if (workload.kind != "model") return;
  const scenario::ModelSpec& m = workload.model;
  const int tp = scenario.parallel.tensor;
  const std::string preset = m.preset.empty() ? "" : m.preset + ": ";
  std::vector<std::vector<std::string>> rows = {
      {"shape", preset + std::to_string(m.layers) + " layers, hidden " + std::to_string(m.hidden) +
                    ", " + std::to_string(m.heads) + " heads (" + std::to_string(m.kv_heads) +
                    " KV), intermediate " + std::to_string(m.intermediate) + ", vocabulary " +
                    std::to_string(m.vocab) + ", " + std::string(comm::dtype_name(m.dtype)) +
                    ", communication " + std::string(comm::dtype_name(m.comm_dtype))},
      {"run", workload.data + " data, " + std::to_string(workload.batch) + " sequences of " +
                  std::to_string(workload.prompt) + " prompt tokens, " +
                  std::to_string(workload.steps) + " decode steps, seed " +
                  std::to_string(workload.seed)}};
  const int kv_per_rank = m.kv_heads >= tp ? m.kv_heads / tp : 1;
  rows.push_back({"per rank", std::to_string(m.heads / tp) + " query heads, " +
                                  std::to_string(kv_per_rank) + " KV head" +
                                  (kv_per_rank == 1 ? "" : "s") +
                                  (m.kv_heads < tp ? " (replicated)" : "") + ", intermediate " +
                                  std::to_string(m.intermediate / tp) + ", vocabulary " +
                                  std::to_string(m.vocab / tp)});
  const std::vector<int> layers = scenario::layers_per_stage(m.layers, scenario.parallel.pipeline);
  int first = 0;
  for (std::size_t stage = 0; stage < layers.size(); ++stage) {
    const int count = layers[stage];
    const bool is_first = stage == 0;
    const bool is_last = stage + 1 == layers.size();
    std::string what = "layers " + std::to_string(first) + "-" + std::to_string(first + count - 1);
    if (is_first) what += " + embedding";
    if (is_last) what += " + final norm, LM head";
    what += "; " + gib(scenario::stage_weight_bytes(m, tp, count, is_first, is_last)) +
            " of weights per rank";
    rows.push_back({stage == 0 ? "stages" : "", std::to_string(stage) + ": " + what});
    first += count;
  }
  out << "model\n";
  results::text::write_table(out, rows, "  ");
}

}  // namespace commsim::explain
