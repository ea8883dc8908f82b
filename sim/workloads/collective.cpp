#include "sim/workloads/collective.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "communicators/errors.h"
#include "communicators/process_group.h"
#include "communicators/reduce_ops.h"

namespace commsim::workloads {
namespace {

using scenario::Collective;
using scenario::CollectiveSpec;
using scenario::ExactInputs;

comm::collectives::AllReduceAlgorithm algorithm_of(const std::string& name) {
  if (name == "ring") return comm::collectives::AllReduceAlgorithm::kRing;
  if (name == "logical_ring") return comm::collectives::AllReduceAlgorithm::kLogicalRing;
  if (name == "recursive_doubling") {
    return comm::collectives::AllReduceAlgorithm::kRecursiveDoubling;
  }
  return comm::collectives::AllReduceAlgorithm::kAuto;
}

// Sets element i of a real tensor to value(first + i); leaves a phantom one as it is.
template <typename Value>
void fill_values(comm::Tensor& tensor, std::int64_t first, Value value) {
  if (tensor.is_phantom()) return;
  std::vector<float> values(static_cast<std::size_t>(tensor.numel()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(value(first + static_cast<std::int64_t>(i)));
  }
  comm::assign_from_floats(tensor, values);
}

// A tensor of `count` elements: phantom, or element i = value(first + i).
template <typename Value>
comm::Tensor make_tensor(const CollectiveSpec& spec, std::int64_t count, std::int64_t first,
                         Value value) {
  if (spec.phantom) return comm::Tensor::phantom(spec.dtype, {count});
  comm::Tensor tensor = comm::Tensor::zeros(spec.dtype, {count});
  fill_values(tensor, first, value);
  return tensor;
}

// Elements i of `tensor` that differ from expected(first + i).
template <typename Expected>
std::int64_t count_wrong(const comm::Tensor& tensor, std::int64_t first, Expected expected) {
  std::int64_t wrong = 0;
  const std::vector<float> values = comm::elements_as_floats(tensor);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (static_cast<double>(values[i]) != expected(first + static_cast<std::int64_t>(i))) ++wrong;
  }
  return wrong;
}

// One rank's buffers and calls for the whole run.
class CollectiveRun {
 public:
  CollectiveRun(comm::GroupCoordinator& tp, const CollectiveSpec& spec, std::uint64_t seed)
      : tp_(tp),
        group_(tp.device_group()),
        spec_(spec),
        world_(group_.size()),
        rank_(group_.rank()),
        count_(scenario::per_rank_count(spec, world_)) {
    if (!spec.phantom) {
      std::string why;
      inputs_ = ExactInputs::make(spec, world_, seed, &why);
      if (!inputs_) throw comm::HarnessError("collective workload: " + why);
      weight_ = inputs_->weight(rank_);
    }
    make_buffers();
  }

  // Resets the buffers the collective writes and meets the other ranks at a barrier of the
  // group (untimed, as nccl-tests and MPI timers do), so that every rank starts its timed call
  // together; the caller then times call().
  void prepare() {
    group_.barrier();
    switch (spec_.collective) {
      case Collective::kAllReduce:
        // In place: the first call starts from the buffer as made; later ones from a refill.
        if (calls_++ > 0) fill_values(buffer_, 0, [this](std::int64_t j) { return input_at(j); });
        break;
      case Collective::kBroadcast:
        buffer_ = source_.clone();
        break;
      default:
        zero(buffer_);
        for (comm::Tensor& output : gathered_) zero(output);
        break;
    }
  }

  void call() {
    if (spec_.through_communicator) {
      call_through_coordinator();
      return;
    }
    switch (spec_.collective) {
      case Collective::kAllReduce:
        group_.all_reduce(buffer_, spec_.op, algorithm_of(spec_.algorithm));
        break;
      case Collective::kReduceScatter:
        group_.reduce_scatter(buffer_, source_, spec_.op);
        break;
      case Collective::kAllGather:
        group_.all_gather_into_tensor(buffer_, source_);
        break;
      case Collective::kBroadcast:
        group_.broadcast(buffer_, spec_.root);
        break;
      case Collective::kGather:
        group_.gather(source_, rank_ == spec_.root ? &gathered_ : nullptr, spec_.root);
        break;
      case Collective::kSendRecv:
        if (world_ > 1) {
          const auto& ranks = group_.ranks();
          group_.send(source_, ranks[static_cast<std::size_t>((rank_ + 1) % world_)]);
          group_.recv(buffer_, ranks[static_cast<std::size_t>((rank_ + world_ - 1) % world_)]);
        }
        break;
      case Collective::kBarrier:
        group_.barrier();
        break;
    }
  }

