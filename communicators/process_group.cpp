#include "communicators/process_group.h"

#include <algorithm>
#include <memory>

#include "communicators/errors.h"

namespace commsim::comm {
namespace {

Message message_of(std::span<const std::byte> bytes, std::uint64_t wire_bytes) {
  Message message;
  message.wire_bytes = wire_bytes;
  if (!bytes.empty() || wire_bytes == 0) {
    message.payload = std::make_shared<const std::vector<std::byte>>(bytes.begin(), bytes.end());
  }
  return message;
}

Message message_of(const Tensor& tensor) { return message_of(tensor.bytes(), tensor.nbytes()); }

void fill_from(Tensor& tensor, const Message& message) {
  if (message.wire_bytes != tensor.nbytes()) {
    throw RuntimeError("gloo recv: expected " + std::to_string(tensor.nbytes()) +
                       " bytes but the message holds " + std::to_string(message.wire_bytes));
  }
  if (tensor.is_phantom() || !message.payload) return;
  std::copy(message.payload->begin(), message.payload->end(), tensor.mutable_bytes().begin());
}

}  // namespace

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

// The ring: rank r sends to r+1 and receives from r-1. In reduce-scatter step s it sends chunk
// (r - s) and folds the received chunk (r - s - 1) into its own; after size()-1 steps it holds the
// reduced chunk (r + 1). The all-gather steps then pass the reduced chunks around the ring.
void ProcessGroup::all_reduce(Tensor& tensor, ReduceOp op) {
  const int world = size();
  if (world == 1) return;
  const std::string channel = op_channel("all_reduce");
  const int next = ranks_[static_cast<std::size_t>((rank_ + 1) % world)];
  const int previous = ranks_[static_cast<std::size_t>((rank_ - 1 + world) % world)];
  const Tensor flat = tensor.reshape({-1});
  const std::int64_t numel = flat.numel();
  const auto chunk = [&](int index) {
    const int c = ((index % world) + world) % world;
    const std::int64_t base = numel / world;
    const std::int64_t extra = numel % world;
    const std::int64_t begin = c * base + std::min<std::int64_t>(c, extra);
    return flat.slice(begin, base + (c < extra ? 1 : 0));
  };
  for (int step = 0; step < world - 1; ++step) {
    auto send = env_.post_send(next, channel, message_of(chunk(rank_ - step)));
    Tensor incoming = chunk(rank_ - step - 1).clone();
    fill_from(incoming, env_.recv(previous, channel));
    Tensor target = chunk(rank_ - step - 1);
    reduce_into(target, incoming, op);
    send->wait();
  }
  for (int step = 0; step < world - 1; ++step) {
    auto send = env_.post_send(next, channel, message_of(chunk(rank_ + 1 - step)));
    Tensor target = chunk(rank_ - step);
    fill_from(target, env_.recv(previous, channel));
    send->wait();
  }
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
  COMMSIM_CHECK(output.dtype() == input.dtype() && output.numel() == size() * input.numel(),
                "all_gather_into_tensor: output must hold one input per rank");
  const std::string channel = op_channel("all_gather");
  const std::size_t block = input.nbytes();
  std::vector<std::unique_ptr<PendingSend>> sends;
  for (int peer = 0; peer < size(); ++peer) {
    if (peer != rank_) sends.push_back(env_.post_send(ranks_[peer], channel, message_of(input)));
  }
  const bool real = !output.is_phantom() && !input.is_phantom();
  auto out = output.mutable_bytes();
  if (real) {
    std::copy(input.bytes().begin(), input.bytes().end(),
              out.begin() + static_cast<std::ptrdiff_t>(block * static_cast<std::size_t>(rank_)));
  }
  for (int peer = 0; peer < size(); ++peer) {
    if (peer == rank_) continue;
    const Message message = env_.recv(ranks_[peer], channel);
    if (real && message.payload) {
      std::copy(message.payload->begin(), message.payload->end(),
                out.begin() + static_cast<std::ptrdiff_t>(block * static_cast<std::size_t>(peer)));
    }
  }
  for (auto& send : sends) send->wait();
}

}  // namespace commsim::comm
