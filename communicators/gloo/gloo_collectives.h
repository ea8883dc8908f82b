// GlooCollectives: the torch.distributed operations of one process group run by the real gloo
// library, called as PyTorch's ProcessGroupGloo calls it (docs/CONFORMANCE.md, "torch.distributed
// on gloo", cites each call). The messages are gloo's own, through the RankEnv transport
// (env_transport.h); real data goes through gloo's own reductions.
//
// Each collective takes the group's next tag, as ProcessGroupGloo's collective counter does, so
// collectives never match each other's messages; point-to-point operations use the caller's tag
// (0 by default), as torch.distributed.send / recv do.
// One per (group, member rank); used only by that rank.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "communicators/gloo/group_context.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::comm::gloo_transport {

class GlooCollectives {
 public:
  // `group` names the group on the wire; `world_ranks` in group order; `rank`: this process's
  // group rank; `timeout`: the process group's (every wait fails with gloo's text after it).
  GlooCollectives(RankEnv& env, std::string group, std::vector<int> world_ranks, int rank,
                  std::chrono::milliseconds timeout = kDefaultTimeout);

  int rank() const { return rank_; }
  int size() const { return static_cast<int>(world_ranks_.size()); }

  // gloo::allreduce (ring), in place.
  void all_reduce(Tensor& tensor, ReduceOp op);
  // gloo::allgather: output = every rank's input, rank-major.
  void all_gather_into_tensor(Tensor& output, const Tensor& input);
  // gloo::gather to group rank `root`: outputs[r] = rank r's input (root only).
  void gather(const Tensor& input, std::vector<Tensor>* outputs, int root);
  // gloo::broadcast from group rank `root`, in place.
  void broadcast(Tensor& tensor, int root);
  // gloo::barrier.
  void barrier();
  // reduce_scatter_tensor as ProcessGroupGloo builds it: an all-reduce of the whole input, then
  // this rank's chunk (the input split evenly: output.numel() * size == input.numel()).
  void reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op);
  // A point-to-point operation in flight: an unbound buffer over the tensor's bytes with its send
  // or receive posted. wait() returns the peer's group rank once it completes (for a receive,
  // with the bytes in the tensor) and throws what gloo throws.
  class P2P {
   public:
    virtual ~P2P() = default;
    virtual int wait() = 0;
  };
  // UnboundBuffer send / recv to and from group ranks with `tag` (torch.distributed.isend /
  // irecv). irecv_any accepts the first of the other ranks to send (recv without src).
  std::unique_ptr<P2P> isend(const Tensor& tensor, int dst, std::uint32_t tag = 0);
  std::unique_ptr<P2P> irecv(Tensor tensor, int src, std::uint32_t tag = 0);
  std::unique_ptr<P2P> irecv_any(Tensor tensor, std::uint32_t tag = 0);

 private:
  // The context for `tensor`'s kind of data (real or phantom), created on first use.
  const std::shared_ptr<GroupContext>& context_for(const Tensor& tensor);
  std::uint32_t next_tag() { return collective_counter_++; }
  std::unique_ptr<P2P> post(Tensor tensor, bool send, std::vector<int> peers, std::uint32_t tag);

  RankEnv& env_;
  std::string group_;
  std::vector<int> world_ranks_;
  int rank_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<GroupContext> real_;
  std::shared_ptr<GroupContext> phantom_;
  std::uint32_t collective_counter_ = 0;
};

}  // namespace commsim::comm::gloo_transport
