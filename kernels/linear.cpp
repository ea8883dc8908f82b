#include "kernels/linear.h"

#include "kernels/checks.h"
#include "kernels/dnnl_glue.h"

namespace commsim::kernels {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// The matmul descriptor of y[M,N] = x[M,K]·W[K,N] with weights described by `weight_md`.
dnnl::matmul::primitive_desc matmul_pd(const std::string& what, std::int64_t m, std::int64_t k,
                                       std::int64_t n, dt in, dt out,
                                       const dnnl::memory::desc& weight_md) {
  return checked_pd(what, [&] {
    const dnnl::memory::desc x_md({m, k}, in, tag::ab);
    const dnnl::memory::desc y_md({m, n}, out, tag::ab);
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(x_md, weight_md, y_md), cpu_engine());
  });
}

}  // namespace

Linear::Linear(std::string name, const comm::Tensor& weight) : name_(std::move(name)) {
  require(
      !weight.is_phantom() && weight.dim() == 2 && weight.shape()[0] > 0 && weight.shape()[1] > 0,
      name_, "weight is " + describe(weight) + ", expected a non-empty [N, K] matrix");
  n_ = weight.shape()[0];
  k_ = weight.shape()[1];
  dtype_ = weight.dtype();
  const dt wdt = dnnl_dtype(dtype_, name_);
  // Let the matmul pick its packed layout (it does not depend on M), then pack once.
  const auto pd = matmul_pd(name_ + " weight packing", 1, k_, n_, wdt, dt::f32,
                            dnnl::memory::desc({k_, n_}, wdt, tag::any));
  const dnnl::memory::desc user_md({k_, n_}, wdt, tag::ba);  // [N,K] row-major seen as {K,N}
  packed_weight_ = dnnl::memory(pd.weights_desc(), cpu_engine());
  dnnl::memory user = wrap(user_md, weight);
  const auto reorder_pd = checked_pd(name_ + " weight packing", [&] {
    return dnnl::reorder::primitive_desc(cpu_engine(), user_md, cpu_engine(),
                                         packed_weight_.get_desc());
  });
  execute(dnnl::reorder(reorder_pd), {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, packed_weight_}});
}

KernelCost Linear::forward(const comm::Tensor& x, comm::Tensor& y) {
  require_matrix(x, name_, "x", kAnySize, k_, dtype_);
  const std::int64_t m = x.shape()[0];
  if (y.dtype() != comm::DType::kF32 && y.dtype() != dtype_) {
    require(
        false, name_,
        "y is " + describe(y) + ", expected float32 or " + std::string(comm::dtype_name(dtype_)));
  }
  require_matrix(y, name_, "y", m, n_, y.dtype());
  KernelCost c = cost(name_, m, k_, n_, dtype_, y.dtype());
  if (m == 0) return c;

  const auto key = std::make_pair(m, y.dtype());
  auto it = calls_.find(key);
  if (it == calls_.end()) {
    const dt in = dnnl_dtype(dtype_, name_);
    const dt out = dnnl_dtype(y.dtype(), name_);
    const dnnl::memory::desc x_md({m, k_}, in, tag::ab);
    const dnnl::memory::desc y_md({m, n_}, out, tag::ab);
    const auto pd = matmul_pd(name_ + " " + describe(x) + " -> " + describe(y), m, k_, n_, in, out,
                              packed_weight_.get_desc());
    it = calls_.emplace(key, Call{dnnl::matmul(pd), wrap(x_md, x), wrap(y_md, y)}).first;
  }
  Call& call = it->second;
  call.x.set_data_handle(const_cast<std::byte*>(x.bytes().data()));
  call.y.set_data_handle(y.mutable_bytes().data());
  execute(call.matmul,
          {{DNNL_ARG_SRC, call.x}, {DNNL_ARG_WEIGHTS, packed_weight_}, {DNNL_ARG_DST, call.y}});
  return c;
}

KernelCost Linear::cost(std::string name, std::int64_t m, std::int64_t k, std::int64_t n,
                        comm::DType in, comm::DType out) {
  const double md = static_cast<double>(m), kd = static_cast<double>(k);
  const double nd = static_cast<double>(n);
  return KernelCost{std::move(name), in, 2.0 * md * kd * nd,
                    (md * kd + kd * nd) * static_cast<double>(comm::element_size(in)) +
                        md * nd * static_cast<double>(comm::element_size(out))};
}

}  // namespace commsim::kernels
