#include "kernels/convert.h"

#include "kernels/checks.h"
#include "kernels/dnnl_glue.h"

namespace commsim::kernels {

KernelCost convert(const comm::Tensor& src, comm::Tensor& dst) {
  constexpr const char* kName = "convert";
  const dnnl::memory::data_type from = dnnl_dtype(src.dtype(), kName);
  const dnnl::memory::data_type to = dnnl_dtype(dst.dtype(), kName);
  if (src.is_phantom() || dst.is_phantom() || src.shape() != dst.shape()) {
    require(false, kName,
            "src is " + describe(src) + " and dst is " + describe(dst) +
                ", expected real tensors of the same shape");
  }
  const std::int64_t n = src.numel();
  KernelCost c = convert_cost(n, src.dtype(), dst.dtype());
  if (n == 0) return c;
  // Flattened to 1-D; oneDNN's primitive cache makes the repeated creation cheap.
  const dnnl::memory::desc src_md({n}, from, dnnl::memory::format_tag::a);
  const dnnl::memory::desc dst_md({n}, to, dnnl::memory::format_tag::a);
  const auto pd = checked_pd(kName, [&] {
    return dnnl::reorder::primitive_desc(cpu_engine(), src_md, cpu_engine(), dst_md);
  });
  execute(dnnl::reorder(pd),
          {{DNNL_ARG_FROM, wrap(src_md, src)}, {DNNL_ARG_TO, wrap(dst_md, dst)}});
  return c;
}

KernelCost convert_cost(std::int64_t numel, comm::DType from, comm::DType to) {
  return KernelCost{"convert", from, 0.0,
                    static_cast<double>(numel) *
                        static_cast<double>(comm::element_size(from) + comm::element_size(to))};
}

}  // namespace commsim::kernels
