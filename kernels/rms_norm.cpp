#include "kernels/rms_norm.h"

#include "kernels/checks.h"
#include "kernels/dnnl_glue.h"

namespace commsim::kernels {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
constexpr const char* kName = "rms_norm";

}  // namespace

RmsNorm::RmsNorm(const comm::Tensor& gamma, float eps) : eps_(eps) {
  require(!gamma.is_phantom() && gamma.dtype() == comm::DType::kF32 && gamma.dim() == 1 &&
              gamma.numel() > 0,
          kName, "gamma is " + describe(gamma) + ", expected float32[H]");
  const auto g = gamma.data<float>();
  gamma_.assign(g.begin(), g.end());
}

KernelCost RmsNorm::forward(const comm::Tensor& x, comm::Tensor& y) {
  const std::int64_t h = hidden();
  require_matrix(x, kName, "x", kAnySize, h, comm::DType::kF32);
  const std::int64_t m = x.shape()[0];
  require_matrix(y, kName, "y", m, h, comm::DType::kF32);
  KernelCost c = cost(m, h);
  if (m == 0) return c;

  const dnnl::memory::desc x_md({m, h}, dt::f32, tag::ab);
  const dnnl::memory::desc row_md({m, 1}, dt::f32, tag::ab);
  const dnnl::memory::desc stat_md({m}, dt::f32, tag::a);
  const dnnl::memory::desc gamma_md({h}, dt::f32, tag::a);
  auto it = primitives_.find(m);
  if (it == primitives_.end()) {
    const auto square_pd = checked_pd("rms_norm square", [&] {
      return dnnl::binary::primitive_desc(
          dnnl::binary::desc(dnnl::algorithm::binary_mul, x_md, x_md, x_md), cpu_engine());
    });
    const auto mean_pd = checked_pd("rms_norm mean square", [&] {
      return dnnl::reduction::primitive_desc(
          dnnl::reduction::desc(dnnl::algorithm::reduction_mean, x_md, row_md, 0.F, 0.F),
          cpu_engine());
    });
    const auto norm_pd = checked_pd("rms_norm normalize", [&] {
      return dnnl::layer_normalization_forward::primitive_desc(
          dnnl::layer_normalization_forward::desc(
              dnnl::prop_kind::forward_inference, x_md, stat_md, eps_,
              dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale),
          cpu_engine());
    });
    it = primitives_
             .emplace(m, Primitives{dnnl::binary(square_pd), dnnl::reduction(mean_pd),
                                    dnnl::layer_normalization_forward(norm_pd)})
             .first;
  }
  const auto rows = static_cast<std::size_t>(m);
  if (squares_.size() < rows * static_cast<std::size_t>(h)) {
    squares_.resize(rows * static_cast<std::size_t>(h));
  }
  if (variance_.size() < rows) {
    variance_.resize(rows);
    zeros_.assign(rows, 0.F);
  }
  const dnnl::memory x_mem = wrap(x_md, x);
  const dnnl::memory squares = wrap(x_md, squares_.data());
  execute(it->second.square,
          {{DNNL_ARG_SRC_0, x_mem}, {DNNL_ARG_SRC_1, x_mem}, {DNNL_ARG_DST, squares}});
  execute(it->second.mean_square,
          {{DNNL_ARG_SRC, squares}, {DNNL_ARG_DST, wrap(row_md, variance_.data())}});
  execute(it->second.normalize, {{DNNL_ARG_SRC, x_mem},
                                 {DNNL_ARG_MEAN, wrap(stat_md, zeros_.data())},
                                 {DNNL_ARG_VARIANCE, wrap(stat_md, variance_.data())},
                                 {DNNL_ARG_SCALE, wrap(gamma_md, gamma_.data())},
                                 {DNNL_ARG_DST, wrap(x_md, y)}});
  return c;
}

KernelCost RmsNorm::cost(std::int64_t m, std::int64_t h) {
  const double mh = static_cast<double>(m) * static_cast<double>(h);
  return KernelCost{kName, comm::DType::kF32, 4.0 * mh,
                    (2.0 * mh + static_cast<double>(h)) * sizeof(float)};
}

}  // namespace commsim::kernels
