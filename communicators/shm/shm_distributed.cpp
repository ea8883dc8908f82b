#include "communicators/shm/shm_distributed.h"

#include "communicators/errors.h"
#include "communicators/object_codec.h"
#include "communicators/shm/shm_ops.h"

namespace commsim::comm::shm {

ShmDistributed::ShmDistributed(RankEnv& env, const Policy& policy, ProcessGroup& device_group,
                               const std::string& group_name, const std::string& unique_name)
    : env_(env), policy_(policy), unique_name_(unique_name) {
  int thread_num = env_.node().num_threads;
  if (policy_.thread_num_min_allreduce) {
    OpScope scope(env_, "all_reduce(MIN thread count)", unique_name_);
    Tensor threads = Tensor::zeros(DType::kI64, {1});
    threads.data<std::int64_t>()[0] = thread_num;
    device_group.all_reduce(threads, ReduceOp::kMin);
    thread_num = static_cast<int>(threads.data<std::int64_t>()[0]);
  }
  {
    OpScope scope(env_, "init_shm_manager", unique_name_);
    manager_ = std::make_unique<ShmManager>(env_, group_name, device_group.size(),
                                            device_group.rank(), thread_num, device_group.ranks());
  }
  {
    OpScope scope(env_, "barrier", unique_name_);
    device_group.barrier();
  }
  {
    OpScope scope(env_, "join_shm_manager", unique_name_);
    manager_->join(group_name);
  }
  OpScope scope(env_, "barrier", unique_name_);
  device_group.barrier();
}

void ShmDistributed::all_reduce(Tensor& tensor) {
  OpScope scope(env_, "shm_allreduce", unique_name_);
  env_.annotate_op("algorithm", "shm");
  shm_allreduce(*manager_, tensor, policy_.shm_allreduce_world_sizes);
}

void ShmDistributed::gather(const Tensor& input, std::vector<Tensor>* outputs, int dst) {
  OpScope scope(env_, "shm_gather", unique_name_);
  env_.annotate_op("algorithm", "shm");
  shm_gather(*manager_, input, outputs, dst);
}

void ShmDistributed::all_gather_into_tensor(Tensor& output, const Tensor& input) {
  OpScope scope(env_, "shm_all_gather", unique_name_);
  env_.annotate_op("algorithm", "shm");
  shm_all_gather(*manager_, input, output);
}

void ShmDistributed::send_tensor_dict(const TensorDict& tensor_dict, int dst) {
  std::vector<Tensor> values;
  KeySizes key_sizes;
  for (const auto& [key, value] : tensor_dict.entries()) {
    const auto* tensor = std::get_if<Tensor>(&value);
    if (!tensor) throw RuntimeError("CpuCommunicator only supports sending tensors.");
    values.push_back(*tensor);
    key_sizes.emplace_back(key, tensor->shape());
  }
  const ObjectBytes pickled = encode_key_sizes(key_sizes);
  values.push_back(
      Tensor::from_bytes(DType::kU8, {static_cast<std::int64_t>(pickled.size())}, pickled));
  OpScope scope(env_, "shm_send_tensor_list", unique_name_);
  env_.annotate_op("algorithm", "shm");
  shm_send_tensor_list(*manager_, values, dst);
}

TensorDict ShmDistributed::recv_tensor_dict(int src) {
  std::vector<Tensor> list;
  {
    OpScope scope(env_, "shm_recv_tensor_list", unique_name_);
    env_.annotate_op("algorithm", "shm");
    list = shm_recv_tensor_list(*manager_, src);
  }
  COMMSIM_CHECK(!list.empty(), "tensor list without its key/size record");
  const KeySizes key_sizes = decode_key_sizes(list.back().bytes());
  list.pop_back();
  // `assert len(key_list) == len(value_list)` (cpu_communicator.py:334 @ 2aab9acf4): a bare
  // assert, so the AssertionError has no message.
  if (key_sizes.size() != list.size()) throw AssertionError("");
  TensorDict out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.set(key_sizes[i].first, list[i].reshape(key_sizes[i].second));
  }
  return out;
}

void ShmDistributed::shutdown() { manager_->unlink_all(); }

}  // namespace commsim::comm::shm
