// Argument checks shared by the kernels. Each throws KernelError("<kernel>: <what is wrong>"),
// naming the tensor's role, its dtype and shape, and what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "communicators/dtype.h"
#include "communicators/tensor.h"

namespace commsim::kernels {

// Matches any size in require_matrix.
inline constexpr std::int64_t kAnySize = -1;

// "bfloat16[5, 96]"; "phantom float32[5, 96]" for a tensor without bytes.
std::string describe(const comm::Tensor& t);

// Throws KernelError("<kernel>: <message>") when !ok. Builds `message` eagerly: for hot paths
// test first and call it only on failure.
void require(bool ok, std::string_view kernel, const std::string& message);

// Throws unless t is a real (non-phantom) 2-D tensor of `dtype` with `rows` x `cols` (either may
// be kAnySize). `role` names the argument in the message ("x", "weight", ...).
void require_matrix(const comm::Tensor& t, std::string_view kernel, std::string_view role,
                    std::int64_t rows, std::int64_t cols, comm::DType dtype);

// Throws unless t is real, has `dtype` and exactly `shape`.
void require_tensor(const comm::Tensor& t, std::string_view kernel, std::string_view role,
                    const comm::Shape& shape, comm::DType dtype);

}  // namespace commsim::kernels
