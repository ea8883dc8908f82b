#include "kernels/dnnl_glue.h"

namespace commsim::kernels {

dnnl::memory::data_type dnnl_dtype(comm::DType dtype, std::string_view kernel) {
  switch (dtype) {
    case comm::DType::kF32:
      return dnnl::memory::data_type::f32;
    case comm::DType::kBF16:
      return dnnl::memory::data_type::bf16;
    default:
      throw KernelError(std::string(kernel) + ": unsupported dtype " +
                        std::string(comm::dtype_name(dtype)) + " (float32 or bfloat16 only)");
  }
}

dnnl::memory wrap(const dnnl::memory::desc& md, const void* data) {
  // oneDNN takes a non-const handle for every argument; sources are never written.
  return dnnl::memory(md, cpu_engine(), const_cast<void*>(data));
}

dnnl::memory wrap(const dnnl::memory::desc& md, const comm::Tensor& t) {
  return wrap(md, static_cast<const void*>(t.bytes().data()));
}

void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args) {
  p.execute(cpu_stream(), args);
  cpu_stream().wait();
}

}  // namespace commsim::kernels
