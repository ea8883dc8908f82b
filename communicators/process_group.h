// ProcessGroup: one torch.distributed process group on the gloo backend, over the RankEnv's
// transport. This is vLLM's `cpu_group` / `device_group` on CPU.
//
// Every operation is blocking, as torch.distributed's default (non-async) calls are. Each kind of
// operation uses its own channel (`<group channel>/<op>`), so a rank that calls a different
// operation than its peers waits forever instead of consuming their messages: a divergence is a
// hang, as it is with gloo. Deliberately, there is no send_tensor_dict here: torch.distributed
// has none, and calling it is vLLM #37933's AttributeError (see CpuCommunicator).
// One ProcessGroup per (group, member rank); not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "communicators/object_codec.h"
#include "communicators/rank_env.h"
#include "communicators/reduce_ops.h"
#include "communicators/tensor.h"

namespace commsim::comm {

class ProcessGroup {
 public:
  // `channel` names the group on the wire and must be the same on every member, e.g.
  // "pp:0[0-1]/cpu". `ranks` are global ranks in group order. REQUIRES: env's rank is a member.
  ProcessGroup(RankEnv& env, std::string channel, std::vector<int> ranks);

  int rank() const { return rank_; }  // this process's rank in the group
  int size() const { return static_cast<int>(ranks_.size()); }
  const std::vector<int>& ranks() const { return ranks_; }
  const std::string& channel() const { return channel_; }

  // torch.distributed.send(tensor, dst): `dst_global` is a global rank.
  void send(const Tensor& tensor, int dst_global);
  // torch.distributed.recv(tensor, src): fills `tensor` (its bytes; phantom stays phantom) and
  // returns the sender's global rank. Throws RuntimeError when the byte counts differ.
  int recv(Tensor& tensor, int src_global);

  void barrier();
  // torch.distributed.all_reduce, in place, with the ring algorithm (reduce-scatter, then
  // all-gather) over size() nearly equal chunks. Every rank ends with the same bytes.
  void all_reduce(Tensor& tensor, ReduceOp op);
  // torch.distributed.all_gather_object: every member's object, in group order.
  std::vector<ObjectBytes> all_gather_object(const ObjectBytes& object);
  // torch.distributed.all_gather_into_tensor: `output` holds size() copies of `input`'s shape,
  // rank-major. REQUIRES: output.numel() == size() * input.numel(), same dtype.
  void all_gather_into_tensor(Tensor& output, const Tensor& input);

 private:
  std::string op_channel(const char* op) const { return channel_ + "/" + op; }

  RankEnv& env_;
  std::string channel_;
  std::vector<int> ranks_;
  int rank_ = -1;
};

}  // namespace commsim::comm
