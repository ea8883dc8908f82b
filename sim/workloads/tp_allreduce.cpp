#include "sim/workloads/tp_allreduce.h"

#include <algorithm>
#include <cmath>

#include "communicators/reduce_ops.h"
#include "sim/workloads/seeded_values.h"

namespace commsim::workloads {
namespace {

// Rank `rank`'s input for `spec` at `step`: integers in [-8, 8], or uniform in [-1, 1).
comm::Tensor input_of(const scenario::Workload& workload, const scenario::TensorSpec& spec,
                      int rank, int step) {
  comm::Tensor tensor = comm::Tensor::zeros(spec.dtype, spec.shape);
  const std::uint64_t stream =
      stream_id(spec.name, static_cast<std::uint64_t>(rank), static_cast<std::uint64_t>(step));
  if (workload.values == "uniform") {
    fill_seeded(tensor, workload.seed, stream);
  } else {
    fill_seeded_integers(tensor, workload.seed, stream, -8, 8);
  }
  return tensor;
}

// Compares `result` with the float64 sum of `inputs`: counts it in `data` as exact when it equals
// that sum rounded to the dtype, and keeps the worst rel-L2 and max-abs errors.
void check_result(const comm::Tensor& result, const std::vector<comm::Tensor>& inputs,
                  results::DataRecord& data) {
  double diff_squares = 0;
  double ref_squares = 0;
  bool exact = true;
  comm::Tensor rounded = result.clone();
  for (std::int64_t i = 0; i < result.numel(); ++i) {
    double reference = 0;
    for (const comm::Tensor& input : inputs) reference += comm::element_as_float(input, i);
    const double got = comm::element_as_float(result, i);
    comm::set_element_from_float(rounded, i, static_cast<float>(reference));
    exact = exact && comm::element_as_float(rounded, i) == got;
    diff_squares += (got - reference) * (got - reference);
    ref_squares += reference * reference;
    data.max_abs_error = std::max(data.max_abs_error, std::fabs(got - reference));
  }
  const double rel_l2 =
      ref_squares > 0 ? std::sqrt(diff_squares / ref_squares) : std::sqrt(diff_squares);
  data.max_rel_l2 = std::max(data.max_rel_l2, rel_l2);
  ++data.collectives;
  if (!exact) ++data.collectives_mismatched;
}

}  // namespace

void run_tp_allreduce(comm::RankEnv& env, comm::ParallelState& state,
                      const scenario::Workload& workload, WorkloadReport& report) {
  comm::GroupCoordinator& tp = state.group("tp");
  const int own = tp.ranks()[static_cast<std::size_t>(tp.rank_in_group())];
  for (int step = 0; step < workload.steps; ++step) {
    for (const scenario::TensorSpec& spec : workload.tensors) {
      comm::Tensor tensor = input_of(workload, spec, own, step);
      const double start = env.now();
      tp.all_reduce(tensor);
      report.collective_seconds.push_back(env.now() - start);
      std::vector<comm::Tensor> inputs;
      for (int rank : tp.ranks()) inputs.push_back(input_of(workload, spec, rank, step));
      check_result(tensor, inputs, report.data);
    }
  }
}

}  // namespace commsim::workloads
