#include "communicators/process_group.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "communicators/errors.h"
#include "communicators/gloo/gloo_failures.h"

namespace commsim::comm {

using collectives::fill_from;
using collectives::message_of;

ProcessGroup::ProcessGroup(RankEnv& env, std::string channel, std::vector<int> ranks)
    : env_(env), channel_(std::move(channel)), ranks_(std::move(ranks)) {
  const auto it = std::find(ranks_.begin(), ranks_.end(), env_.world_rank());
  COMMSIM_CHECK(it != ranks_.end(), "rank is not a member of " + channel_);
  rank_ = static_cast<int>(it - ranks_.begin());
  timeout_ = gloo_transport::timeout_millis(env_.node().dist_timeout);
  if (env_.node().dist_impl == DistImpl::kGloo) {
    gloo_ =
        std::make_unique<gloo_transport::GlooCollectives>(env_, channel_, ranks_, rank_, timeout_);
  }
}

ProcessGroup::~ProcessGroup() = default;
ProcessGroup::ProcessGroup(ProcessGroup&&) noexcept = default;

int ProcessGroup::group_rank_of(int global_rank) const {
  const auto it = std::find(ranks_.begin(), ranks_.end(), global_rank);
  COMMSIM_CHECK(it != ranks_.end(),
                "rank " + std::to_string(global_rank) + " is not a member of " + channel_);
  return static_cast<int>(it - ranks_.begin());
}

void ProcessGroup::send(const Tensor& tensor, int dst_global) {
  if (gloo_) return isend(tensor, dst_global)->wait();
  collectives::wait_send(*env_.post_send(dst_global, op_channel("p2p"), message_of(tensor)),
                         timeout_);
}

int ProcessGroup::recv(Tensor& tensor, int src_global) {
  if (gloo_) {
    irecv(tensor, src_global)->wait();
    return src_global;
  }
  const Message message = collectives::receive_from(env_, src_global, op_channel("p2p"), timeout_);
  fill_from(tensor, message);
  return message.src;
}

namespace {

class SendWork final : public Work {
 public:
  SendWork(std::unique_ptr<PendingSend> pending, std::chrono::milliseconds timeout)
      : pending_(std::move(pending)), timeout_(timeout) {}
  void wait() override {
    if (pending_) collectives::wait_send(*pending_, timeout_);
    pending_.reset();
  }

 private:
  std::unique_ptr<PendingSend> pending_;
  std::chrono::milliseconds timeout_;
};

class RecvWork final : public Work {
 public:
  RecvWork(RankEnv& env, std::string channel, Tensor tensor, int src,
           std::chrono::milliseconds timeout)
      : env_(env),
        channel_(std::move(channel)),
        tensor_(std::move(tensor)),
        src_(src),
        timeout_(timeout) {}
  void wait() override {
    if (done_) return;
    done_ = true;
    fill_from(tensor_, collectives::receive_from(env_, src_, channel_, timeout_));
  }

 private:
  RankEnv& env_;
  std::string channel_;
  Tensor tensor_;
  int src_;
  std::chrono::milliseconds timeout_;
  bool done_ = false;
};

// A gloo send or receive in flight.
class GlooWork final : public Work {
 public:
  explicit GlooWork(std::unique_ptr<gloo_transport::GlooCollectives::P2P> p2p)
      : p2p_(std::move(p2p)) {}
  void wait() override { p2p_->wait(); }

 private:
  std::unique_ptr<gloo_transport::GlooCollectives::P2P> p2p_;
};

}  // namespace

std::unique_ptr<Work> ProcessGroup::isend(const Tensor& tensor, int dst_global) {
  if (gloo_) return std::make_unique<GlooWork>(gloo_->isend(tensor, group_rank_of(dst_global)));
  return std::make_unique<SendWork>(
      env_.post_send(dst_global, op_channel("p2p"), message_of(tensor)), timeout_);
}

std::unique_ptr<Work> ProcessGroup::irecv(Tensor tensor, int src_global) {
  if (gloo_) {
    return std::make_unique<GlooWork>(gloo_->irecv(std::move(tensor), group_rank_of(src_global)));
  }
  return std::make_unique<RecvWork>(env_, op_channel("p2p"), std::move(tensor), src_global,
                                    timeout_);
}

// gloo's dissemination barrier (gloo/barrier.cc:30-35 @ 5b14351): in round d = 1, 2, 4, ... < size,
// a zero-byte message to rank + d and one from rank - d.
void ProcessGroup::barrier() {
  if (gloo_) return gloo_->barrier();
  const collectives::GroupLink link = link_for("barrier");
  for (int d = 1; d < size(); d <<= 1) {
    auto send = env_.post_send(ranks_[static_cast<std::size_t>((rank_ + d) % size())], link.channel,
                               message_of({}, 0));
    link.receive((rank_ - d + size()) % size());
    link.wait(*send);
  }
}

void ProcessGroup::all_reduce(Tensor& tensor, ReduceOp op,
                              collectives::AllReduceAlgorithm algorithm) {
  if (gloo_) {
    env_.annotate_op("algorithm", "gloo ring");
    return gloo_->all_reduce(tensor, op);
  }
  if (size() == 1) return;
  if (algorithm == collectives::AllReduceAlgorithm::kAuto) {
    algorithm = collectives::choose_allreduce(tensor.nbytes(), tensor.numel(), size());
  }
  const collectives::GroupLink link = link_for("all_reduce");
  env_.annotate_op("algorithm", std::string(collectives::algorithm_name(algorithm)));
  switch (algorithm) {
    case collectives::AllReduceAlgorithm::kRecursiveDoubling:
      return collectives::recursive_doubling_allreduce(link, tensor, op);
    case collectives::AllReduceAlgorithm::kLogicalRing:
      return collectives::logical_ring_allreduce(link, tensor, op);
    default:
      return collectives::ring_allreduce(link, tensor, op);
  }
}

void ProcessGroup::reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op) {
  if (gloo_) {
    env_.annotate_op("algorithm", "gloo all-reduce + chunk");
    return gloo_->reduce_scatter(output, input, op);
  }
  // As PyTorch's gloo backend builds it: an all-reduce of the whole input, then this rank's chunk.
  env_.annotate_op("algorithm", "ring all-reduce + chunk");
  Tensor reduced = input.is_phantom() ? input : input.clone();
  collectives::ring_allreduce(link_for("reduce_scatter"), reduced, op);
  const Tensor mine = collectives::ring_chunk(reduced.reshape({-1}), size(), rank_);
  COMMSIM_CHECK(output.numel() == mine.numel(),
                "reduce_scatter: output must hold this rank's chunk");
  if (!output.is_phantom()) output.reshape({-1}).copy_from(mine);
}

