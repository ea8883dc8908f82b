#include "scenarios/run_limits.h"

#include <algorithm>
#include <cstdio>

#include "scenarios/model_spec.h"

namespace commsim::scenario {
namespace {

double tensor_bytes(const TensorSpec& spec) {
  double elements = 1;
  for (const std::int64_t dim : spec.shape) elements *= static_cast<double>(dim);
  return elements * static_cast<double>(comm::element_size(spec.dtype));
}

std::string ranks_text(int world) {
  return std::to_string(world) + (world == 1 ? " rank" : " ranks");
}

}  // namespace

std::string binary_size_text(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return text;
}

TensorUse real_tensor_use(const Scenario& scenario) {
  const Workload& workload = scenario.workload;
  const int world = scenario.parallel.world();
  TensorUse use;
  if (workload.kind == "pp_handoff") {
    // A stage holds the dict it sends, and the dict it receives beside the one it regenerates
    // to check it (sim/workloads/pp_handoff.cpp).
    double dict = 0;
    for (const TensorSpec& spec : workload.tensors) dict += tensor_bytes(spec);
    use.bytes = 3 * dict * world;
    use.what = "3 copies of the hand-off's tensors (" + binary_size_text(dict) + ") on each of " +
               ranks_text(world);
  } else if (workload.kind == "tp_allreduce") {
    // For each tensor a rank holds its own, every TP rank's input (regenerated to check the sum)
    // and a rounded copy of the result (sim/workloads/tp_allreduce.cpp).
    double largest = 0;
    for (const TensorSpec& spec : workload.tensors) largest = std::max(largest, tensor_bytes(spec));
    const int copies = scenario.parallel.tensor + 2;
    use.bytes = copies * largest * world;
    use.what = std::to_string(copies) + " copies of the largest tensor (" +
               binary_size_text(largest) + ") on each of " + ranks_text(world);
  } else if (workload.kind == "collective" && !workload.collective.phantom) {
    // The larger buffer (nccl-tests' count) and the other one, at most as large, on every rank.
    const double buffer = static_cast<double>(workload.collective.count) *
                          static_cast<double>(comm::element_size(workload.collective.dtype));
    use.bytes = 2 * buffer * world;
    use.what = "two buffers of " + binary_size_text(buffer) + " on each of " + ranks_text(world);
  } else if (workload.kind == "model" && workload.data == "real") {
    // Each data-parallel replica's ranks hold the weights once between them, and the single-rank
    // reference holds one more copy.
    const double weights = model_weight_bytes(workload.model);
    const int copies = scenario.parallel.data + 1;
    use.bytes = weights * copies;
    use.what = std::to_string(copies) + " copies of the model's weights (" +
               binary_size_text(weights) + "): each data-parallel replica's, and the reference's";
  }
  return use;
}

std::optional<std::string> real_tensor_budget_problem(const Scenario& scenario) {
  const TensorUse use = real_tensor_use(scenario);
  if (use.bytes <= kMaxRealTensorBytes) return std::nullopt;
  const std::string& kind = scenario.workload.kind;
  const std::string advice =
      kind == "collective" ? "use `phantom: true` to time it without allocating"
      : kind == "model"    ? "use `data: phantom` to time it without allocating"
                           : "use smaller tensors, or time sizes like these with a `collective` "
                             "workload and `phantom: true`";
  return "real tensors would take about " + binary_size_text(use.bytes) + " (" + use.what +
         "), over the budget of " + binary_size_text(kMaxRealTensorBytes) + " per run; " + advice;
}

}  // namespace commsim::scenario
