// float32 <-> bfloat16 / float16 conversions, round-to-nearest-even, as the CPU's conversion
// instructions do (what vLLM's vector types use when they narrow an fp32 accumulator).
#pragma once

#include <cstdint>

namespace commsim::comm {

float bf16_to_float(std::uint16_t bits);
std::uint16_t float_to_bf16(float value);
float f16_to_float(std::uint16_t bits);
std::uint16_t float_to_f16(float value);

}  // namespace commsim::comm
