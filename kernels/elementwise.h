// Elementwise float32 kernels of the Llama layer: SwiGLU's activation (vLLM's SiluAndMul) and the
// residual add. Both run on oneDNN JIT primitives; oneDNN's primitive cache keeps the repeated
// creation per call cheap.
#pragma once

#include <cstdint>

#include "communicators/tensor.h"
#include "kernels/kernel_cost.h"

namespace commsim::kernels {

// out = silu(gate) · up = gate·sigmoid(gate)·up. REQUIRES: gate, up and out float32 [M, F]; out may
// be gate itself, no other overlap. Runs eltwise_swish (alpha 1) into out, then out *= up.
// Returns silu_and_mul_cost(M, F).
KernelCost silu_and_mul(const comm::Tensor& gate, const comm::Tensor& up, comm::Tensor& out);

// name "silu_and_mul"; flops = 5·M·F (negate, exp, add, divide, multiply); bytes = 3·M·F·4.
KernelCost silu_and_mul_cost(std::int64_t m, std::int64_t f);

// acc += x (the residual add). REQUIRES: acc and x float32 of the same shape, not overlapping.
// Returns add_cost(numel).
KernelCost add_in_place(comm::Tensor& acc, const comm::Tensor& x);

// name "add"; flops = numel; bytes = 3·numel·4 (read both, write acc); dtype float32.
KernelCost add_cost(std::int64_t numel);

}  // namespace commsim::kernels
