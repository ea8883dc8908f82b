// GroupLink: what a collective algorithm needs of its process group. The members' world ranks,
// this process's place among them, and tensor messages on one channel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "communicators/rank_env.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::comm::collectives {

struct GroupLink {
  RankEnv& env;
  const std::vector<int>& ranks;  // world ranks in group order
  int rank;                       // this process's group rank
  std::string channel;            // unique to the operation kind on this group

  int size() const { return static_cast<int>(ranks.size()); }
  // Starts sending `tensor`'s bytes (phantom: only its size) to group rank `peer`.
  std::unique_ptr<PendingSend> post(int peer, const Tensor& tensor) const;
  // Receives the next message from group rank `peer` into `tensor` (same byte count, else
  // RuntimeError); returns the sender's world rank.
  int recv_into(int peer, Tensor& tensor) const;
  // Receives a message of tensor's size from `peer` and folds it into `tensor` with `op`, without
  // a copy. Throws RuntimeError, as recv_into, when the byte counts differ.
  void recv_reduce_into(int peer, Tensor& tensor, ReduceOp op) const;
};

// A message carrying `bytes` (none for phantom data) and charged `wire_bytes` on the network.
Message message_of(std::span<const std::byte> bytes, std::uint64_t wire_bytes);
// A message carrying `tensor` (its size only, when phantom).
Message message_of(const Tensor& tensor);
// Copies a received message into `tensor`. RuntimeError when the byte counts differ.
void fill_from(Tensor& tensor, const Message& message);

}  // namespace commsim::comm::collectives
