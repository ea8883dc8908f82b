// ProcessGroup: one torch.distributed process group on the gloo backend, over the RankEnv's
// transport. This is vLLM's `cpu_group` / `device_group` on CPU.
//
// Every operation is blocking, as torch.distributed's default (non-async) calls are. Each kind of
// operation uses its own channel (`<group channel>/<op>`), so a rank that calls a different
// operation than its peers waits instead of consuming their messages, as it does with gloo. Waits
// fail as gloo's do (collectives/group_link.h), whichever library runs the group: once a peer's
// process has ended, a receive from it raises gloo's "Connection closed by peer" RuntimeError,
// and a wait longer than the process group's timeout (NodeFacts::dist_timeout) raises
// ProcessGroupTimeout. Deliberately, there is no send_tensor_dict here: torch.distributed
// has none, and calling it is vLLM #37933's AttributeError (see CpuCommunicator).
// The collectives are commsim's own (communicators/collectives/) or, when the node's
// NodeFacts::dist_impl says so, the real gloo library's (communicators/gloo/), called as PyTorch's
// ProcessGroupGloo calls it.
// One ProcessGroup per (group, member rank); not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "communicators/collectives/collectives.h"
#include "communicators/gloo/gloo_collectives.h"
#include "communicators/object_codec.h"
#include "communicators/rank_env.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::comm {

// torch.distributed's Work: a point-to-point operation in flight. wait() returns once it is
// complete (a send delivered, a receive's bytes in its tensor) and may throw what the blocking call
// throws; waiting again does nothing.
class Work {
 public:
  virtual ~Work() = default;
  virtual void wait() = 0;
};
using WorkList = std::vector<std::unique_ptr<Work>>;

class ProcessGroup {
 public:
  // `channel` names the group on the wire and must be the same on every member, e.g.
  // "pp:0[0-1]/cpu". `ranks` are global ranks in group order. REQUIRES: env's rank is a member.
  ProcessGroup(RankEnv& env, std::string channel, std::vector<int> ranks);
  ~ProcessGroup();
  ProcessGroup(ProcessGroup&&) noexcept;
  ProcessGroup& operator=(ProcessGroup&&) = delete;
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  // "gloo" or "commsim": what runs this group's operations.
  std::string_view library() const { return gloo_ ? "gloo" : "commsim"; }

  int rank() const { return rank_; }  // this process's rank in the group
  int size() const { return static_cast<int>(ranks_.size()); }
  const std::vector<int>& ranks() const { return ranks_; }
  const std::string& channel() const { return channel_; }

  // torch.distributed.send(tensor, dst): `dst_global` is a global rank.
  void send(const Tensor& tensor, int dst_global);
  // torch.distributed.recv(tensor, src): fills `tensor` (its bytes; phantom stays phantom) and
  // returns the sender's global rank. Throws RuntimeError when the byte counts differ.
  int recv(Tensor& tensor, int src_global);
  // torch.distributed.isend / irecv: the same messages as send / recv, but the caller goes on and
  // waits on the returned Work. An irecv fills `tensor` (a view shares its storage) when waited:
  // messages are delivered to the receiver's side whether or not it has posted its receive, so
  // receiving at wait() completes at the same simulated time as a receive posted earlier.
  std::unique_ptr<Work> isend(const Tensor& tensor, int dst_global);
  std::unique_ptr<Work> irecv(Tensor tensor, int src_global);

  void barrier();
  // torch.distributed.all_reduce, in place; every rank ends with the same bytes. kAuto picks
  // recursive doubling for small tensors and the ring for large ones (collectives.h).
  void all_reduce(
      Tensor& tensor, ReduceOp op,
      collectives::AllReduceAlgorithm algorithm = collectives::AllReduceAlgorithm::kAuto);
  // torch.distributed.reduce_scatter: output = this rank's chunk of the reduced input.
  void reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op);
  // torch.distributed.broadcast from group rank `root` (binomial tree).
  void broadcast(Tensor& tensor, int root);
  // torch.distributed.gather to group rank `root`: outputs[r] = rank r's input (root only).
  void gather(const Tensor& input, std::vector<Tensor>* outputs, int root);
  // torch.distributed.broadcast_object_list of one object from group rank `root`: a broadcast of
  // the pickle's size (int64), then of the pickle (uint8). `object` is the root's input and every
  // other member's output.
  void broadcast_object(ObjectBytes& object, int root);
  // torch.distributed.all_gather_object: every member's object, in group order.
  std::vector<ObjectBytes> all_gather_object(const ObjectBytes& object);
  // torch.distributed.all_gather_into_tensor (ring): `output` holds every rank's input,
  // rank-major. REQUIRES: output.numel() == size() * input.numel(), same dtype.
  void all_gather_into_tensor(Tensor& output, const Tensor& input);

 private:
  std::string op_channel(const char* op) const { return channel_ + "/" + op; }
  collectives::GroupLink link_for(const char* op) const;
  int group_rank_of(int global_rank) const;

  RankEnv& env_;
  std::string channel_;
  std::vector<int> ranks_;
  int rank_ = -1;
  std::chrono::milliseconds timeout_;  // the process group's timeout, as gloo's context has it
  std::unique_ptr<gloo_transport::GlooCollectives> gloo_;  // set when gloo runs the group
};

}  // namespace commsim::comm
