#include "kernels/onednn_runtime.h"

namespace commsim::kernels {

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
}

void require_fast_impl(const dnnl::primitive_desc_base& pd, std::string_view what) {
  const std::string impl = pd.impl_info_str();
  if (impl.rfind("ref", 0) == 0) {
    throw KernelError(std::string(what) + ": oneDNN picked its slow reference implementation '" +
                      impl + "'");
  }
}

bool bf16_supported(std::string* why) {
  // ISA values are nested bit sets: a CPU "at least avx512_core_bf16" has all of its bits.
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto bf16 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_bf16);
  if ((isa & bf16) == bf16) return true;
  if (why != nullptr) {
    *why = "bf16 kernels need a CPU with AVX512-BF16 or AMX; oneDNN reports this CPU as " +
           cpu_isa_name();
  }
  return false;
}

std::string cpu_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::all:
      return "all";
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx512_mic:
      return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops:
      return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
  }
  return "unknown";
}

}  // namespace commsim::kernels
