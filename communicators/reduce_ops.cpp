#include "communicators/reduce_ops.h"

#include <algorithm>

#include "communicators/errors.h"
#include "communicators/half_float.h"

namespace commsim::comm {
namespace {

// acc[i] = op(acc[i], in[i]), with the op chosen once per call so the loops stay simple.
template <typename T, typename Widen, typename Narrow>
void reduce_elements(std::span<T> accumulator, const T* input, ReduceOp op, Widen widen,
                     Narrow narrow) {
  // The two buffers never overlap: restrict lets the compiler vectorize the loops.
  T* __restrict acc = accumulator.data();
  const T* __restrict in = input;
  const std::size_t count = accumulator.size();
  const auto apply = [&](auto combine) {
    for (std::size_t i = 0; i < count; ++i) acc[i] = narrow(combine(widen(acc[i]), widen(in[i])));
  };
  switch (op) {
    case ReduceOp::kSum:
      return apply([](auto a, auto b) { return a + b; });
    case ReduceOp::kMin:
      return apply([](auto a, auto b) { return std::min(a, b); });
    case ReduceOp::kMax:
      return apply([](auto a, auto b) { return std::max(a, b); });
  }
}

template <typename T>
void reduce_native(Tensor& accumulator, const std::byte* input, ReduceOp op) {
  reduce_elements(
      accumulator.data<T>(), reinterpret_cast<const T*>(input), op, [](T value) { return value; },
      [](auto value) { return static_cast<T>(value); });
}

template <float (*Widen)(std::uint16_t), std::uint16_t (*Narrow)(float)>
void reduce_half(Tensor& accumulator, const std::byte* input, ReduceOp op) {
  reduce_elements(accumulator.data<std::uint16_t>(), reinterpret_cast<const std::uint16_t*>(input),
                  op, Widen, Narrow);
}

}  // namespace

std::string_view reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return "sum";
    case ReduceOp::kMin:
      return "min";
    case ReduceOp::kMax:
      return "max";
  }
  return "sum";
}

void reduce_into(Tensor& accumulator, const Tensor& input, ReduceOp op) {
  COMMSIM_CHECK(accumulator.dtype() == input.dtype() && accumulator.numel() == input.numel(),
                "reduce_into: dtype or size differ");
  if (accumulator.is_phantom() || input.is_phantom()) return;
  reduce_bytes_into(accumulator, input.bytes(), op);
}

void reduce_bytes_into(Tensor& accumulator, std::span<const std::byte> input, ReduceOp op) {
  if (accumulator.is_phantom()) return;
  COMMSIM_CHECK(input.size() == accumulator.nbytes(), "reduce_bytes_into: sizes differ");
  switch (accumulator.dtype()) {
    case DType::kF32:
      return reduce_native<float>(accumulator, input.data(), op);
    case DType::kBF16:
      return reduce_half<bf16_to_float, float_to_bf16>(accumulator, input.data(), op);
    case DType::kF16:
      return reduce_half<f16_to_float, float_to_f16>(accumulator, input.data(), op);
    case DType::kI64:
      return reduce_native<std::int64_t>(accumulator, input.data(), op);
    case DType::kI32:
      return reduce_native<std::int32_t>(accumulator, input.data(), op);
    case DType::kU8:
      return reduce_native<std::uint8_t>(accumulator, input.data(), op);
  }
}

float element_as_float(const Tensor& tensor, std::int64_t index) {
  const auto i = static_cast<std::size_t>(index);
  switch (tensor.dtype()) {
    case DType::kF32:
      return tensor.data<float>()[i];
    case DType::kBF16:
      return bf16_to_float(tensor.data<std::uint16_t>()[i]);
    case DType::kF16:
      return f16_to_float(tensor.data<std::uint16_t>()[i]);
    case DType::kI64:
      return static_cast<float>(tensor.data<std::int64_t>()[i]);
    case DType::kI32:
      return static_cast<float>(tensor.data<std::int32_t>()[i]);
    case DType::kU8:
      return static_cast<float>(tensor.data<std::uint8_t>()[i]);
  }
  return 0;
}

std::vector<float> elements_as_floats(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.numel()));
  const auto convert = [&values](auto elements, auto to_float) {
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = to_float(elements[i]);
  };
  const auto cast = [](auto value) { return static_cast<float>(value); };
  switch (tensor.dtype()) {
    case DType::kF32:
      convert(tensor.data<float>(), cast);
      break;
    case DType::kBF16:
      convert(tensor.data<std::uint16_t>(), bf16_to_float);
      break;
    case DType::kF16:
      convert(tensor.data<std::uint16_t>(), f16_to_float);
      break;
    case DType::kI64:
      convert(tensor.data<std::int64_t>(), cast);
      break;
    case DType::kI32:
      convert(tensor.data<std::int32_t>(), cast);
      break;
    case DType::kU8:
      convert(tensor.data<std::uint8_t>(), cast);
      break;
  }
  return values;
}

void assign_from_floats(Tensor& tensor, std::span<const float> values) {
  COMMSIM_CHECK(values.size() == static_cast<std::size_t>(tensor.numel()),
                "assign_from_floats: element count differs");
  const auto convert = [&values](auto elements, auto from_float) {
    for (std::size_t i = 0; i < values.size(); ++i) elements[i] = from_float(values[i]);
  };
  switch (tensor.dtype()) {
    case DType::kF32:
      convert(tensor.data<float>(), [](float value) { return value; });
      break;
    case DType::kBF16:
      convert(tensor.data<std::uint16_t>(), float_to_bf16);
      break;
    case DType::kF16:
      convert(tensor.data<std::uint16_t>(), float_to_f16);
      break;
    case DType::kI64:
      convert(tensor.data<std::int64_t>(),
              [](float value) { return static_cast<std::int64_t>(value); });
      break;
    case DType::kI32:
      convert(tensor.data<std::int32_t>(),
              [](float value) { return static_cast<std::int32_t>(value); });
      break;
    case DType::kU8:
      convert(tensor.data<std::uint8_t>(),
              [](float value) { return static_cast<std::uint8_t>(value); });
      break;
  }
}

void set_element_from_float(Tensor& tensor, std::int64_t index, float value) {
  const auto i = static_cast<std::size_t>(index);
  switch (tensor.dtype()) {
    case DType::kF32:
      tensor.data<float>()[i] = value;
      return;
    case DType::kBF16:
      tensor.data<std::uint16_t>()[i] = float_to_bf16(value);
      return;
    case DType::kF16:
      tensor.data<std::uint16_t>()[i] = float_to_f16(value);
      return;
    case DType::kI64:
      tensor.data<std::int64_t>()[i] = static_cast<std::int64_t>(value);
      return;
    case DType::kI32:
      tensor.data<std::int32_t>()[i] = static_cast<std::int32_t>(value);
      return;
    case DType::kU8:
      tensor.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(value);
      return;
  }
}

std::string_view scalar_type_name(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "Float";
    case DType::kBF16:
      return "BFloat16";
    case DType::kF16:
      return "Half";
    case DType::kI64:
      return "Long";
    case DType::kI32:
      return "Int";
    case DType::kU8:
      return "Byte";
  }
  return "Undefined";
}

}  // namespace commsim::comm