  // `via: communicator`: the GroupCoordinator's method, which goes through the CpuCommunicator
  // (and so the SHM backend) where vLLM's does, and through torch.distributed otherwise.
  void call_through_coordinator() {
    switch (spec_.collective) {
      case Collective::kAllReduce:
        tp_.all_reduce(buffer_);
        break;
      case Collective::kReduceScatter:
        copy_into(buffer_, tp_.reduce_scatter(source_, -1));
        break;
      case Collective::kAllGather:
        copy_into(buffer_, tp_.all_gather(source_, -1));
        break;
      case Collective::kBroadcast:
        tp_.broadcast(buffer_, spec_.root);
        break;
      case Collective::kGather:
        if (const auto gathered = tp_.gather(source_, spec_.root, -1)) {
          for (int r = 0; r < world_; ++r) {
            copy_into(gathered_[static_cast<std::size_t>(r)], gathered->row_block(world_, r));
          }
        }
        break;
      case Collective::kSendRecv:
        if (world_ > 1) {
          tp_.send(source_, std::nullopt);
          copy_into(buffer_, tp_.recv(buffer_.shape(), buffer_.dtype(), std::nullopt));
        }
        break;
      case Collective::kBarrier:
        tp_.barrier();
        break;
    }
  }

  // Elements of this rank's result that differ from the exact result (0 for phantom data).
  std::int64_t wrong_elements() const {
    if (spec_.phantom) return 0;
    const auto pattern = [this](std::int64_t j) { return inputs_->pattern(j); };
    const auto reduced = [this](std::int64_t j) { return inputs_->reduced(j); };
    switch (spec_.collective) {
      case Collective::kAllReduce:
        return count_wrong(buffer_, 0, reduced);
      case Collective::kReduceScatter:
        return count_wrong(buffer_, static_cast<std::int64_t>(rank_) * count_, reduced);
      case Collective::kAllGather:
        return count_wrong(buffer_, 0, pattern);
      case Collective::kBroadcast:
        return count_wrong(buffer_, static_cast<std::int64_t>(spec_.root) * count_, pattern);
      case Collective::kGather: {
        std::int64_t wrong = 0;
        for (std::size_t r = 0; r < gathered_.size(); ++r) {
          wrong += count_wrong(gathered_[r], static_cast<std::int64_t>(r) * count_, pattern);
        }
        return wrong;
      }
      case Collective::kSendRecv:
        if (world_ == 1) return 0;
        return count_wrong(
            buffer_, static_cast<std::int64_t>((rank_ + world_ - 1) % world_) * count_, pattern);
      case Collective::kBarrier:
        return 0;
    }
    return 0;
  }

 private:
  static void zero(comm::Tensor& tensor) {
    if (!tensor.is_phantom()) std::ranges::fill(tensor.mutable_bytes(), std::byte{0});
  }

  // Copies a result's bytes into a buffer of the same size (phantom: nothing to copy).
  static void copy_into(comm::Tensor& buffer, const comm::Tensor& result) {
    if (buffer.is_phantom() || result.is_phantom()) return;
    const auto bytes = result.bytes();
    std::ranges::copy(bytes, buffer.mutable_bytes().begin());
  }

  // This rank's input at global position j of a reduction: weight(rank) x pattern(j).
  double input_at(std::int64_t j) const { return weight_ * inputs_->pattern(j); }

  // The buffers, made once; every call starts from the same inputs.
  void make_buffers() {
    const std::int64_t own = static_cast<std::int64_t>(rank_) * count_;
    const auto input = [this](std::int64_t j) { return input_at(j); };
    const auto pattern = [this](std::int64_t j) { return inputs_->pattern(j); };
    const auto zeros = [](std::int64_t) { return 0.0; };
    switch (spec_.collective) {
      case Collective::kAllReduce:
        buffer_ = make_tensor(spec_, count_, 0, input);
        break;
      case Collective::kReduceScatter:
        source_ = make_tensor(spec_, count_ * world_, 0, input);
        buffer_ = make_tensor(spec_, count_, 0, zeros);
        break;
      case Collective::kAllGather:
        source_ = make_tensor(spec_, count_, own, pattern);
        buffer_ = make_tensor(spec_, count_ * world_, 0, zeros);
        break;
      case Collective::kBroadcast:
      case Collective::kGather:
      case Collective::kSendRecv:
        source_ = make_tensor(spec_, count_, own, pattern);
        buffer_ = make_tensor(spec_, count_, 0, zeros);
        if (spec_.collective == Collective::kGather && rank_ == spec_.root) {
          for (int r = 0; r < world_; ++r) gathered_.push_back(buffer_.clone());
        }
        break;
      case Collective::kBarrier:
        break;
    }
  }

  comm::GroupCoordinator& tp_;
  comm::ProcessGroup& group_;
  const CollectiveSpec& spec_;
  int world_;
  int rank_;
  std::int64_t count_;
  std::optional<ExactInputs> inputs_;
  int calls_ = 0;
  double weight_ = 1;  // this rank's input weight (reductions with real data)
  comm::Tensor source_;
  comm::Tensor buffer_;
  std::vector<comm::Tensor> gathered_;
};

}  // namespace

void run_collective(comm::RankEnv& env, comm::ParallelState& state,
                    const scenario::Workload& workload, WorkloadReport& report) {
  CollectiveRun run(state.group("tp"), workload.collective, workload.seed);
  for (int step = 0; step < workload.steps; ++step) {
    run.prepare();
    const double start = env.now();
    run.call();
    report.collective_seconds.push_back(env.now() - start);
    ++report.data.collectives;
  }
  if (workload.steps > 0) {
    const std::int64_t wrong = run.wrong_elements();
    report.data.wrong_elements += wrong;
    if (wrong > 0) ++report.data.collectives_mismatched;
  }
}

}  // namespace commsim::workloads
