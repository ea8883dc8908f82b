#include "communicators/gloo/gloo_collectives.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/common/error.h>
#include <gloo/gather.h>
#include <gloo/math.h>
#include <gloo/types.h>

#include <algorithm>
#include <utility>

#include "communicators/errors.h"
#include "communicators/half_float.h"

namespace commsim::comm::gloo_transport {
namespace {

// bfloat16 as PyTorch hands it to gloo's reduction templates (c10::BFloat16): arithmetic in
// float, each result rounded back to bfloat16.
struct BFloat16 {
  std::uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float value) : bits(float_to_bf16(value)) {}   // NOLINT: implicit, as c10's
  operator float() const { return bf16_to_float(bits); }  // NOLINT: implicit, as c10's
};
static_assert(sizeof(BFloat16) == 2);

// Calls body(T{}) with the gloo element type PyTorch uses for `dtype` (GENERATE_ALL_TYPES).
template <class Body>
void with_gloo_type(DType dtype, Body&& body) {
  switch (dtype) {
    case DType::kF32:
      return body(float{});
    case DType::kBF16:
      return body(BFloat16{});
    case DType::kF16:
      return body(::gloo::float16{});
    case DType::kI64:
      return body(std::int64_t{});
    case DType::kI32:
      return body(std::int32_t{});
    case DType::kU8:
      return body(std::uint8_t{});
  }
  throw HarnessError("gloo: unknown element type");
}

// ProcessGroupGloo's reduce function for `op`: gloo's sum / min / max templates.
using ReduceFn = void (*)(void*, const void*, const void*, std::size_t);
template <class T>
ReduceFn reduce_function(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return static_cast<ReduceFn>(&::gloo::sum<T>);
    case ReduceOp::kMin:
      return static_cast<ReduceFn>(&::gloo::min<T>);
    case ReduceOp::kMax:
      return static_cast<ReduceFn>(&::gloo::max<T>);
  }
  throw HarnessError("gloo: unknown reduce op");
}

// Where gloo reads and writes a tensor's elements: its bytes, or for a phantom tensor scratch
// bytes (the transport sends none of them).
class Elements {
 public:
  explicit Elements(Tensor& tensor) {
    if (tensor.is_phantom()) {
      scratch_.resize(tensor.nbytes());
      data_ = scratch_.data();
    } else {
      data_ = tensor.mutable_bytes().data();
    }
  }
  template <class T>
  T* as() {
    return reinterpret_cast<T*>(data_);
  }

 private:
  std::vector<std::byte> scratch_;
  std::byte* data_ = nullptr;
};

std::size_t elements_of(const Tensor& tensor) { return static_cast<std::size_t>(tensor.numel()); }

// Runs a gloo call and raises what PyTorch raises from it: gloo's exception, text unchanged, as
// the RuntimeError Python sees (ProcessGroupGloo.cpp:197-208, 332-336 of PyTorch 2.11; pybind11's
// translation of a std::runtime_error, *inferred*); gloo's timeout as a ProcessGroupTimeout.
template <class Call>
void as_pytorch(Call&& call) {
  try {
    call();
  } catch (const ::gloo::IoException& error) {
    const std::string text = error.what();
    if (text.find("] Timed out waiting ") != std::string::npos) throw ProcessGroupTimeout(text);
    throw RuntimeError(text);
  } catch (const ::gloo::Exception& error) {
    throw RuntimeError(error.what());
  }
}

}  // namespace

GlooCollectives::GlooCollectives(RankEnv& env, std::string group, std::vector<int> world_ranks,
                                 int rank, std::chrono::milliseconds timeout)
    : env_(env),
      group_(std::move(group)),
      world_ranks_(std::move(world_ranks)),
      rank_(rank),
      timeout_(timeout) {
  COMMSIM_CHECK(rank_ >= 0 && rank_ < size(), "gloo rank outside its group");
}

const std::shared_ptr<GroupContext>& GlooCollectives::context_for(const Tensor& tensor) {
  std::shared_ptr<GroupContext>& context = tensor.is_phantom() ? phantom_ : real_;
  if (!context) {
    context = make_group_context(env_, group_, world_ranks_, rank_, timeout_, tensor.is_phantom());
  }
  return context;
}

void GlooCollectives::all_reduce(Tensor& tensor, ReduceOp op) {
  ::gloo::AllreduceOptions opts(context_for(tensor));
  opts.setTag(next_tag());
  Elements elements(tensor);
  with_gloo_type(tensor.dtype(), [&]<class T>(T) {
    opts.setReduceFunction(reduce_function<T>(op));
    opts.setOutput(elements.as<T>(), elements_of(tensor));
  });
  as_pytorch([&] { ::gloo::allreduce(opts); });
}

void GlooCollectives::all_gather_into_tensor(Tensor& output, const Tensor& input) {
  COMMSIM_CHECK(output.numel() == input.numel() * size() && output.dtype() == input.dtype(),
                "all_gather_into_tensor: output must hold every rank's input");
  // gloo 5b14351 divides by the output's size (allgather.cc:56-57); later gloo returns at once
  // (d96897b), as here.
  if (output.nbytes() == 0) return;
  ::gloo::AllgatherOptions opts(context_for(input));
  opts.setTag(next_tag());
  Tensor in = input;
  Elements in_elements(in);
  Elements out_elements(output);
  with_gloo_type(input.dtype(), [&]<class T>(T) {
    opts.setInput(in_elements.as<T>(), elements_of(input));
    opts.setOutput(out_elements.as<T>(), elements_of(output));
  });
  as_pytorch([&] { ::gloo::allgather(opts); });
}