void ProcessGroup::broadcast(Tensor& tensor, int root) {
  if (gloo_) {
    env_.annotate_op("algorithm", "gloo");
    return gloo_->broadcast(tensor, root);
  }
  env_.annotate_op("algorithm", "binomial_tree");
  collectives::binomial_broadcast(link_for("broadcast"), tensor, root);
}

void ProcessGroup::gather(const Tensor& input, std::vector<Tensor>* outputs, int root) {
  if (gloo_) {
    env_.annotate_op("algorithm", "gloo");
    return gloo_->gather(input, outputs, root);
  }
  env_.annotate_op("algorithm", "direct");
  collectives::direct_gather(link_for("gather"), input, outputs, root);
}

collectives::GroupLink ProcessGroup::link_for(const char* op) const {
  return collectives::GroupLink{env_, ranks_, rank_, op_channel(op), timeout_};
}

// Direct exchange: each member posts its object to every other member, then collects them.
void ProcessGroup::broadcast_object(ObjectBytes& object, int root) {
  if (size() == 1) return;
  Tensor object_size = Tensor::zeros(DType::kI64, {1});
  if (rank_ == root) object_size.data<std::int64_t>()[0] = static_cast<std::int64_t>(object.size());
  broadcast(object_size, root);
  Tensor payload = Tensor::zeros(DType::kU8, {object_size.data<std::int64_t>()[0]});
  if (rank_ == root) std::copy(object.begin(), object.end(), payload.mutable_bytes().begin());
  broadcast(payload, root);
  const auto bytes = std::as_const(payload).bytes();
  object.assign(bytes.begin(), bytes.end());
}

std::vector<ObjectBytes> ProcessGroup::all_gather_object(const ObjectBytes& object) {
  // As torch.distributed does it: an all_gather of the pickled sizes (int64), then an all_gather
  // of the pickles padded to the largest (uint8); gloo runs both as rings.
  const collectives::GroupLink link = link_for("all_gather_object");
  env_.annotate_op("algorithm", gloo_ ? "gloo ring" : "ring");
  const auto all_gather = [&](Tensor& output, const Tensor& input) {
    if (gloo_) {
      gloo_->all_gather_into_tensor(output, input);
    } else {
      collectives::ring_allgather(link, output, input);
    }
  };
  const auto world = static_cast<std::int64_t>(size());
  Tensor own_size = Tensor::zeros(DType::kI64, {1});
  own_size.data<std::int64_t>()[0] = static_cast<std::int64_t>(object.size());
  Tensor sizes = Tensor::zeros(DType::kI64, {world});
  all_gather(sizes, own_size);
  std::int64_t largest = 0;
  for (const std::int64_t bytes : sizes.data<std::int64_t>()) largest = std::max(largest, bytes);
  Tensor padded = Tensor::zeros(DType::kU8, {largest});
  std::copy(object.begin(), object.end(), padded.mutable_bytes().begin());
  Tensor gathered = Tensor::zeros(DType::kU8, {world * largest});
  all_gather(gathered, padded);
  std::vector<ObjectBytes> objects(static_cast<std::size_t>(world));
  const std::span<const std::byte> all = std::as_const(gathered).bytes();
  for (std::int64_t peer = 0; peer < world; ++peer) {
    const auto first = all.begin() + peer * largest;
    objects[static_cast<std::size_t>(peer)].assign(first, first + sizes.data<std::int64_t>()[peer]);
  }
  return objects;
}

void ProcessGroup::all_gather_into_tensor(Tensor& output, const Tensor& input) {
  if (gloo_) {
    env_.annotate_op("algorithm", "gloo ring");
    return gloo_->all_gather_into_tensor(output, input);
  }
  env_.annotate_op("algorithm", "ring");
  collectives::ring_allgather(link_for("all_gather"), output, input);
}

}  // namespace commsim::comm
