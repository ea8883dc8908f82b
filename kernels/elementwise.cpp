#include "kernels/elementwise.h"

#include "kernels/checks.h"
#include "kernels/dnnl_glue.h"

namespace commsim::kernels {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

}  // namespace

KernelCost silu_and_mul(const comm::Tensor& gate, const comm::Tensor& up, comm::Tensor& out) {
  constexpr const char* kName = "silu_and_mul";
  require_matrix(gate, kName, "gate", kAnySize, kAnySize, comm::DType::kF32);
  const std::int64_t m = gate.shape()[0];
  const std::int64_t f = gate.shape()[1];
  require_matrix(up, kName, "up", m, f, comm::DType::kF32);
  require_matrix(out, kName, "out", m, f, comm::DType::kF32);
  KernelCost c = silu_and_mul_cost(m, f);
  if (m * f == 0) return c;

  // An eltwise primitive with a binary_mul post-op would run on oneDNN's reference kernel, and a
  // swish post-op on binary_mul would apply to the product; so: swish, then an in-place multiply.
  const dnnl::memory::desc md({m * f}, dt::f32, tag::a);
  const auto swish_pd = checked_pd("silu_and_mul swish", [&] {
    return dnnl::eltwise_forward::primitive_desc(
        dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference,
                                    dnnl::algorithm::eltwise_swish, md, 1.F, 0.F),
        cpu_engine());
  });
  const auto mul_pd = checked_pd("silu_and_mul multiply", [&] {
    return dnnl::binary::primitive_desc(dnnl::binary::desc(dnnl::algorithm::binary_mul, md, md, md),
                                        cpu_engine());
  });
  const dnnl::memory out_mem = wrap(md, out);
  execute(dnnl::eltwise_forward(swish_pd),
          {{DNNL_ARG_SRC, wrap(md, gate)}, {DNNL_ARG_DST, out_mem}});
  execute(dnnl::binary(mul_pd),
          {{DNNL_ARG_SRC_0, out_mem}, {DNNL_ARG_SRC_1, wrap(md, up)}, {DNNL_ARG_DST, out_mem}});
  return c;
}

KernelCost silu_and_mul_cost(std::int64_t m, std::int64_t f) {
  const double mf = static_cast<double>(m) * static_cast<double>(f);
  return KernelCost{"silu_and_mul", comm::DType::kF32, 5.0 * mf, 3.0 * mf * sizeof(float)};
}

KernelCost add_in_place(comm::Tensor& acc, const comm::Tensor& x) {
  constexpr const char* kName = "add";
  require_tensor(acc, kName, "acc", acc.shape(), comm::DType::kF32);
  require_tensor(x, kName, "x", acc.shape(), comm::DType::kF32);
  const std::int64_t n = acc.numel();
  KernelCost c = add_cost(n);
  if (n == 0) return c;
  const dnnl::memory::desc md({n}, dt::f32, tag::a);
  const auto pd = checked_pd(kName, [&] {
    return dnnl::binary::primitive_desc(dnnl::binary::desc(dnnl::algorithm::binary_add, md, md, md),
                                        cpu_engine());
  });
  const dnnl::memory acc_mem = wrap(md, acc);
  execute(dnnl::binary(pd),
          {{DNNL_ARG_SRC_0, acc_mem}, {DNNL_ARG_SRC_1, wrap(md, x)}, {DNNL_ARG_DST, acc_mem}});
  return c;
}

KernelCost add_cost(std::int64_t numel) {
  const double n = static_cast<double>(numel);
  return KernelCost{"add", comm::DType::kF32, n, 3.0 * n * sizeof(float)};
}

}  // namespace commsim::kernels
