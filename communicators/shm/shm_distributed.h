// ShmDistributed: vLLM's _CPUSHMDistributed, the shared-memory `dist_module` of a CpuCommunicator.
//
// Construction is vLLM's initialisation sequence on the group's device_group (every rank must
// run it in the same order): the MIN all-reduce of thread counts (PR #33317; a policy switch),
// init_shm_manager, barrier, join_shm_manager, barrier.
// One per (group, member rank); not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "communicators/process_group.h"
#include "communicators/rank_env.h"
#include "communicators/shm/shm_manager.h"
#include "communicators/tensor_dict.h"

namespace commsim::comm::shm {

class ShmDistributed {
 public:
  // `group_name` is CpuCommunicator.make_group_name(). Throws what the sequence throws (errno 2
  // at join for a group that spans nodes, errno 17 for a stale segment, ...).
  ShmDistributed(RankEnv& env, const Policy& policy, ProcessGroup& device_group,
                 const std::string& group_name, const std::string& unique_name);

  int thread_num() const { return manager_->thread_num(); }
  ShmManager& manager() { return *manager_; }

  void all_reduce(Tensor& tensor);
  // gather: `dst` is group-local here (vLLM converts the global dst back). outputs only on dst.
  void gather(const Tensor& input, std::vector<Tensor>* outputs, int dst);
  void all_gather_into_tensor(Tensor& output, const Tensor& input);
  // The fast path. Non-tensor values raise RuntimeError("CpuCommunicator only supports sending
  // tensors.") before anything is written. `dst`/`src` are group-local.
  void send_tensor_dict(const TensorDict& tensor_dict, int dst);
  TensorDict recv_tensor_dict(int src);

  // Process exit: the manager unlinks every segment name it knows.
  void shutdown();

 private:
  RankEnv& env_;
  const Policy& policy_;
  std::string unique_name_;
  std::unique_ptr<ShmManager> manager_;
};

}  // namespace commsim::comm::shm
