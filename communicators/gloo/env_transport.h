// A gloo transport over the RankEnv seam: gloo's own algorithms (allreduce, allgather, gather,
// broadcast, barrier, ...) run unchanged on a rank of commsim, and every byte they send is a
// RankEnv message, so under the simulator a SimGrid message between the ranks' hosts.
//
// Implements gloo's transport interface (gloo/transport/{device,context,pair,unbound_buffer}.h)
// for the new-style "unbound buffer" operations that gloo's collectives use:
// - send(dst, slot, offset, n) posts a message now on channel "gloo|<group>|<slot>" (a copy of
//   the bytes, so the buffer may change once the send is posted, as gloo allows after waitSend);
// - recv(src or srcs, slot, offset, n) posts a receive; messages are matched to receives when
//   waited for, each sender's in the order sent, to the oldest posted receive of that slot that
//   accepts the sender (a TCP stream's order, which gloo's ring relies on);
// - waitRecv / waitSend block the rank through RankEnv (simulated time), and when the timeout
//   (the context's, unless given) passes, throw gloo::IoException with gloo's TCP transport's text.
// Phantom mode (a context over phantom tensors): messages carry their size but no bytes.
// One transport context per (group, rank); used only by that rank's code, so nothing locks.
#pragma once

#include <gloo/transport/context.h>
#include <gloo/transport/device.h>
#include <gloo/transport/pair.h>
#include <gloo/transport/unbound_buffer.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "communicators/rank_env.h"

namespace commsim::comm::gloo_transport {

class EnvContext;

// A gloo UnboundBuffer whose operations go through its EnvContext.
class EnvBuffer final : public ::gloo::transport::UnboundBuffer {
 public:
  EnvBuffer(EnvContext& context, void* data, std::size_t bytes);
  ~EnvBuffer() override;

  bool waitRecv(int* rank, std::chrono::milliseconds timeout) override;
  bool waitSend(int* rank, std::chrono::milliseconds timeout) override;
  void abortWaitRecv() override { abort_recv_ = true; }
  void abortWaitSend() override { abort_send_ = true; }
  void send(int dst_rank, std::uint64_t slot, std::size_t offset, std::size_t nbytes) override;
  void recv(int src_rank, std::uint64_t slot, std::size_t offset, std::size_t nbytes) override;
  void recv(std::vector<int> src_ranks, std::uint64_t slot, std::size_t offset,
            std::size_t nbytes) override;

 private:
  friend class EnvContext;
  EnvContext& context_;
  struct InFlightSend {
    int dst = -1;  // group rank
    std::unique_ptr<PendingSend> pending;
  };
  std::deque<InFlightSend> sends_;
  int recv_completions_ = 0;
  int last_recv_rank_ = -1;
  bool abort_recv_ = false;
  bool abort_send_ = false;
};

// A gloo Pair to one peer: forwards unbound-buffer operations to the context. The old-style bound
// buffers (createSendBuffer / createRecvBuffer), which PyTorch's collectives do not use, are
// refused.
class EnvPair final : public ::gloo::transport::Pair {
 public:
  EnvPair(EnvContext& context, int peer);
  const ::gloo::transport::Address& address() const override;
  void connect(const std::vector<char>& /*bytes*/) override {}
  void close() override {}
  void setSync(bool /*enable*/, bool /*busy_poll*/) override {}
  std::unique_ptr<::gloo::transport::Buffer> createSendBuffer(int slot, void* ptr,
                                                              std::size_t size) override;
  std::unique_ptr<::gloo::transport::Buffer> createRecvBuffer(int slot, void* ptr,
                                                              std::size_t size) override;
  void send(::gloo::transport::UnboundBuffer* buf, std::uint64_t tag, std::size_t offset,
            std::size_t nbytes) override;
  void recv(::gloo::transport::UnboundBuffer* buf, std::uint64_t tag, std::size_t offset,
            std::size_t nbytes) override;

 private:
  int peer_;
  std::unique_ptr<::gloo::transport::Address> address_;
};

// The transport context of one rank in one group: the group's world ranks, the rank's pairs and
// its posted receives.
class EnvContext final : public ::gloo::transport::Context {
 public:
  // `group` names the group on the wire (the same on every member); `world_ranks[r]` is group
  // rank r's world rank; `rank` is this process's group rank.
  EnvContext(RankEnv& env, std::string group, std::vector<int> world_ranks, int own_rank,
             bool phantom);

  std::unique_ptr<::gloo::transport::Pair>& createPair(int peer) override;
  std::unique_ptr<::gloo::transport::UnboundBuffer> createUnboundBuffer(void* data,
                                                                        std::size_t bytes) override;

  const std::string& group() const { return group_; }
  int world_rank_of(int group_rank) const;

 private:
  friend class EnvBuffer;
  struct PostedRecv {
    EnvBuffer* buffer = nullptr;
    std::vector<int> srcs;  // group ranks it accepts
    std::uint64_t slot = 0;
    std::size_t offset = 0;
    std::size_t nbytes = 0;
  };
  std::string channel(std::uint64_t slot) const;
  void post_send(EnvBuffer& buffer, int dst, std::uint64_t slot, std::size_t offset,
                 std::size_t nbytes);
  void post_recv(EnvBuffer& buffer, std::vector<int> srcs, std::uint64_t slot, std::size_t offset,
                 std::size_t nbytes);
  // Receives one message for `buffer`'s oldest posted receive's slot and completes the receive
  // it belongs to (maybe another buffer's). Throws WaitTimedOut after `timeout` seconds.
  void complete_one_recv(EnvBuffer& buffer, double timeout);
  double seconds(std::chrono::milliseconds timeout) const;
  void forget(EnvBuffer& buffer);

  RankEnv& env_;
  std::string group_;
  std::vector<int> world_ranks_;
  bool phantom_;
  std::deque<PostedRecv> posted_;  // in the order posted
};

// The gloo transport Device handing out EnvContexts for one group.
class EnvDevice final : public ::gloo::transport::Device {
 public:
  EnvDevice(RankEnv& env, std::string group, std::vector<int> world_ranks, bool phantom);
  std::string str() const override { return "commsim:" + group_; }
  const std::string& getPCIBusID() const override { return pci_bus_id_; }
  std::shared_ptr<::gloo::transport::Context> createContext(int own_rank, int members) override;

 private:
  RankEnv& env_;
  std::string group_;
  std::vector<int> world_ranks_;
  bool phantom_;
  std::string pci_bus_id_;  // none: not a PCI device
};

}  // namespace commsim::comm::gloo_transport
