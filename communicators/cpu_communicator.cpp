#include "communicators/cpu_communicator.h"

#include <algorithm>
#include <set>

#include "communicators/errors.h"

namespace commsim::comm {

bool supports_tensor_dict(const Policy& policy, Backend backend) {
  return policy.has_supports_tensor_dict && backend == Backend::kShm;
}

std::string shm_group_name(std::string_view dist_ident, std::string_view unique_name,
                           const std::vector<int>& ranks) {
  std::string joined;
  for (int r : ranks) joined += (joined.empty() ? "" : "-") + std::to_string(r);
  return std::string(dist_ident) + "-" + std::string(unique_name) + "-[" + joined + "]-cpushm";
}

CpuCommunicator::CpuCommunicator(RankEnv& env, const Policy& policy, std::string unique_name,
                                 ProcessGroup& device_group, const DecisionObserver& on_decided)
    : env_(env),
      policy_(policy),
      unique_name_(std::move(unique_name)),
      device_group_(device_group) {
  OpScope scope(env_, "CpuCommunicator.__init__", unique_name_);
  const NodeFacts& node = env_.node();
  decision_ = select_backend(policy_, node.arch, node.has_init_shm_manager, unique_name_,
                             [this] { return all_ranks_share_shm_group_name(); });
  if (decision_.info_log) env_.log(LogLevel::kInfo, kLogger, *decision_.info_log);
  if (on_decided) on_decided(decision_);
  if (decision_.backend == Backend::kShm) {
    shm_ = std::make_unique<shm::ShmDistributed>(env_, policy_, device_group_, make_group_name(),
                                                 unique_name_);
  }
}

std::string CpuCommunicator::make_group_name() const {
  const auto& environment = env_.node().environment;
  const auto ident = environment.find("VLLM_DIST_IDENT");
  if (ident == environment.end()) throw KeyError("'VLLM_DIST_IDENT'");
  return shm_group_name(ident->second, unique_name_, device_group_.ranks());
}

bool CpuCommunicator::all_ranks_share_shm_group_name() {
  OpScope scope(env_, "all_gather_object", unique_name_);
  const std::vector<ObjectBytes> names =
      device_group_.all_gather_object(encode_string(make_group_name()));
  std::set<std::string> distinct;
  for (const ObjectBytes& name : names) distinct.insert(decode_string(name));
  return distinct.size() == 1;
}

void CpuCommunicator::raise_no_fastpath(const char* function) const {
  if (policy_.has_supports_tensor_dict) {
    throw NotImplementedError(
        "CpuCommunicator does not support tensor dict fastpath with torch.distributed backend.");
  }
  throw AttributeError(std::string("module 'torch.distributed' has no attribute '") + function +
                       "'");
}

void CpuCommunicator::send_tensor_dict(const TensorDict& tensor_dict, int dst) {
  OpScope scope(env_, "CpuCommunicator.send_tensor_dict", unique_name_);
  if (!shm_) raise_no_fastpath("send_tensor_dict");
  shm_->send_tensor_dict(tensor_dict, dst);
}

TensorDict CpuCommunicator::recv_tensor_dict(int src) {
  OpScope scope(env_, "CpuCommunicator.recv_tensor_dict", unique_name_);
  if (!shm_) raise_no_fastpath("recv_tensor_dict");
  return shm_->recv_tensor_dict(src);
}

void CpuCommunicator::all_reduce(Tensor& tensor) {
  OpScope scope(env_, "CpuCommunicator.all_reduce", unique_name_);
  if (shm_) {
    shm_->all_reduce(tensor);
  } else {
    device_group_.all_reduce(tensor, ReduceOp::kSum);
  }
}

void CpuCommunicator::shutdown() {
  if (shm_) shm_->shutdown();
}

Tensor CpuCommunicator::all_gather(const Tensor& input, int dim) {
  OpScope scope(env_, "CpuCommunicator.all_gather", unique_name_);
  const auto rank_count = input.dim();
  if (!(-rank_count <= dim && dim < rank_count)) {
    throw AssertionError("Invalid dim (" + std::to_string(dim) +
                         ") for input tensor with shape torch.Size(" +
                         shape_to_string(input.shape()) + ")");
  }
  if (dim < 0) dim += static_cast<int>(rank_count);
  const int world = device_group_.size();
  // output = empty((W * in[0],) + in[1:]); all_gather_into_tensor; then movedim(0, dim).
  Shape gathered_shape = input.shape();
  gathered_shape.insert(gathered_shape.begin(), world);
  Tensor gathered = input.is_phantom() ? Tensor::phantom(input.dtype(), gathered_shape)
                                       : Tensor::zeros(input.dtype(), gathered_shape);
  if (shm_) {
    shm_->all_gather_into_tensor(gathered, input);
  } else {
    device_group_.all_gather_into_tensor(gathered, input);
  }
  Shape out_shape = input.shape();
  out_shape[static_cast<std::size_t>(dim)] *= world;
  if (dim == 0 || gathered.is_phantom()) return gathered.reshape(out_shape);
  // movedim(0, dim) for contiguous data: out[outer][w][inner] = gathered[w][outer][inner].
  std::int64_t outer = 1;
  for (int d = 0; d < dim; ++d) outer *= input.shape()[static_cast<std::size_t>(d)];
  const std::size_t inner_bytes = input.nbytes() / static_cast<std::size_t>(outer);
  Tensor out = Tensor::zeros(input.dtype(), out_shape);
  auto src = gathered.bytes();
  auto dst = out.mutable_bytes();
  for (std::int64_t o = 0; o < outer; ++o) {
    for (int w = 0; w < world; ++w) {
      const auto from = (static_cast<std::size_t>(w) * static_cast<std::size_t>(outer) +
                         static_cast<std::size_t>(o)) *
                        inner_bytes;
      const auto to = (static_cast<std::size_t>(o) * static_cast<std::size_t>(world) +
                       static_cast<std::size_t>(w)) *
                      inner_bytes;
      std::copy_n(src.begin() + static_cast<std::ptrdiff_t>(from), inner_bytes,
                  dst.begin() + static_cast<std::ptrdiff_t>(to));
    }
  }
  return out;
}

namespace {

// The dim an op takes, made non-negative; AssertionError as vLLM's assert says it.
int checked_dim(const Tensor& input, int dim) {
  const auto rank_count = static_cast<int>(input.dim());
  if (!(-rank_count <= dim && dim < rank_count)) {
    throw AssertionError("Invalid dim (" + std::to_string(dim) +
                         ") for input tensor with shape torch.Size(" +
                         shape_to_string(input.shape()) + ")");
  }
  return dim < 0 ? dim + rank_count : dim;
}

// torch.cat(parts, dim) of equally shaped contiguous tensors.
Tensor concatenate(const std::vector<Tensor>& parts, int dim) {
  const Tensor& first = parts.front();
  Shape out_shape = first.shape();
  out_shape[static_cast<std::size_t>(dim)] *= static_cast<std::int64_t>(parts.size());
  if (first.is_phantom()) return Tensor::phantom(first.dtype(), out_shape);
  std::int64_t outer = 1;
  for (int d = 0; d < dim; ++d) outer *= first.shape()[static_cast<std::size_t>(d)];
  const std::size_t block = outer == 0 ? 0 : first.nbytes() / static_cast<std::size_t>(outer);
  Tensor out = Tensor::zeros(first.dtype(), out_shape);
  auto dst = out.mutable_bytes();
  std::size_t to = 0;
  for (std::int64_t o = 0; o < outer; ++o) {
    for (const Tensor& part : parts) {
      const auto src = part.bytes();
      std::copy_n(src.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(o) * block),
                  block, dst.begin() + static_cast<std::ptrdiff_t>(to));
      to += block;
    }
  }
  return out;
}

}  // namespace

