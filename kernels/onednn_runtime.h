// The process-wide oneDNN CPU engine and stream, the kernels' error type, and the guards every
// kernel applies to the primitives it creates (no slow reference kernels; bf16 support check).
//
// Kernel calls are not reentrant across OS threads: run them from one thread at a time (SimGrid
// actors do). The engine and stream are shared by every kernel in the process.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace commsim::kernels {

// Kernel misuse (wrong shapes or dtypes), an unsupported dtype on this CPU, or a primitive that
// oneDNN could only run with its slow reference implementation.
class KernelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The CPU engine, created on first use; one per process.
dnnl::engine& cpu_engine();

// The in-order stream on cpu_engine(), created on first use; one per process.
dnnl::stream& cpu_stream();

// Throws KernelError("<what>: oneDNN picked its slow reference implementation '<impl>'") when
// pd.impl_info_str() starts with "ref". Every kernel calls it on every primitive it creates.
void require_fast_impl(const dnnl::primitive_desc_base& pd, std::string_view what);

// True when oneDNN runs bf16 matmuls natively here (effective ISA avx512_core_bf16 or better).
// Otherwise false, and *why (when not null) gets one sentence naming this CPU's ISA.
bool bf16_supported(std::string* why = nullptr);

// oneDNN's effective CPU ISA as oneDNN spells it: "avx2", "avx512_core_bf16", ...
std::string cpu_isa_name();

}  // namespace commsim::kernels
