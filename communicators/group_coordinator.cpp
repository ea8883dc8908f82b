#include "communicators/group_coordinator.h"

#include <cstdio>

#include "communicators/errors.h"

namespace commsim::comm {
namespace {

// A short tag of the group's members for its channel names, the same on every member: the list
// itself for small groups, else the first and last rank, the size and an FNV-1a hash of the list
// (channel names are looked up for every message, so they must stay short).
std::string ranks_suffix(const std::vector<int>& ranks) {
  std::string out = "[";
  if (ranks.size() <= 8) {
    for (std::size_t i = 0; i < ranks.size(); ++i) {
      out += (i > 0 ? "-" : "") + std::to_string(ranks[i]);
    }
    return out + "]";
  }
  std::uint64_t hash = 14695981039346656037ULL;
  for (const int rank : ranks) {
    hash = (hash ^ static_cast<std::uint32_t>(rank)) * 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return out + std::to_string(ranks.front()) + ".." + std::to_string(ranks.back()) + "x" +
         std::to_string(ranks.size()) + "#" + hex + "]";
}

}  // namespace

bool custom_send_recv(const Policy& policy, bool has_init_shm_manager,
                      bool communicator_supports_tensor_dict) {
  switch (policy.custom_send_recv_rule) {
    case CustomSendRecvRule::kOpPresent:
      return has_init_shm_manager;
    case CustomSendRecvRule::kSupportsTensorDict:
      return communicator_supports_tensor_dict;
  }
  return false;
}

GroupCoordinator::GroupCoordinator(RankEnv& env, const Policy& policy, std::string unique_name,
                                   std::vector<int> ranks, bool use_device_communicator,
                                   const DecisionObserver& on_decided,
                                   bool use_message_queue_broadcaster)
    : env_(env),
      policy_(policy),
      unique_name_(std::move(unique_name)),
      cpu_group_(env, unique_name_ + ranks_suffix(ranks) + "/cpu", ranks),
      device_group_(env, unique_name_ + ranks_suffix(ranks) + "/device", ranks) {
  OpScope scope(env_, "GroupCoordinator.__init__", unique_name_);
  if (use_device_communicator && world_size() > 1) {
    device_communicator_ =
        std::make_unique<CpuCommunicator>(env_, policy_, unique_name_, device_group_, on_decided);
  }
  // parallel_state.py:383-389 @ 2aab9acf4: after the device communicator.
  if (use_message_queue_broadcaster && world_size() > 1) {
    mq_broadcaster_ = create_message_queue(env_, cpu_group_, unique_name_);
  }
  // Every process here is a CPU process (current_platform.is_cpu()).
  use_cpu_custom_send_recv_ = custom_send_recv(
      policy_, env_.node().has_init_shm_manager,
      device_communicator_ != nullptr && device_communicator_->supports_tensor_dict());
}

void GroupCoordinator::send_object(const ObjectBytes& object, int dst) {
  OpScope scope(env_, "send_object", unique_name_);
  if (dst >= world_size()) throw AssertionError("Invalid dst rank (" + std::to_string(dst) + ")");
  if (dst == rank_in_group()) {
    throw AssertionError(
        "Invalid destination rank. Destination rank is the same as the current rank.");
  }
  Tensor size = Tensor::zeros(DType::kI64, {1});
  size.data<std::int64_t>()[0] = static_cast<std::int64_t>(object.size());
  const Tensor payload =
      Tensor::from_bytes(DType::kU8, {static_cast<std::int64_t>(object.size())}, object);
  const int peer = ranks()[static_cast<std::size_t>(dst)];
  cpu_group_.send(size, peer);
  cpu_group_.send(payload, peer);
}

ObjectBytes GroupCoordinator::recv_object(int src) {
  OpScope scope(env_, "recv_object", unique_name_);
  if (src >= world_size()) throw AssertionError("Invalid src rank (" + std::to_string(src) + ")");
  if (src == rank_in_group()) {
    throw AssertionError("Invalid source rank. Source rank is the same as the current rank.");
  }
  const int peer = ranks()[static_cast<std::size_t>(src)];
  Tensor size = Tensor::zeros(DType::kI64, {1});
  const int rank_size = cpu_group_.recv(size, peer);
  Tensor payload = Tensor::zeros(DType::kU8, {size.data<std::int64_t>()[0]});
  const int rank_object = cpu_group_.recv(payload, peer);
  if (rank_object != rank_size) {
    throw AssertionError("Received object sender rank does not match the size sender rank.");
  }
  const auto bytes = payload.bytes();
  return ObjectBytes(bytes.begin(), bytes.end());
}

bool GroupCoordinator::should_use_all_gather(
    const std::string& key, std::int64_t numel, const GroupCoordinator* all_gather_group,
    const std::map<std::string, bool>* all_gather_tensors) {
  if (all_gather_group == nullptr) return false;
  bool use_all_gather = numel % all_gather_group->world_size() == 0;
  if (all_gather_tensors != nullptr) {
    const auto it = all_gather_tensors->find(key);
    if (it != all_gather_tensors->end()) use_all_gather = it->second;
  }
  return use_all_gather;
}

WorkList GroupCoordinator::isend_tensor_dict(
    const TensorDict& tensor_dict, std::optional<int> dst, GroupCoordinator* all_gather_group,
    const std::map<std::string, bool>* all_gather_tensors) {
  OpScope scope(env_, "isend_tensor_dict", unique_name_);
  if (world_size() <= 1) return {};
  const int to = dst.value_or((rank_in_group() + 1) % world_size());
  if (to >= world_size()) throw AssertionError("Invalid dst rank (" + std::to_string(to) + ")");

  if (use_cpu_custom_send_recv_) {
    if (!device_communicator_) throw ValueError("No device communicator found");
    device_communicator_->send_tensor_dict(tensor_dict, to);  // synchronous
    return {};
  }

  const int ag_size = all_gather_group ? all_gather_group->world_size() : 1;
  const int ag_rank = all_gather_group ? all_gather_group->rank_in_group() : 0;
  // _split_tensor_dict: metadata for every key, tensors kept aside in dict order.
  MetadataList metadata;
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& [key, value] : tensor_dict.entries()) {
    if (const auto* tensor = std::get_if<Tensor>(&value)) {
      // A phantom tensor travels as PyTorch's "meta" device: a shape and a dtype, no data.
      metadata.emplace_back(key, TensorMetadata{tensor->is_phantom() ? "meta" : "cpu",
                                                tensor->dtype(), tensor->shape()});
      tensors.emplace_back(key, *tensor);
    } else {
      metadata.emplace_back(key, to_plain(value));
    }
  }
  send_object(encode_metadata(metadata), to);
  const int peer = ranks()[static_cast<std::size_t>(to)];
  WorkList handles;
  for (const auto& [key, tensor] : tensors) {
    if (tensor.numel() == 0) continue;  // the receiver recreates empty tensors
    const Tensor wire =
        should_use_all_gather(key, tensor.numel(), all_gather_group, all_gather_tensors)
            ? tensor.row_block(ag_size, ag_rank)
            : tensor;
    handles.push_back(cpu_group_.isend(wire, peer));
  }
  return handles;
}

GroupCoordinator::PendingTensorDict GroupCoordinator::irecv_tensor_dict(
    std::optional<int> src, GroupCoordinator* all_gather_group,
    const std::map<std::string, bool>* all_gather_tensors) {
  OpScope scope(env_, "irecv_tensor_dict", unique_name_);
  PendingTensorDict pending;
  if (world_size() == 1) return pending;
  const int from = src.value_or((rank_in_group() - 1 + world_size()) % world_size());
  if (from >= world_size()) throw AssertionError("Invalid src rank (" + std::to_string(from) + ")");

  if (use_cpu_custom_send_recv_) {
    if (!device_communicator_) throw ValueError("No device communicator found");
    pending.dict = device_communicator_->recv_tensor_dict(from);  // synchronous
    return pending;
  }

  const int ag_size = all_gather_group ? all_gather_group->world_size() : 1;
  const int ag_rank = all_gather_group ? all_gather_group->rank_in_group() : 0;
  const int peer = ranks()[static_cast<std::size_t>(from)];
  TensorDict& out = pending.dict.emplace();
  for (const auto& [key, value] : decode_metadata(recv_object(from))) {
    const auto* meta = std::get_if<TensorMetadata>(&value);
    if (!meta) {
      out.set(key, from_plain(std::get<PlainValue>(value)));
      continue;
    }
    const Tensor full = meta->device == "meta" ? Tensor::phantom(meta->dtype, meta->size)
                                               : Tensor::zeros(meta->dtype, meta->size);
    if (full.numel() == 0) {
      out.set(key, full);
      continue;
    }
    if (should_use_all_gather(key, full.numel(), all_gather_group, all_gather_tensors)) {
      const Tensor slice = full.row_block(ag_size, ag_rank);
      pending.handles.push_back(cpu_group_.irecv(slice, peer));
      pending.postprocess.push_back(
          // The key is copied by an init-capture: a structured binding is not capturable by name
          // before C++20 compilers caught up (clang 14).
          [name = key, slice, shape = meta->size, all_gather_group](TensorDict& dict) {
            dict.set(name, all_gather_group->all_gather(slice, 0).reshape(shape));
          });
      out.set(key, slice);
    } else {
      pending.handles.push_back(cpu_group_.irecv(full, peer));
      out.set(key, full);
    }
  }
  return pending;
}

std::optional<TensorDict> GroupCoordinator::wait_for_comm(PendingTensorDict& pending) {
  OpScope scope(env_, "AsyncIntermediateTensors.wait_for_comm", unique_name_);
  for (const std::unique_ptr<Work>& handle : pending.handles) handle->wait();
  pending.handles.clear();
  if (pending.dict) {
    for (const auto& step : pending.postprocess) step(*pending.dict);
  }
  pending.postprocess.clear();
  return pending.dict;
}

void GroupCoordinator::wait_sends(WorkList& handles) {
  if (handles.empty()) return;
  OpScope scope(env_, "Work.wait", unique_name_);
  for (const std::unique_ptr<Work>& handle : handles) handle->wait();
  handles.clear();
}

std::optional<TensorDict> GroupCoordinator::send_tensor_dict(
    const TensorDict& tensor_dict, std::optional<int> dst, GroupCoordinator* all_gather_group,
    const std::map<std::string, bool>* all_gather_tensors) {
  OpScope scope(env_, "send_tensor_dict", unique_name_);
  if (world_size() == 1) return tensor_dict;
  WorkList handles = isend_tensor_dict(tensor_dict, dst, all_gather_group, all_gather_tensors);
  for (const std::unique_ptr<Work>& handle : handles) handle->wait();
  return std::nullopt;
}

std::optional<TensorDict> GroupCoordinator::recv_tensor_dict(
    std::optional<int> src, GroupCoordinator* all_gather_group,
    const std::map<std::string, bool>* all_gather_tensors) {
  OpScope scope(env_, "recv_tensor_dict", unique_name_);
  if (world_size() == 1) return std::nullopt;
  PendingTensorDict pending = irecv_tensor_dict(src, all_gather_group, all_gather_tensors);
  for (const std::unique_ptr<Work>& handle : pending.handles) handle->wait();
  if (pending.dict) {
    for (const auto& step : pending.postprocess) step(*pending.dict);
  }
  return pending.dict;
}

// GroupCoordinator.all_gather (parallel_state.py:523-542 @ 2aab9acf4): the input itself for one
// rank; vLLM's assert on the dim; ValueError without a device communicator.
Tensor GroupCoordinator::all_gather(const Tensor& input, int dim) {
  if (world_size() == 1) return input;
  const auto dims = static_cast<int>(input.dim());
  if (!(-dims <= dim && dim < dims)) {
    throw AssertionError("Invalid dim (" + std::to_string(dim) +
                         ") for input tensor with shape torch.Size(" +
                         shape_to_string(input.shape()) + ")");
  }
  if (!device_communicator_) throw ValueError("No device communicator found");
  return device_communicator_->all_gather(input, dim);
}

void GroupCoordinator::all_reduce(Tensor& tensor) {
  OpScope scope(env_, "all_reduce", unique_name_);
  if (world_size() == 1) return;
  COMMSIM_CHECK(device_communicator_ != nullptr, "all_reduce needs a device communicator");
  device_communicator_->all_reduce(tensor);
}

std::optional<Tensor> GroupCoordinator::gather(const Tensor& input, int dst, int dim) {
  OpScope scope(env_, "gather", unique_name_);
  if (world_size() == 1) return input;
  if (!device_communicator_) throw ValueError("No device communicator found");
  return device_communicator_->gather(input, dst, dim);
}

Tensor GroupCoordinator::reduce_scatter(const Tensor& input, int dim) {
  OpScope scope(env_, "reduce_scatter", unique_name_);
  if (world_size() == 1) return input;
  const auto dims = static_cast<int>(input.dim());
  if (!(-dims <= dim && dim < dims)) {
    throw AssertionError("Invalid dim (" + std::to_string(dim) +
                         ") for input tensor with shape torch.Size(" +
                         shape_to_string(input.shape()) + ")");
  }
  if (!device_communicator_) throw ValueError("No device communicator found");
  return device_communicator_->reduce_scatter(input, dim);
}

void GroupCoordinator::broadcast(Tensor& tensor, int src) {
  OpScope scope(env_, "broadcast", unique_name_);
  if (src >= world_size()) throw AssertionError("Invalid src rank (" + std::to_string(src) + ")");
  if (world_size() == 1) return;
  device_group_.broadcast(tensor, src);
}

void GroupCoordinator::barrier() {
  OpScope scope(env_, "barrier", unique_name_);
  cpu_group_.barrier();
}

void GroupCoordinator::send(const Tensor& tensor, std::optional<int> dst) {
  OpScope scope(env_, "send", unique_name_);
  if (!device_communicator_) throw ValueError("No device communicator found");
  device_communicator_->send(tensor, dst);
}

Tensor GroupCoordinator::recv(const Shape& shape, DType dtype, std::optional<int> src) {
  OpScope scope(env_, "recv", unique_name_);
  if (!device_communicator_) throw ValueError("No device communicator found");
  return device_communicator_->recv(shape, dtype, src);
}

void GroupCoordinator::all_gatherv() {
  OpScope scope(env_, "all_gatherv", unique_name_);
  if (!device_communicator_) throw ValueError("No device communicator found");
  device_communicator_->all_gatherv();
}

void GroupCoordinator::reduce_scatterv() {
  OpScope scope(env_, "reduce_scatterv", unique_name_);
  if (!device_communicator_) throw ValueError("No device communicator found");
  device_communicator_->reduce_scatterv();
}

void GroupCoordinator::shutdown() {
  if (device_communicator_) device_communicator_->shutdown();
}

}  // namespace commsim::comm
