// Element types of commsim tensors, named as torch names them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace commsim::comm {

enum class DType { kF32, kBF16, kF16, kI64, kI32, kU8 };

// Bytes per element.
std::size_t element_size(DType dtype);

// "float32", "bfloat16", "float16", "int64", "int32", "uint8" (torch's spelling without "torch.").
std::string_view dtype_name(DType dtype);

// Accepts the torch spelling and the short forms used in scenario files (f32, bf16, f16, i64, i32,
// u8). Returns nullopt for anything else.
std::optional<DType> parse_dtype(std::string_view text);

}  // namespace commsim::comm
