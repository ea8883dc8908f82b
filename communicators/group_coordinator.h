// GroupCoordinator: vLLM's per-group front end (vllm/distributed/parallel_state.py).
//
// It owns the group's two gloo process groups (cpu_group, device_group), its CpuCommunicator when
// the group has more than one rank, the use_cpu_custom_send_recv routing flag, and the generic
// tensor-dict path: a metadata object, then one send per non-empty tensor, optionally sliced by a
// TP `all_gather_group` and re-assembled on the receiver with that group's all_gather.
// One per (group, member rank); not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "communicators/cpu_communicator.h"
#include "communicators/message_queue.h"
#include "communicators/object_codec.h"
#include "communicators/policy.h"
#include "communicators/process_group.h"
#include "communicators/rank_env.h"
#include "communicators/tensor_dict.h"

namespace commsim::comm {

// GroupCoordinator.use_cpu_custom_send_recv on a CPU process under `policy`: the build has the
// op (<= v0.18.0), or the communicator supports the tensor-dict fast path (>= PR #40150).
bool custom_send_recv(const Policy& policy, bool has_init_shm_manager,
                      bool communicator_supports_tensor_dict);

class GroupCoordinator {
 public:
  // `unique_name` is e.g. "pp:0"; `ranks` are global ranks in group order and include this rank.
  // Builds the CpuCommunicator (and so runs backend selection) when use_device_communicator and
  // the group has more than one rank.
  // `on_decided` is passed to the CpuCommunicator (see cpu_communicator.h).
  // Then, with use_message_queue_broadcaster and more than one rank, creates the message-queue
  // broadcaster (message_queue.h), which runs collectives on cpu_group.
  GroupCoordinator(RankEnv& env, const Policy& policy, std::string unique_name,
                   std::vector<int> ranks, bool use_device_communicator,
                   const DecisionObserver& on_decided = {},
                   bool use_message_queue_broadcaster = false);

  const std::string& unique_name() const { return unique_name_; }
  const std::vector<int>& ranks() const { return cpu_group_.ranks(); }
  int world_size() const { return cpu_group_.size(); }
  int rank_in_group() const { return cpu_group_.rank(); }
  ProcessGroup& cpu_group() { return cpu_group_; }
  ProcessGroup& device_group() { return device_group_; }
  // nullptr when the group has no device communicator.
  CpuCommunicator* device_communicator() { return device_communicator_.get(); }
  const CpuCommunicator* device_communicator() const { return device_communicator_.get(); }
  bool use_cpu_custom_send_recv() const { return use_cpu_custom_send_recv_; }
  // This rank's end of the message-queue broadcaster; nullopt when the group has none.
  const std::optional<MessageQueueEnd>& mq_broadcaster() const { return mq_broadcaster_; }

  // Pickled-object point to point over cpu_group: an int64 size tensor, then the uint8 payload.
  // `dst`/`src` are group-local. REQUIRES (AssertionError otherwise): peer != self, peer < size.
  void send_object(const ObjectBytes& object, int dst);
  ObjectBytes recv_object(int src);

  // vLLM's isend_tensor_dict (parallel_state.py:851-906 @ 2aab9acf4): the metadata object goes
  // out blocking (send_object), then one isend per non-empty tensor, whose Work the caller waits
  // on. `dst` defaults to the next rank. On the custom (SHM) path the send is synchronous and the
  // list is empty. A group of one rank sends nothing and returns an empty list.
  // `all_gather_tensors` maps keys to whether they go sliced; nullptr means "by the rule"
  // (should_use_all_gather).
  WorkList isend_tensor_dict(const TensorDict& tensor_dict, std::optional<int> dst = std::nullopt,
                             GroupCoordinator* all_gather_group = nullptr,
                             const std::map<std::string, bool>* all_gather_tensors = nullptr);
  // vLLM's irecv_tensor_dict (parallel_state.py:946-1030 @ 2aab9acf4): receives the metadata
  // (blocking), allocates every tensor and posts one irecv per non-empty tensor; a sliced tensor
  // gets a postprocess step that all-gathers it over `all_gather_group` into the dict. Nothing
  // is readable before wait_for_comm. `dict` is nullopt for a group of one rank.
  struct PendingTensorDict {
    std::optional<TensorDict> dict;
    WorkList handles;
    std::vector<std::function<void(TensorDict&)>> postprocess;
  };
  PendingTensorDict irecv_tensor_dict(
      std::optional<int> src = std::nullopt, GroupCoordinator* all_gather_group = nullptr,
      const std::map<std::string, bool>* all_gather_tensors = nullptr);
  // AsyncIntermediateTensors.wait_for_comm (gpu_worker.py:87-96 @ 2aab9acf4): waits every handle,
  // then runs the postprocess steps in order; returns the dict.
  std::optional<TensorDict> wait_for_comm(PendingTensorDict& pending);
  // The worker's wait on its previous step's sends (gpu_worker.py:758-762 @ 2aab9acf4): every
  // handle's wait(), in order; `handles` ends empty.
  void wait_sends(WorkList& handles);