std::optional<Tensor> CpuCommunicator::gather(const Tensor& input, int dst, int dim) {
  OpScope scope(env_, "CpuCommunicator.gather", unique_name_);
  dim = checked_dim(input, dim);
  const int world = device_group_.size();
  COMMSIM_CHECK(dst >= 0 && dst < world, "gather to a rank outside the group");
  const bool root = device_group_.rank() == dst;
  std::vector<Tensor> gather_list;
  if (root) {
    for (int r = 0; r < world; ++r) {
      gather_list.push_back(input.is_phantom() ? Tensor::phantom(input.dtype(), input.shape())
                                               : Tensor::zeros(input.dtype(), input.shape()));
    }
  }
  // The communicator passes the global rank ranks[dst]; torch.distributed.gather and the SHM
  // backend's get_group_rank(group, dst) both turn it back into the group rank.
  const auto& ranks = device_group_.ranks();
  const int global_dst = ranks.at(static_cast<std::size_t>(dst));
  const int group_dst =
      static_cast<int>(std::find(ranks.begin(), ranks.end(), global_dst) - ranks.begin());
  std::vector<Tensor>* outputs = root ? &gather_list : nullptr;
  if (shm_) {
    shm_->gather(input, outputs, group_dst);
  } else {
    device_group_.gather(input, outputs, group_dst);
  }
  if (!root) return std::nullopt;
  return concatenate(gather_list, dim);
}

Tensor CpuCommunicator::reduce_scatter(const Tensor& input, int dim) {
  OpScope scope(env_, "CpuCommunicator.reduce_scatter", unique_name_);
  const int world = device_group_.size();
  if (world == 1) return input;
  dim = checked_dim(input, dim);
  COMMSIM_CHECK(dim == 0, "reduce_scatter along a dim other than the first is not modelled");
  if (input.shape()[0] % world != 0) throw AssertionError("");
  Shape out_shape = input.shape();
  out_shape[0] /= world;
  Tensor output = input.is_phantom() ? Tensor::phantom(input.dtype(), out_shape)
                                     : Tensor::zeros(input.dtype(), out_shape);
  device_group_.reduce_scatter(output, input, ReduceOp::kSum);
  return output;
}

void CpuCommunicator::send(const Tensor& tensor, std::optional<int> dst) {
  OpScope scope(env_, "CpuCommunicator.send", unique_name_);
  const int world = device_group_.size();
  const int to = dst.value_or((device_group_.rank() + 1) % world);
  COMMSIM_CHECK(to >= 0 && to < world, "send to a rank outside the group");
  device_group_.send(tensor, device_group_.ranks().at(static_cast<std::size_t>(to)));
}

Tensor CpuCommunicator::recv(const Shape& shape, DType dtype, std::optional<int> src) {
  OpScope scope(env_, "CpuCommunicator.recv", unique_name_);
  const int world = device_group_.size();
  const int from = src.value_or((device_group_.rank() - 1 + world) % world);
  COMMSIM_CHECK(from >= 0 && from < world, "recv from a rank outside the group");
  Tensor tensor = Tensor::zeros(dtype, shape);
  device_group_.recv(tensor, device_group_.ranks().at(static_cast<std::size_t>(from)));
  return tensor;
}

void CpuCommunicator::broadcast(Tensor& tensor, int src) {
  OpScope scope(env_, "CpuCommunicator.broadcast", unique_name_);
  if (device_group_.size() == 1) return;
  device_group_.broadcast(tensor, src);
}

void CpuCommunicator::all_gatherv() { throw NotImplementedError(""); }

void CpuCommunicator::reduce_scatterv() { throw NotImplementedError(""); }

}  // namespace commsim::comm
