#include "communicators/dtype.h"

#include <array>
#include <utility>

namespace commsim::comm {
namespace {

struct DTypeInfo {
  DType dtype;
  std::size_t size;
  std::string_view name;
  std::string_view short_name;
};

constexpr std::array<DTypeInfo, 6> kDTypes{{
    {DType::kF32, 4, "float32", "f32"},
    {DType::kBF16, 2, "bfloat16", "bf16"},
    {DType::kF16, 2, "float16", "f16"},
    {DType::kI64, 8, "int64", "i64"},
    {DType::kI32, 4, "int32", "i32"},
    {DType::kU8, 1, "uint8", "u8"},
}};

const DTypeInfo& info(DType dtype) { return kDTypes[static_cast<std::size_t>(dtype)]; }

}  // namespace

std::size_t element_size(DType dtype) { return info(dtype).size; }

std::string_view dtype_name(DType dtype) { return info(dtype).name; }

std::optional<DType> parse_dtype(std::string_view text) {
  for (const DTypeInfo& entry : kDTypes) {
    if (text == entry.name || text == entry.short_name) return entry.dtype;
  }
  return std::nullopt;
}

}  // namespace commsim::comm