  // vLLM's blocking send_tensor_dict / recv_tensor_dict (parallel_state.py:813-849 and 908-944):
  // isend then wait every handle; irecv then wait_for_comm. send returns the input dict when the
  // group has one rank, else nullopt; recv returns nullopt when the group has one rank.
  std::optional<TensorDict> send_tensor_dict(
      const TensorDict& tensor_dict, std::optional<int> dst = std::nullopt,
      GroupCoordinator* all_gather_group = nullptr,
      const std::map<std::string, bool>* all_gather_tensors = nullptr);
  std::optional<TensorDict> recv_tensor_dict(
      std::optional<int> src = std::nullopt, GroupCoordinator* all_gather_group = nullptr,
      const std::map<std::string, bool>* all_gather_tensors = nullptr);

  // _should_use_all_gather (parallel_state.py:799-811 @ 2aab9acf4): false without a group; else
  // whether `numel` divides by the group's size, unless `all_gather_tensors` names `key`.
  static bool should_use_all_gather(const std::string& key, std::int64_t numel,
                                    const GroupCoordinator* all_gather_group,
                                    const std::map<std::string, bool>* all_gather_tensors);

  // GroupCoordinator.all_gather: the input itself when the group has one rank.
  Tensor all_gather(const Tensor& input, int dim);
  // GroupCoordinator.all_reduce: SUM, in place (CPU mutates the caller's tensor).
  void all_reduce(Tensor& tensor);

  // GroupCoordinator.gather (parallel_state.py:582-596 @ 2aab9acf4): the input itself when the
  // group has one rank; ValueError without a device communicator; else CpuCommunicator.gather.
  std::optional<Tensor> gather(const Tensor& input, int dst = 0, int dim = -1);
  // GroupCoordinator.reduce_scatter (:554-568, the out-of-place path :577-580): the input itself
  // for one rank; AssertionError for a bad dim; else the communicator's (inherited) one.
  Tensor reduce_scatter(const Tensor& input, int dim = -1);
  // GroupCoordinator.broadcast (:598-611): torch.distributed.broadcast on the device group from
  // group rank `src`, in place, bypassing the communicator. AssertionError when src >= size.
  void broadcast(Tensor& tensor, int src = 0);
  // GroupCoordinator.barrier (:1032-1039): torch.distributed.barrier on the cpu group.
  void barrier();
  // GroupCoordinator.send / recv (:1041-1055): through the device communicator (ValueError
  // without one), i.e. torch.distributed on the device group under both backends.
  void send(const Tensor& tensor, std::optional<int> dst = std::nullopt);
  Tensor recv(const Shape& shape, DType dtype, std::optional<int> src = std::nullopt);
  // GroupCoordinator.all_gatherv / reduce_scatterv (:544-552, :570-575): ValueError without a
  // device communicator, else the communicator's NotImplementedError.
  [[noreturn]] void all_gatherv();
  [[noreturn]] void reduce_scatterv();

  // Process exit (GroupCoordinator.destroy and the SHM manager's destructor).
  void shutdown();

 private:
  RankEnv& env_;
  const Policy& policy_;
  std::string unique_name_;
  ProcessGroup cpu_group_;
  ProcessGroup device_group_;
  std::unique_ptr<CpuCommunicator> device_communicator_;
  bool use_cpu_custom_send_recv_ = false;
  std::optional<MessageQueueEnd> mq_broadcaster_;
};

}  // namespace commsim::comm
