#include "sim/workloads/tp_allreduce.h"

#include "communicators/reduce_ops.h"
#include "sim/workloads/seeded_values.h"

namespace commsim::workloads {
namespace {

// Rank `rank`'s input for `spec` at `step`: integers in [-8, 8].
comm::Tensor input_of(const scenario::Workload& workload, const scenario::TensorSpec& spec,
                      int rank, int step) {
  comm::Tensor tensor = comm::Tensor::zeros(spec.dtype, spec.shape);
  fill_seeded_integers(
      tensor, workload.seed,
      stream_id(spec.name, static_cast<std::uint64_t>(rank), static_cast<std::uint64_t>(step)), -8,
      8);
  return tensor;
}

}  // namespace

void run_tp_allreduce(comm::RankEnv& env, comm::ParallelState& state,
                      const scenario::Workload& workload, WorkloadReport& report) {
  comm::GroupCoordinator& tp = state.group("tp");
  for (int step = 0; step < workload.steps; ++step) {
    for (const scenario::TensorSpec& spec : workload.tensors) {
      comm::Tensor tensor =
          input_of(workload, spec, tp.ranks()[static_cast<std::size_t>(tp.rank_in_group())], step);
      const double start = env.now();
      tp.all_reduce(tensor);
      report.collective_seconds.push_back(env.now() - start);
      comm::Tensor expected = input_of(workload, spec, tp.ranks().front(), step);
      for (std::size_t r = 1; r < tp.ranks().size(); ++r) {
        comm::reduce_into(expected, input_of(workload, spec, tp.ranks()[r], step),
                          comm::ReduceOp::kSum);
      }
      ++report.data.collectives;
      if (!comm::bit_identical(tensor.reshape(spec.shape), expected)) {
        ++report.data.collectives_mismatched;
      }
    }
  }
}

}  // namespace commsim::workloads
