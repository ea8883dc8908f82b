#include "sim/workloads/seeded_values.h"

#include "communicators/half_float.h"
#include "communicators/reduce_ops.h"

namespace commsim::workloads {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1) with 24 random bits, exactly representable in float32.
float unit_float(std::uint64_t bits) {
  return static_cast<float>(bits >> 40) / static_cast<float>(1 << 23) - 1.0f;
}

}  // namespace

void fill_seeded_integers(comm::Tensor& tensor, std::uint64_t seed, std::uint64_t stream, int low,
                          int high) {
  if (tensor.is_phantom()) return;
  std::uint64_t state = seed ^ stream;
  const auto span = static_cast<std::uint64_t>(high - low + 1);
  for (std::int64_t i = 0; i < tensor.numel(); ++i) {
    const auto value = static_cast<int>(splitmix64(state) % span) + low;
    comm::set_element_from_float(tensor, i, static_cast<float>(value));
  }
}

std::uint64_t stream_id(std::string_view key, std::uint64_t a, std::uint64_t b) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;  // FNV-1a
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001B3ULL;
  }
  std::uint64_t state = hash ^ (a * 0x9E3779B97F4A7C15ULL);
  state = splitmix64(state) ^ b;
  return splitmix64(state);
}

void fill_seeded(comm::Tensor& tensor, std::uint64_t seed, std::uint64_t stream) {
  if (tensor.is_phantom()) return;
  std::uint64_t state = seed ^ stream;
  switch (tensor.dtype()) {
    case comm::DType::kF32:
      for (float& x : tensor.data<float>()) x = unit_float(splitmix64(state));
      break;
    case comm::DType::kBF16:
      for (std::uint16_t& x : tensor.data<std::uint16_t>())
        x = comm::float_to_bf16(unit_float(splitmix64(state)));
      break;
    case comm::DType::kF16:
      for (std::uint16_t& x : tensor.data<std::uint16_t>())
        x = comm::float_to_f16(unit_float(splitmix64(state)));
      break;
    case comm::DType::kI64:
      for (std::int64_t& x : tensor.data<std::int64_t>())
        x = static_cast<std::int64_t>(splitmix64(state) % 100);
      break;
    case comm::DType::kI32:
      for (std::int32_t& x : tensor.data<std::int32_t>())
        x = static_cast<std::int32_t>(splitmix64(state) % 100);
      break;
    case comm::DType::kU8:
      for (std::uint8_t& x : tensor.data<std::uint8_t>())
        x = static_cast<std::uint8_t>(splitmix64(state) % 100);
      break;
  }
}

}  // namespace commsim::workloads
