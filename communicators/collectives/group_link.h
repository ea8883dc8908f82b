// GroupLink: what a collective algorithm needs of its process group. The members' world ranks,
// this process's place among them, and tensor messages on one channel.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "communicators/rank_env.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::comm::collectives {

// Its waits fail as torch.distributed's on gloo do (gloo_failures.h): a receive whose sender's
// process has ended raises RuntimeError("... Connection closed by peer [rank N]") once the
// sender's messages are taken; a receive or send not done within `timeout` raises
// ProcessGroupTimeout("... Timed out waiting <ms>ms for recv|send operation to complete").
struct GroupLink {
  RankEnv& env;
  const std::vector<int>& ranks;  // world ranks in group order
  int rank;                       // this process's group rank
  std::string channel;            // unique to the operation kind on this group
  // The process group's timeout (gloo's context timeout), whole milliseconds; none if negative.
  std::chrono::milliseconds timeout{-1};

  int size() const { return static_cast<int>(ranks.size()); }
  // Starts sending `tensor`'s bytes (phantom: only its size) to group rank `peer`.
  std::unique_ptr<PendingSend> post(int peer, const Tensor& tensor) const;
  // Waits until `send` (posted on this link) is done.
  void wait(PendingSend& send) const;
  // The next message from group rank `peer`.
  Message receive(int peer) const;
  // Receives the next message from group rank `peer` into `tensor` (same byte count, else
  // RuntimeError); returns the sender's world rank.
  int recv_into(int peer, Tensor& tensor) const;
  // Receives a message of tensor's size from `peer` and folds it into `tensor` with `op`, without
  // a copy. Throws RuntimeError, as recv_into, when the byte counts differ.
  void recv_reduce_into(int peer, Tensor& tensor, ReduceOp op) const;
};

// wait() and receive() of a link over `env` and `channel` outside any group, for point-to-point
// operations that name world ranks.
void wait_send(PendingSend& send, std::chrono::milliseconds timeout);
Message receive_from(RankEnv& env, int src_world, const std::string& channel,
                     std::chrono::milliseconds timeout);

// A message carrying `bytes` (none for phantom data) and charged `wire_bytes` on the network.
Message message_of(std::span<const std::byte> bytes, std::uint64_t wire_bytes);
// A message carrying `tensor` (its size only, when phantom).
Message message_of(const Tensor& tensor);
// Copies a received message into `tensor`. RuntimeError when the byte counts differ.
void fill_from(Tensor& tensor, const Message& message);

}  // namespace commsim::comm::collectives
