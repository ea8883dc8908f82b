#include "communicators/collectives/group_link.h"

#include <algorithm>

#include "communicators/errors.h"

namespace commsim::comm::collectives {

Message message_of(std::span<const std::byte> bytes, std::uint64_t wire_bytes) {
  Message message;
  message.wire_bytes = wire_bytes;
  if (!bytes.empty() || wire_bytes == 0) {
    message.payload = std::make_shared<const std::vector<std::byte>>(bytes.begin(), bytes.end());
  }
  return message;
}

Message message_of(const Tensor& tensor) { return message_of(tensor.bytes(), tensor.nbytes()); }

namespace {

void check_size(const Tensor& tensor, const Message& message) {
  if (message.wire_bytes != tensor.nbytes()) {
    throw RuntimeError("gloo recv: expected " + std::to_string(tensor.nbytes()) +
                       " bytes but the message holds " + std::to_string(message.wire_bytes));
  }
}

}  // namespace

void fill_from(Tensor& tensor, const Message& message) {
  check_size(tensor, message);
  if (tensor.is_phantom() || !message.payload) return;
  std::copy(message.payload->begin(), message.payload->end(), tensor.mutable_bytes().begin());
}

std::unique_ptr<PendingSend> GroupLink::post(int peer, const Tensor& tensor) const {
  return env.post_send(ranks[static_cast<std::size_t>(peer)], channel, message_of(tensor));
}

void GroupLink::recv_reduce_into(int peer, Tensor& tensor, ReduceOp op) const {
  const Message message = env.recv(ranks[static_cast<std::size_t>(peer)], channel);
  check_size(tensor, message);
  if (tensor.is_phantom() || !message.payload) return;
  reduce_bytes_into(tensor, *message.payload, op);
}

int GroupLink::recv_into(int peer, Tensor& tensor) const {
  const Message message = env.recv(ranks[static_cast<std::size_t>(peer)], channel);
  fill_from(tensor, message);
  return message.src;
}

}  // namespace commsim::comm::collectives