void GlooCollectives::gather(const Tensor& input, std::vector<Tensor>* outputs, int root) {
  ::gloo::GatherOptions opts(context_for(input));
  opts.setRoot(root);
  opts.setTag(next_tag());
  Tensor in = input;
  Elements in_elements(in);
  // The root gathers into one flat tensor, then splits it into the outputs (as PyTorch does).
  Tensor flat = input.is_phantom() ? Tensor::phantom(input.dtype(), {input.numel() * size()})
                                   : Tensor::zeros(input.dtype(), {input.numel() * size()});
  Elements flat_elements(flat);
  with_gloo_type(input.dtype(), [&]<class T>(T) {
    opts.setInput(in_elements.as<T>(), elements_of(input));
    if (rank_ == root) opts.setOutput(flat_elements.as<T>(), elements_of(flat));
  });
  as_pytorch([&] { ::gloo::gather(opts); });
  if (rank_ != root) return;
  COMMSIM_CHECK(outputs != nullptr && static_cast<int>(outputs->size()) == size(),
                "gather: the root needs one output per rank");
  for (int peer = 0; peer < size(); ++peer) {
    Tensor& out = (*outputs)[static_cast<std::size_t>(peer)];
    if (!out.is_phantom())
      out.copy_from(flat.slice(peer * input.numel(), input.numel()).reshape(out.shape()));
  }
}

void GlooCollectives::broadcast(Tensor& tensor, int root) {
  ::gloo::BroadcastOptions opts(context_for(tensor));
  opts.setRoot(root);
  opts.setTag(next_tag());
  Elements elements(tensor);
  with_gloo_type(tensor.dtype(),
                 [&]<class T>(T) { opts.setOutput(elements.as<T>(), elements_of(tensor)); });
  as_pytorch([&] { ::gloo::broadcast(opts); });
}

void GlooCollectives::barrier() {
  ::gloo::BarrierOptions opts(context_for(Tensor::zeros(DType::kU8, {0})));
  opts.setTag(next_tag());
  as_pytorch([&] { ::gloo::barrier(opts); });
}

void GlooCollectives::reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op) {
  COMMSIM_CHECK(output.numel() * size() == input.numel() && output.dtype() == input.dtype(),
                "reduce_scatter_tensor: input must be output size times the world size");
  Tensor reduced = input.is_phantom() ? input : input.clone();
  all_reduce(reduced, op);
  if (!output.is_phantom()) {
    output.copy_from(reduced.reshape({-1})
                         .slice(rank_ * output.numel(), output.numel())
                         .reshape(output.shape()));
  }
}

namespace {

class UnboundP2P final : public GlooCollectives::P2P {
 public:
  UnboundP2P(Tensor tensor, bool send)
      : tensor_(std::move(tensor)), elements_(tensor_), send_(send) {}
  std::byte* data() { return elements_.as<std::byte>(); }
  void start(std::unique_ptr<::gloo::transport::UnboundBuffer> buffer) {
    buffer_ = std::move(buffer);
  }
  int wait() override {
    if (peer_ >= 0 || !buffer_) return peer_;
    as_pytorch([&] {
      if (send_) {
        buffer_->waitSend(&peer_);
      } else {
        buffer_->waitRecv(&peer_);
      }
    });
    return peer_;
  }

 private:
  Tensor tensor_;  // keeps the bytes alive while gloo uses them
  Elements elements_;
  bool send_;
  std::unique_ptr<::gloo::transport::UnboundBuffer> buffer_;
  int peer_ = -1;
};

}  // namespace

std::unique_ptr<GlooCollectives::P2P> GlooCollectives::post(Tensor tensor, bool send,
                                                            std::vector<int> peers,
                                                            std::uint32_t tag) {
  const std::size_t bytes = tensor.nbytes();
  const std::shared_ptr<GroupContext>& context = context_for(tensor);
  auto p2p = std::make_unique<UnboundP2P>(std::move(tensor), send);
  auto buffer = context->createUnboundBuffer(p2p->data(), bytes);
  if (send) {
    buffer->send(peers.front(), tag);
  } else if (peers.size() == 1) {
    buffer->recv(peers.front(), tag);
  } else {
    buffer->recv(std::move(peers), tag);
  }
  p2p->start(std::move(buffer));
  return p2p;
}

std::unique_ptr<GlooCollectives::P2P> GlooCollectives::isend(const Tensor& tensor, int dst,
                                                             std::uint32_t tag) {
  return post(tensor, true, {dst}, tag);
}

std::unique_ptr<GlooCollectives::P2P> GlooCollectives::irecv(Tensor tensor, int src,
                                                             std::uint32_t tag) {
  return post(std::move(tensor), false, {src}, tag);
}

std::unique_ptr<GlooCollectives::P2P> GlooCollectives::irecv_any(Tensor tensor, std::uint32_t tag) {
  std::vector<int> others;
  for (int peer = 0; peer < size(); ++peer) {
    if (peer != rank_) others.push_back(peer);
  }
  return post(std::move(tensor), false, std::move(others), tag);
}

}  // namespace commsim::comm::gloo_transport
