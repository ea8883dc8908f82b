#include "communicators/collectives/group_link.h"

#include <algorithm>

#include "communicators/errors.h"
#include "communicators/gloo/gloo_failures.h"

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

namespace {

double seconds_of(std::chrono::milliseconds timeout) {
  return timeout.count() >= 0 ? static_cast<double>(timeout.count()) / 1000 : kNoTimeout;
}

}  // namespace

void wait_send(PendingSend& send, std::chrono::milliseconds timeout) {
  try {
    if (timeout.count() < 0) {
      send.wait();  // no vector per message on the hot path (SimGrid's timed wait takes one)
    } else {
      send.wait_for(seconds_of(timeout));
    }
  } catch (const WaitTimedOut&) {
    gloo_transport::raise_timed_out(timeout, "send");
  } catch (const PeerClosed& closed) {
    gloo_transport::raise_peer_closed(closed.peer());
  }
}

Message receive_from(RankEnv& env, int src_world, const std::string& channel,
                     std::chrono::milliseconds timeout) {
  try {
    return env.recv_from(src_world, channel, seconds_of(timeout));
  } catch (const WaitTimedOut&) {
    gloo_transport::raise_timed_out(timeout, "recv");
  } catch (const PeerClosed& closed) {
    gloo_transport::raise_peer_closed(closed.peer());
  }
}

std::unique_ptr<PendingSend> GroupLink::post(int peer, const Tensor& tensor) const {
  return env.post_send(ranks[static_cast<std::size_t>(peer)], channel, message_of(tensor));
}

void GroupLink::wait(PendingSend& send) const { wait_send(send, timeout); }

Message GroupLink::receive(int peer) const {
  return receive_from(env, ranks[static_cast<std::size_t>(peer)], channel, timeout);
}

void GroupLink::recv_reduce_into(int peer, Tensor& tensor, ReduceOp op) const {
  const Message message = receive(peer);
  check_size(tensor, message);
  if (tensor.is_phantom() || !message.payload) return;
  reduce_bytes_into(tensor, *message.payload, op);
}

int GroupLink::recv_into(int peer, Tensor& tensor) const {
  const Message message = receive(peer);
  fill_from(tensor, message);
  return message.src;
}

}  // namespace commsim::comm::collectives
