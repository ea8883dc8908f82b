#include "communicators/process_group.h"

#include <algorithm>
#include <memory>

#include "communicators/errors.h"

namespace commsim::comm {

using collectives::fill_from;
using collectives::message_of;

ProcessGroup::ProcessGroup(RankEnv& env, std::string channel, std::vector<int> ranks)
    : env_(env), channel_(std::move(channel)), ranks_(std::move(ranks)) {
  const auto it = std::find(ranks_.begin(), ranks_.end(), env_.world_rank());
  COMMSIM_CHECK(it != ranks_.end(), "rank is not a member of " + channel_);
  rank_ = static_cast<int>(it - ranks_.begin());
}

void ProcessGroup::send(const Tensor& tensor, int dst_global) {
  env_.send(dst_global, op_channel("p2p"), message_of(tensor));
}

int ProcessGroup::recv(Tensor& tensor, int src_global) {
  const Message message = env_.recv(src_global, op_channel("p2p"));
  fill_from(tensor, message);
  return message.src;
}

// Gather-to-first then release: every member leaves after every member has arrived.
void ProcessGroup::barrier() {
  const std::string channel = op_channel("barrier");
  const int root = ranks_.front();
  if (rank_ == 0) {
    for (int peer = 1; peer < size(); ++peer) env_.recv(ranks_[peer], channel);
    for (int peer = 1; peer < size(); ++peer) env_.send(ranks_[peer], channel, message_of({}, 1));
  } else {
    env_.send(root, channel, message_of({}, 1));
    env_.recv(root, channel);
  }
}

void ProcessGroup::all_reduce(Tensor& tensor, ReduceOp op,
                              collectives::AllReduceAlgorithm algorithm) {
  if (size() == 1) return;
  if (algorithm == collectives::AllReduceAlgorithm::kAuto) {
    algorithm = collectives::choose_allreduce(tensor.nbytes(), tensor.numel(), size());
  }
  const collectives::GroupLink link = link_for("all_reduce");
  if (algorithm == collectives::AllReduceAlgorithm::kRing) {
    collectives::ring_allreduce(link, tensor, op);
  } else {
    collectives::recursive_doubling_allreduce(link, tensor, op);
  }
}

void ProcessGroup::reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op) {
  collectives::ring_reduce_scatter(link_for("reduce_scatter"), output, input, op);
}

void ProcessGroup::broadcast(Tensor& tensor, int root) {
  collectives::binomial_broadcast(link_for("broadcast"), tensor, root);
}

void ProcessGroup::gather(const Tensor& input, std::vector<Tensor>* outputs, int root) {
  collectives::direct_gather(link_for("gather"), input, outputs, root);
}

collectives::GroupLink ProcessGroup::link_for(const char* op) const {
  return collectives::GroupLink{env_, ranks_, rank_, op_channel(op)};
}

// Direct exchange: each member posts its object to every other member, then collects them.
std::vector<ObjectBytes> ProcessGroup::all_gather_object(const ObjectBytes& object) {
  const std::string channel = op_channel("all_gather_object");
  std::vector<std::unique_ptr<PendingSend>> sends;
  for (int peer = 0; peer < size(); ++peer) {
    if (peer != rank_) {
      sends.push_back(env_.post_send(ranks_[peer], channel, message_of(object, object.size())));
    }
  }
  std::vector<ObjectBytes> objects(static_cast<std::size_t>(size()));
  objects[static_cast<std::size_t>(rank_)] = object;
  for (int peer = 0; peer < size(); ++peer) {
    if (peer == rank_) continue;
    const Message message = env_.recv(ranks_[peer], channel);
    objects[static_cast<std::size_t>(peer)].assign(message.payload->begin(),
                                                   message.payload->end());
  }
  for (auto& send : sends) send->wait();
  return objects;
}

void ProcessGroup::all_gather_into_tensor(Tensor& output, const Tensor& input) {
  collectives::ring_allgather(link_for("all_gather"), output, input);
}

}  // namespace commsim::comm
