// Glue between commsim tensors and oneDNN: dtype mapping, memory objects over tensor bytes, checked
// primitive-descriptor creation, and synchronous execution on the process-wide stream.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "communicators/dtype.h"
#include "communicators/tensor.h"
#include "kernels/onednn_runtime.h"

namespace commsim::kernels {

// dt::f32 for kF32, dt::bf16 for kBF16; throws KernelError("<kernel>: ...") for other dtypes.
dnnl::memory::data_type dnnl_dtype(comm::DType dtype, std::string_view kernel);

// A oneDNN memory object over caller-owned bytes (no copy). REQUIRES: the bytes outlive it and
// hold at least md.get_size() bytes. oneDNN only writes through it when it is a destination.
dnnl::memory wrap(const dnnl::memory::desc& md, const void* data);
dnnl::memory wrap(const dnnl::memory::desc& md, const comm::Tensor& t);

// Builds a primitive descriptor with make() and checks it with require_fast_impl. A dnnl::error
// (no implementation, e.g. bf16 on a CPU without bf16) becomes a KernelError naming `what`.
template <typename Make>
auto checked_pd(std::string_view what, Make&& make) -> decltype(make()) {
  try {
    auto pd = std::forward<Make>(make)();
    require_fast_impl(pd, what);
    return pd;
  } catch (const dnnl::error& e) {
    std::string message = std::string(what) + ": oneDNN has no implementation (" + e.what() + ")";
    std::string why;
    if (!bf16_supported(&why)) message += "; " + why;
    throw KernelError(message);
  }
}

// Executes p on cpu_stream() and waits for it.
void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args);

}  // namespace commsim::kernels
