// Element-wise reductions over tensors of every dtype: the one place that dispatches on dtype for
// arithmetic. bf16 and f16 are widened to float32, combined, and rounded back.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "communicators/tensor.h"

namespace commsim::comm {

enum class ReduceOp { kSum, kMin, kMax };

std::string_view reduce_op_name(ReduceOp op);  // "sum", "min", "max"

// accumulator[i] = op(accumulator[i], input[i]) for every element. REQUIRES: same dtype and
// numel. Phantom tensors are left as they are.
void reduce_into(Tensor& accumulator, const Tensor& input, ReduceOp op);
// The same with the input as raw bytes of the accumulator's dtype (e.g. a received message).
// REQUIRES: input.size() == accumulator.nbytes() unless the accumulator is phantom.
void reduce_bytes_into(Tensor& accumulator, std::span<const std::byte> input, ReduceOp op);

// Element i of a real tensor as float32 / from float32 (rounded to the tensor's dtype).
float element_as_float(const Tensor& tensor, std::int64_t index);
void set_element_from_float(Tensor& tensor, std::int64_t index, float value);

// Every element of a real tensor as float32, and every element set from float32 (rounded to the
// dtype): the bulk forms of the two above. REQUIRES for assign: values.size() == numel().
std::vector<float> elements_as_floats(const Tensor& tensor);
void assign_from_floats(Tensor& tensor, std::span<const float> values);

// PyTorch's ScalarType name of a dtype, as its error messages print it: "Float", "BFloat16",
// "Half", "Long", "Int", "Byte".
std::string_view scalar_type_name(DType dtype);

}  // namespace commsim::comm
