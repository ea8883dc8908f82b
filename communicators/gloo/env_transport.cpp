#include "communicators/gloo/env_transport.h"

#include <gloo/common/error.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "communicators/errors.h"
#include "communicators/gloo/gloo_failures.h"

namespace commsim::comm::gloo_transport {
namespace {

class EnvAddress final : public ::gloo::transport::Address {
 public:
  explicit EnvAddress(std::string text) : text_(std::move(text)) {}
  std::string str() const override { return text_; }
  std::vector<char> bytes() const override { return {text_.begin(), text_.end()}; }

 private:
  std::string text_;
};

std::size_t resolve_count(std::size_t offset, std::size_t nbytes, std::size_t size) {
  if (nbytes != ::gloo::transport::UnboundBuffer::kUnspecifiedByteCount) {
    COMMSIM_CHECK(offset <= size && nbytes <= size - offset, "gloo operation outside its buffer");
    return nbytes;
  }
  COMMSIM_CHECK(offset <= size, "gloo operation outside its buffer");
  return size - offset;
}

}  // namespace

// ---- EnvBuffer ----

EnvBuffer::EnvBuffer(EnvContext& context, void* data, std::size_t bytes)
    : ::gloo::transport::UnboundBuffer(data, bytes), context_(context) {}

EnvBuffer::~EnvBuffer() { context_.forget(*this); }

void EnvBuffer::send(int dst_rank, std::uint64_t slot, std::size_t offset, std::size_t nbytes) {
  context_.post_send(*this, dst_rank, slot, offset, resolve_count(offset, nbytes, size));
}

void EnvBuffer::recv(int src_rank, std::uint64_t slot, std::size_t offset, std::size_t nbytes) {
  context_.post_recv(*this, {src_rank}, slot, offset, resolve_count(offset, nbytes, size));
}

void EnvBuffer::recv(std::vector<int> src_ranks, std::uint64_t slot, std::size_t offset,
                     std::size_t nbytes) {
  context_.post_recv(*this, std::move(src_ranks), slot, offset,
                     resolve_count(offset, nbytes, size));
}

bool EnvBuffer::waitRecv(int* rank, std::chrono::milliseconds timeout) {
  if (timeout == ::gloo::transport::kUnsetTimeout) timeout = context_.getTimeout();
  while (recv_completions_ == 0) {
    if (abort_recv_) {
      abort_recv_ = false;
      return false;
    }
    try {
      context_.complete_one_recv(*this, context_.seconds(timeout));
    } catch (const WaitTimedOut&) {
      throw ::gloo::IoException(timeout_message(timeout, "recv"));
    } catch (const PeerClosed& closed) {
      throw ::gloo::IoException(closed_message(closed.peer()));
    }
  }
  --recv_completions_;
  if (rank != nullptr) *rank = last_recv_rank_;
  return true;
}

bool EnvBuffer::waitSend(int* rank, std::chrono::milliseconds timeout) {
  if (abort_send_) {
    abort_send_ = false;
    return false;
  }
  if (timeout == ::gloo::transport::kUnsetTimeout) timeout = context_.getTimeout();
  COMMSIM_CHECK(!sends_.empty(), "gloo waitSend with no send posted");
  // Sends complete in the order posted: each peer's are delivered in order, and waiting on an
  // older one first delays no later one.
  InFlightSend& oldest = sends_.front();
  try {
    oldest.pending->wait_for(context_.seconds(timeout));
  } catch (const WaitTimedOut&) {
    throw ::gloo::IoException(timeout_message(timeout, "send"));
  } catch (const PeerClosed& closed) {
    throw ::gloo::IoException(closed_message(closed.peer()));
  }
  if (rank != nullptr) *rank = oldest.dst;
  sends_.pop_front();
  return true;
}

// ---- EnvPair ----

EnvPair::EnvPair(EnvContext& context, int peer)
    : peer_(peer),
      address_(std::make_unique<EnvAddress>(context.group() + "#" + std::to_string(peer))) {}

const ::gloo::transport::Address& EnvPair::address() const { return *address_; }

std::unique_ptr<::gloo::transport::Buffer> EnvPair::createSendBuffer(int /*slot*/, void* /*ptr*/,
                                                                     std::size_t /*size*/) {
  throw HarnessError("gloo's bound buffers are not modelled (unbound buffers only)");
}

std::unique_ptr<::gloo::transport::Buffer> EnvPair::createRecvBuffer(int /*slot*/, void* /*ptr*/,
                                                                     std::size_t /*size*/) {
  throw HarnessError("gloo's bound buffers are not modelled (unbound buffers only)");
}

void EnvPair::send(::gloo::transport::UnboundBuffer* buf, std::uint64_t tag, std::size_t offset,
                   std::size_t nbytes) {
  buf->send(peer_, tag, offset, nbytes);
}

void EnvPair::recv(::gloo::transport::UnboundBuffer* buf, std::uint64_t tag, std::size_t offset,
                   std::size_t nbytes) {
  buf->recv(peer_, tag, offset, nbytes);
}

// ---- EnvContext ----

EnvContext::EnvContext(RankEnv& env, std::string group, std::vector<int> world_ranks, int own_rank,
                       bool phantom)
    : ::gloo::transport::Context(own_rank, static_cast<int>(world_ranks.size())),
      env_(env),
      group_(std::move(group)),
      world_ranks_(std::move(world_ranks)),
      phantom_(phantom) {
  pairs_.resize(world_ranks_.size());
}

std::unique_ptr<::gloo::transport::Pair>& EnvContext::createPair(int peer) {
  COMMSIM_CHECK(peer >= 0 && peer < size, "gloo pair outside the group");
  pairs_[static_cast<std::size_t>(peer)] = std::make_unique<EnvPair>(*this, peer);
  return pairs_[static_cast<std::size_t>(peer)];
}

std::unique_ptr<::gloo::transport::UnboundBuffer> EnvContext::createUnboundBuffer(
    void* data, std::size_t bytes) {
  return std::make_unique<EnvBuffer>(*this, data, bytes);
}

int EnvContext::world_rank_of(int group_rank) const {
  COMMSIM_CHECK(group_rank >= 0 && group_rank < size, "gloo peer outside the group");
  return world_ranks_[static_cast<std::size_t>(group_rank)];
}

std::string EnvContext::channel(std::uint64_t slot) const {
  return "gloo|" + group_ + "|" + std::to_string(slot);
}

double EnvContext::seconds(std::chrono::milliseconds timeout) const {
  if (timeout.count() < 0) return kNoTimeout;
  return std::chrono::duration<double>(timeout).count();
}

void EnvContext::post_send(EnvBuffer& buffer, int dst, std::uint64_t slot, std::size_t offset,
                           std::size_t nbytes) {
  Message message;
  message.wire_bytes = nbytes;
  if (!phantom_) {
    // An empty payload, not none, for zero bytes: a real (if empty) message.
    const auto* first = static_cast<const std::byte*>(buffer.ptr) + offset;
    message.payload = std::make_shared<const std::vector<std::byte>>(first, first + nbytes);
  }
  buffer.sends_.push_back(
      {dst, env_.post_send(world_rank_of(dst), channel(slot), std::move(message))});
}

void EnvContext::post_recv(EnvBuffer& buffer, std::vector<int> srcs, std::uint64_t slot,
                           std::size_t offset, std::size_t nbytes) {
  COMMSIM_CHECK(!srcs.empty(), "gloo receive from no rank");
  for (const int src : srcs) world_rank_of(src);  // checks it is a member
  posted_.push_back(PostedRecv{&buffer, std::move(srcs), slot, offset, nbytes});
}

void EnvContext::complete_one_recv(EnvBuffer& buffer, double timeout) {
  const auto oldest = std::find_if(posted_.begin(), posted_.end(), [&](const PostedRecv& posted) {
    return posted.buffer == &buffer;
  });
  COMMSIM_CHECK(oldest != posted_.end(), "gloo waitRecv with no receive posted");
  // Any sender this buffer awaits on that slot may come first.
  const std::uint64_t slot = oldest->slot;
  std::vector<int> world_srcs;
  for (const PostedRecv& posted : posted_) {
    if (posted.buffer != &buffer || posted.slot != slot) continue;
    for (const int src : posted.srcs) {
      const int world = world_rank_of(src);
      if (std::find(world_srcs.begin(), world_srcs.end(), world) == world_srcs.end()) {
        world_srcs.push_back(world);
      }
    }
  }
  Message message = env_.recv_any(world_srcs, channel(slot), timeout);
  const auto src_rank = static_cast<int>(
      std::find(world_ranks_.begin(), world_ranks_.end(), message.src) - world_ranks_.begin());
  // The sender's messages on a slot fill that slot's receives accepting it in the order posted.
  const auto owner = std::find_if(posted_.begin(), posted_.end(), [&](const PostedRecv& posted) {
    return posted.slot == slot &&
           std::find(posted.srcs.begin(), posted.srcs.end(), src_rank) != posted.srcs.end();
  });
  COMMSIM_CHECK(owner != posted_.end(), "gloo message with no receive");
  COMMSIM_CHECK(message.wire_bytes == owner->nbytes,
                "gloo message of " + std::to_string(message.wire_bytes) +
                    " bytes for a receive of " + std::to_string(owner->nbytes));
  if (message.payload && !message.payload->empty()) {
    std::memcpy(static_cast<std::byte*>(owner->buffer->ptr) + owner->offset,
                message.payload->data(), message.payload->size());
  }
  EnvBuffer& done = *owner->buffer;
  posted_.erase(owner);
  ++done.recv_completions_;
  done.last_recv_rank_ = src_rank;
}

void EnvContext::forget(EnvBuffer& buffer) {
  // A buffer destroyed with receives posted (an abandoned operation) withdraws them.
  std::erase_if(posted_, [&](const PostedRecv& posted) { return posted.buffer == &buffer; });
}

// ---- EnvDevice ----

EnvDevice::EnvDevice(RankEnv& env, std::string group, std::vector<int> world_ranks, bool phantom)
    : env_(env),
      group_(std::move(group)),
      world_ranks_(std::move(world_ranks)),
      phantom_(phantom) {}

std::shared_ptr<::gloo::transport::Context> EnvDevice::createContext(int own_rank, int members) {
  COMMSIM_CHECK(members == static_cast<int>(world_ranks_.size()), "gloo context of another size");
  return std::make_shared<EnvContext>(env_, group_, world_ranks_, own_rank, phantom_);
}

}  // namespace commsim::comm::gloo_transport
