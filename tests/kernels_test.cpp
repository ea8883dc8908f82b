// The oneDNN layer kernels against naive float64 references on seeded random inputs, their costs
// (real calls equal the static cost functions, and the formulas' exact values), and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "communicators/half_float.h"
#include "communicators/tensor.h"
#include "kernels/argmax.h"
#include "kernels/attention.h"
#include "kernels/convert.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/linear.h"
#include "kernels/onednn_runtime.h"
#include "kernels/rms_norm.h"
#include "kernels/rotary.h"

namespace commsim::kernels {
namespace {

using comm::DType;
using comm::Shape;
using comm::Tensor;

#define SKIP_WITHOUT_BF16()                         \
  do {                                              \
    std::string why;                                \
    if (!bf16_supported(&why)) GTEST_SKIP() << why; \
  } while (false)

// Uniform values in [-scale, scale), from a seeded generator.
Tensor random_f32(Shape shape, std::uint32_t seed, float scale = 1.0F) {
  Tensor t = Tensor::zeros(DType::kF32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (float& x : t.data<float>()) x = dist(rng);
  return t;
}

Tensor to_bf16(const Tensor& f32) {
  Tensor t = Tensor::zeros(DType::kBF16, f32.shape());
  const auto src = f32.data<float>();
  auto dst = t.data<std::uint16_t>();
  for (std::size_t i = 0; i < src.size(); ++i) dst[i] = comm::float_to_bf16(src[i]);
  return t;
}

// The tensor's values (float32 or bfloat16) as doubles.
std::vector<double> values(const Tensor& t) {
  std::vector<double> out;
  if (t.dtype() == DType::kF32) {
    for (const float x : t.data<float>()) out.push_back(x);
  } else {
    for (const std::uint16_t x : t.data<std::uint16_t>()) out.push_back(comm::bf16_to_float(x));
  }
  return out;
}

double rel_l2(const std::vector<double>& got, const std::vector<double>& want) {
  EXPECT_EQ(got.size(), want.size());
  double err = 0, norm = 0;
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i) {
    err += (got[i] - want[i]) * (got[i] - want[i]);
    norm += want[i] * want[i];
  }
  return std::sqrt(err / norm);
}

void expect_same_cost(const KernelCost& a, const KernelCost& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.dtype, b.dtype);
  EXPECT_EQ(a.flops, b.flops);
  EXPECT_EQ(a.bytes, b.bytes);
}

// ---------------------------------------------------------------------------------------------
// Runtime

TEST(OnednnRuntime, OneEngineAndStreamPerProcess) {
  EXPECT_EQ(&cpu_engine(), &cpu_engine());
  EXPECT_EQ(&cpu_stream(), &cpu_stream());
  EXPECT_EQ(cpu_stream().get_engine(), cpu_engine());
}

TEST(OnednnRuntime, Bf16SupportNamesTheIsa) {
  const std::string isa = cpu_isa_name();
  EXPECT_NE(isa, "unknown");
  std::string why = "unchanged";
  if (bf16_supported(&why)) {
    EXPECT_EQ(why, "unchanged");
    EXPECT_TRUE(isa == "avx512_core_bf16" || isa == "avx512_core_amx") << isa;
  } else {
    EXPECT_EQ(why,
              "bf16 kernels need a CPU with AVX512-BF16 or AMX; oneDNN reports this CPU as " + isa);
  }
}

TEST(OnednnRuntime, RequireFastImplRejectsTheReferenceKernel) {
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  const dnnl::memory::desc x({5, 64}, dt::f32, tag::ab), row({5, 1}, dt::f32, tag::ab);
  const dnnl::reduction::primitive_desc slow(
      dnnl::reduction::desc(dnnl::algorithm::reduction_norm_lp_power_p_sum, x, row, 2.F, 0.F),
      cpu_engine());
  ASSERT_EQ(std::string(slow.impl_info_str()).rfind("ref", 0), 0u) << slow.impl_info_str();
  try {
    require_fast_impl(slow, "sum of squares");
    FAIL() << "require_fast_impl accepted " << slow.impl_info_str();
  } catch (const KernelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "sum of squares: oneDNN picked its slow reference implementation '" +
                  std::string(slow.impl_info_str()) + "'");
  }
  const dnnl::reduction::primitive_desc fast(
      dnnl::reduction::desc(dnnl::algorithm::reduction_mean, x, row, 0.F, 0.F), cpu_engine());
  EXPECT_NO_THROW(require_fast_impl(fast, "mean"));
}

// ---------------------------------------------------------------------------------------------
// Linear

// y[m, n] = sum_k x[m, k] · w[n, k], in double.
std::vector<double> linear_ref(const Tensor& x, const Tensor& w) {
  const auto xv = values(x), wv = values(w);
  const std::int64_t m = x.shape()[0], k = x.shape()[1], n = w.shape()[0];
  std::vector<double> y(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (std::int64_t l = 0; l < k; ++l) acc += xv[i * k + l] * wv[j * k + l];
      y[i * n + j] = acc;
    }
  }
  return y;
}

struct MatmulShape {
  std::int64_t k, n;
};
const MatmulShape kShapes[] = {{64, 96}, {96, 256}, {256, 64}};
const std::int64_t kRows[] = {1, 5, 32};

TEST(Linear, F32MatchesFloat64Reference) {
  std::uint32_t seed = 1;
  for (const auto [k, n] : kShapes) {
    Linear layer("proj", random_f32({n, k}, seed++));
    EXPECT_EQ(layer.in_features(), k);
    EXPECT_EQ(layer.out_features(), n);
    EXPECT_EQ(layer.dtype(), DType::kF32);
    for (const std::int64_t m : kRows) {
      const Tensor w = random_f32({n, k}, seed);  // the same weights, re-made for the reference
      Linear same("proj", w);
      const Tensor x = random_f32({m, k}, seed + 100);
      Tensor y = Tensor::zeros(DType::kF32, {m, n});
      same.forward(x, y);
      EXPECT_LE(rel_l2(values(y), linear_ref(x, w)), 1e-6) << "M=" << m << " K=" << k << " N=" << n;
      // The second call reuses the primitive and gives the same bits.
      Tensor again = Tensor::zeros(DType::kF32, {m, n});
      same.forward(x, again);
      EXPECT_TRUE(comm::bit_identical(y, again));
    }
  }
}

TEST(Linear, Bf16WithF32OutputMatchesReferenceOnRoundedInputs) {
  SKIP_WITHOUT_BF16();
  std::uint32_t seed = 10;
  for (const auto [k, n] : kShapes) {
    const Tensor w = to_bf16(random_f32({n, k}, seed++));
    Linear layer("proj", w);
    EXPECT_EQ(layer.dtype(), DType::kBF16);
    for (const std::int64_t m : kRows) {
      const Tensor x = to_bf16(random_f32({m, k}, seed++));
      Tensor y = Tensor::zeros(DType::kF32, {m, n});
      layer.forward(x, y);
      EXPECT_LE(rel_l2(values(y), linear_ref(x, w)), 1e-5) << "M=" << m << " K=" << k << " N=" << n;
    }
  }
}

TEST(Linear, Bf16OutputIsTheRoundedResult) {
  SKIP_WITHOUT_BF16();
  const Tensor w = to_bf16(random_f32({96, 64}, 20));
  const Tensor x = to_bf16(random_f32({5, 64}, 21));
  Linear layer("proj", w);
  Tensor y = Tensor::zeros(DType::kBF16, {5, 96});
  layer.forward(x, y);
  const auto want = linear_ref(x, w);
  const auto got = values(y);
  for (std::size_t i = 0; i < want.size(); ++i) {
    // Within one bf16 ulp (2^-7 relative) of the exact value.
    EXPECT_LE(std::fabs(got[i] - want[i]), std::ldexp(std::fabs(want[i]), -7) + 1e-6) << i;
  }
  EXPECT_LE(rel_l2(got, want), 4e-3);
}

TEST(Linear, RejectsWrongShapesAndDtypes) {
  Linear layer("qkv_proj", random_f32({96, 64}, 30));
  Tensor y = Tensor::zeros(DType::kF32, {5, 96});
  try {
    layer.forward(Tensor::zeros(DType::kF32, {5, 32}), y);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(std::string(e.what()), "qkv_proj: x is float32[5, 32], expected float32[M, 64]");
  }
  Tensor wrong_rows = Tensor::zeros(DType::kF32, {4, 96});
  EXPECT_THROW(layer.forward(Tensor::zeros(DType::kF32, {5, 64}), wrong_rows), KernelError);
  Tensor bf16_out = Tensor::zeros(DType::kBF16, {5, 96});  // f32 weights give f32 only
  EXPECT_THROW(layer.forward(Tensor::zeros(DType::kF32, {5, 64}), bf16_out), KernelError);
  EXPECT_THROW(layer.forward(Tensor::zeros(DType::kBF16, {5, 64}), y), KernelError);
  EXPECT_THROW(layer.forward(Tensor::phantom(DType::kF32, {5, 64}), y), KernelError);
  EXPECT_THROW(Linear("w", Tensor::zeros(DType::kF32, {96})), KernelError);
  EXPECT_THROW(Linear("w", Tensor::zeros(DType::kI32, {4, 4})), KernelError);
}

TEST(Linear, CostFormulaAndRealCallAgree) {
  const KernelCost c = Linear::cost("qkv_proj", 5, 64, 96, DType::kBF16, DType::kF32);
  EXPECT_EQ(c.name, "qkv_proj");
  EXPECT_EQ(c.dtype, DType::kBF16);
  EXPECT_EQ(c.flops, 2.0 * 5 * 64 * 96);                      // 61,440
  EXPECT_EQ(c.bytes, (5 * 64 + 64 * 96) * 2.0 + 5 * 96 * 4);  // 14,848
  Linear layer("lm_head", random_f32({96, 64}, 31));
  Tensor y = Tensor::zeros(DType::kF32, {5, 96});
  expect_same_cost(layer.forward(random_f32({5, 64}, 32), y),
                   Linear::cost("lm_head", 5, 64, 96, DType::kF32, DType::kF32));
}

// ---------------------------------------------------------------------------------------------
// Convert

TEST(Convert, F32ToBf16RoundsToNearestEven) {
  Tensor src = random_f32({7, 33}, 40, 100.0F);
  // Exact ties: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7 and rounds to the even 1; 1 + 3·2^-8
  // rounds up to the even 1 + 2^-6.
  src.data<float>()[0] = 1.0F + std::ldexp(1.0F, -8);
  src.data<float>()[1] = 1.0F + 3.0F * std::ldexp(1.0F, -8);
  Tensor dst = Tensor::zeros(DType::kBF16, {7, 33});
  expect_same_cost(convert(src, dst), convert_cost(7 * 33, DType::kF32, DType::kBF16));
  EXPECT_TRUE(comm::bit_identical(dst, to_bf16(src)));
  EXPECT_EQ(comm::bf16_to_float(dst.data<std::uint16_t>()[0]), 1.0F);
  EXPECT_EQ(comm::bf16_to_float(dst.data<std::uint16_t>()[1]), 1.0F + std::ldexp(1.0F, -6));

  Tensor back = Tensor::zeros(DType::kF32, {7, 33});
  convert(dst, back);
  EXPECT_EQ(values(back), values(dst));  // bf16 -> f32 is exact
  Tensor copy = Tensor::zeros(DType::kF32, {7, 33});
  convert(src, copy);
  EXPECT_TRUE(comm::bit_identical(copy, src));
}

TEST(Convert, RejectsMismatchAndCostsBytes) {
  Tensor dst = Tensor::zeros(DType::kBF16, {4, 8});
  EXPECT_THROW(convert(Tensor::zeros(DType::kF32, {8, 4}), dst), KernelError);
  Tensor i32 = Tensor::zeros(DType::kI32, {4, 8});
  EXPECT_THROW(convert(Tensor::zeros(DType::kF32, {4, 8}), i32), KernelError);
  const KernelCost c = convert_cost(1000, DType::kF32, DType::kBF16);
  EXPECT_EQ(c.name, "convert");
  EXPECT_EQ(c.flops, 0.0);
  EXPECT_EQ(c.bytes, 6000.0);
}

// ---------------------------------------------------------------------------------------------
// RMSNorm

std::vector<double> rms_norm_ref(const Tensor& x, const Tensor& gamma, double eps) {
  const auto xv = values(x), gv = values(gamma);
  const std::int64_t m = x.shape()[0], h = x.shape()[1];
  std::vector<double> y(xv.size());
  for (std::int64_t i = 0; i < m; ++i) {
    double sum = 0;
    for (std::int64_t j = 0; j < h; ++j) sum += xv[i * h + j] * xv[i * h + j];
    const double inv = 1.0 / std::sqrt(sum / static_cast<double>(h) + eps);
    for (std::int64_t j = 0; j < h; ++j) y[i * h + j] = xv[i * h + j] * inv * gv[j];
  }
  return y;
}

TEST(RmsNorm, MatchesFloat64Reference) {
  std::uint32_t seed = 50;
  for (const std::int64_t h : {64, 96, 256}) {
    const Tensor gamma = random_f32({h}, seed++, 2.0F);
    RmsNorm norm(gamma, 1e-5F);
    EXPECT_EQ(norm.hidden(), h);
    for (const std::int64_t m : kRows) {
      const Tensor x = random_f32({m, h}, seed++, 3.0F);
      Tensor y = Tensor::zeros(DType::kF32, {m, h});
      expect_same_cost(norm.forward(x, y), RmsNorm::cost(m, h));
      EXPECT_LE(rel_l2(values(y), rms_norm_ref(x, gamma, 1e-5)), 1e-6) << "M=" << m << " H=" << h;
    }
  }
}

TEST(RmsNorm, InPlaceEqualsOutOfPlace) {
  const Tensor gamma = random_f32({96}, 60);
  RmsNorm norm(gamma, 1e-6F);
  const Tensor x = random_f32({5, 96}, 61);
  Tensor y = Tensor::zeros(DType::kF32, {5, 96});
  norm.forward(x, y);
  Tensor z = x.clone();
  norm.forward(z, z);
  EXPECT_TRUE(comm::bit_identical(y, z));
}

TEST(RmsNorm, CostAndErrors) {
  const KernelCost c = RmsNorm::cost(4, 256);
  EXPECT_EQ(c.name, "rms_norm");
  EXPECT_EQ(c.dtype, DType::kF32);
  EXPECT_EQ(c.flops, 4096.0);
  EXPECT_EQ(c.bytes, (2.0 * 4 * 256 + 256) * 4);
  RmsNorm norm(random_f32({64}, 62), 1e-5F);
  Tensor y = Tensor::zeros(DType::kF32, {2, 64});
  EXPECT_THROW(norm.forward(Tensor::zeros(DType::kF32, {2, 32}), y), KernelError);
  EXPECT_THROW(RmsNorm(Tensor::zeros(DType::kBF16, {64}), 1e-5F), KernelError);
}

// ---------------------------------------------------------------------------------------------
// Elementwise

TEST(SiluAndMul, MatchesFloat64Reference) {
  for (const std::int64_t m : kRows) {
    const Tensor gate = random_f32({m, 96}, 70 + static_cast<std::uint32_t>(m), 6.0F);
    const Tensor up = random_f32({m, 96}, 80 + static_cast<std::uint32_t>(m), 2.0F);
    Tensor out = Tensor::zeros(DType::kF32, {m, 96});
    expect_same_cost(silu_and_mul(gate, up, out), silu_and_mul_cost(m, 96));
    const auto g = values(gate), u = values(up);
    std::vector<double> want(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) want[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
    EXPECT_LE(rel_l2(values(out), want), 1e-6) << "M=" << m;
  }
}

TEST(SiluAndMul, CostAndErrors) {
  const KernelCost c = silu_and_mul_cost(3, 100);
  EXPECT_EQ(c.name, "silu_and_mul");
  EXPECT_EQ(c.flops, 1500.0);
  EXPECT_EQ(c.bytes, 3600.0);
  Tensor out = Tensor::zeros(DType::kF32, {3, 100});
  EXPECT_THROW(
      silu_and_mul(Tensor::zeros(DType::kF32, {3, 100}), Tensor::zeros(DType::kF32, {3, 99}), out),
      KernelError);
}

TEST(AddInPlace, IsTheFloatSum) {
  Tensor acc = random_f32({5, 96}, 90);
  const Tensor x = random_f32({5, 96}, 91);
  const Tensor before = acc.clone();
  expect_same_cost(add_in_place(acc, x), add_cost(5 * 96));
  for (std::size_t i = 0; i < 5 * 96; ++i) {
    EXPECT_EQ(acc.data<float>()[i], before.data<float>()[i] + x.data<float>()[i]) << i;
  }
  const KernelCost c = add_cost(1000);
  EXPECT_EQ(c.name, "add");
  EXPECT_EQ(c.flops, 1000.0);
  EXPECT_EQ(c.bytes, 12000.0);
  EXPECT_THROW(add_in_place(acc, Tensor::zeros(DType::kF32, {96, 5})), KernelError);
}

// ---------------------------------------------------------------------------------------------
// Rotary embedding

TEST(RotaryEmbedding, MatchesTheNeoxFormula) {
  constexpr std::int64_t kD = 16, kHq = 4, kHkv = 2;
  constexpr double kTheta = 10000.0;
  const std::vector<std::int64_t> positions{0, 1, 7, 300, 4095};
  const auto t = static_cast<std::int64_t>(positions.size());
  const Tensor q0 = random_f32({t, kHq * kD}, 100), k0 = random_f32({t, kHkv * kD}, 101);
  Tensor q = q0.clone(), k = k0.clone();
  RotaryEmbedding rope(kD, kTheta);
  expect_same_cost(rope.forward(positions, q, k), RotaryEmbedding::cost(t, kHq, kHkv, kD));
  auto reference = [&](const Tensor& x0) {
    const auto xv = values(x0);
    const std::int64_t width = x0.shape()[1];
    std::vector<double> out(xv.size());
    for (std::int64_t r = 0; r < t; ++r) {
      for (std::int64_t head = 0; head < width; head += kD) {
        for (std::int64_t i = 0; i < kD / 2; ++i) {
          const double angle = static_cast<double>(positions[static_cast<std::size_t>(r)]) *
                               std::pow(kTheta, -2.0 * static_cast<double>(i) / kD);
          const double x1 = xv[r * width + head + i], x2 = xv[r * width + head + i + kD / 2];
          out[r * width + head + i] = x1 * std::cos(angle) - x2 * std::sin(angle);
          out[r * width + head + i + kD / 2] = x2 * std::cos(angle) + x1 * std::sin(angle);
        }
      }
    }
    return out;
  };
  EXPECT_LE(rel_l2(values(q), reference(q0)), 1e-6);
  EXPECT_LE(rel_l2(values(k), reference(k0)), 1e-6);
  // Position 0 is the identity, bit for bit.
  for (std::int64_t c = 0; c < kHq * kD; ++c) EXPECT_EQ(q.data<float>()[c], q0.data<float>()[c]);
  // Row 1 (position 1) did rotate.
  EXPECT_NE(q.data<float>()[kHq * kD + 1], q0.data<float>()[kHq * kD + 1]);
}

TEST(RotaryEmbedding, CostAndErrors) {
  const KernelCost c = RotaryEmbedding::cost(3, 4, 2, 8);
  EXPECT_EQ(c.name, "rotary");
  EXPECT_EQ(c.flops, 3.0 * 3 * 6 * 8);
  EXPECT_EQ(c.bytes, 2.0 * 3 * 6 * 8 * 4);
  EXPECT_THROW(RotaryEmbedding(7, 10000.0), KernelError);
  RotaryEmbedding rope(8, 10000.0);
  Tensor q = Tensor::zeros(DType::kF32, {2, 12}), k = Tensor::zeros(DType::kF32, {2, 8});
  const std::vector<std::int64_t> two{0, 1}, one{0};
  EXPECT_THROW(rope.forward(two, q, k), KernelError);  // 12 is not whole heads of 8
  Tensor q2 = Tensor::zeros(DType::kF32, {2, 16});
  EXPECT_THROW(rope.forward(one, q2, k), KernelError);  // one position for two tokens
}

// ---------------------------------------------------------------------------------------------
// Attention

// Causal GQA attention in double. q: [B·S, Hq·D], k, v: [B·S, Hkv·D]; returns [B·S, Hq·D].
std::vector<double> attention_ref(const std::vector<double>& q, const std::vector<double>& k,
                                  const std::vector<double>& v, std::int64_t b_count,
                                  std::int64_t s_count, std::int64_t hq, std::int64_t hkv,
                                  std::int64_t d) {
  std::vector<double> out(q.size(), 0.0);
  const std::int64_t group = hq / hkv;
  for (std::int64_t b = 0; b < b_count; ++b) {
    for (std::int64_t h = 0; h < hq; ++h) {
      const std::int64_t g = h / group;
      for (std::int64_t s = 0; s < s_count; ++s) {
        const double* qr = &q[((b * s_count + s) * hq + h) * d];
        std::vector<double> p(static_cast<std::size_t>(s + 1));
        double max = -INFINITY, sum = 0;
        for (std::int64_t t = 0; t <= s; ++t) {
          const double* kr = &k[((b * s_count + t) * hkv + g) * d];
          double dot = 0;
          for (std::int64_t i = 0; i < d; ++i) dot += qr[i] * kr[i];
          p[t] = dot / std::sqrt(static_cast<double>(d));
          max = std::max(max, p[t]);
        }
        for (double& x : p) sum += (x = std::exp(x - max));
        double* o = &out[((b * s_count + s) * hq + h) * d];
        for (std::int64_t t = 0; t <= s; ++t) {
          const double* vr = &v[((b * s_count + t) * hkv + g) * d];
          for (std::int64_t i = 0; i < d; ++i) o[i] += p[t] / sum * vr[i];
        }
      }
    }
  }
  return out;
}

// The values of a bf16-rounded copy (what a bf16 cache holds).
std::vector<double> rounded(const Tensor& t) { return values(to_bf16(t)); }

// Rows [first, first + count) of every sequence of a [B·S, W] tensor.
Tensor sequence_rows(const Tensor& t, std::int64_t b_count, std::int64_t s_count,
                     std::int64_t first, std::int64_t count) {
  const std::int64_t w = t.shape()[1];
  Tensor out = Tensor::zeros(DType::kF32, {b_count * count, w});
  for (std::int64_t b = 0; b < b_count; ++b) {
    for (std::int64_t s = 0; s < count; ++s) {
      for (std::int64_t c = 0; c < w; ++c) {
        out.data<float>()[(b * count + s) * w + c] =
            t.data<float>()[(b * s_count + first + s) * w + c];
      }
    }
  }
  return out;
}

struct AttentionCase {
  std::int64_t batch, seq, hq, hkv, d;
};

void check_prefill(const AttentionCase& c, DType cache, double tolerance, std::uint32_t seed) {
  const std::int64_t rows = c.batch * c.seq;
  const Tensor q = random_f32({rows, c.hq * c.d}, seed, 2.0F);
  const Tensor k = random_f32({rows, c.hkv * c.d}, seed + 1, 2.0F);
  const Tensor v = random_f32({rows, c.hkv * c.d}, seed + 2);
  Attention attention(c.hq, c.hkv, c.d, c.batch, c.seq + 3, cache);
  Tensor out = Tensor::zeros(DType::kF32, {rows, c.hq * c.d});
  expect_same_cost(attention.prefill(q, k, v, c.seq, out),
                   Attention::prefill_cost(c.batch, c.seq, c.hq, c.hkv, c.d, cache));
  EXPECT_EQ(attention.length(), c.seq);
  const bool bf16 = cache == DType::kBF16;
  const auto want = attention_ref(bf16 ? rounded(q) : values(q), bf16 ? rounded(k) : values(k),
                                  bf16 ? rounded(v) : values(v), c.batch, c.seq, c.hq, c.hkv, c.d);
  EXPECT_LE(rel_l2(values(out), want), tolerance)
      << "B=" << c.batch << " S=" << c.seq << " Hq=" << c.hq << " Hkv=" << c.hkv << " D=" << c.d;
}

TEST(Attention, PrefillIsCausalAttention) {
  // Short, crossing the 64-position tile and key block, GQA and multi-head.
  check_prefill({2, 5, 4, 2, 16}, DType::kF32, 1e-6, 200);
  check_prefill({1, 70, 4, 2, 32}, DType::kF32, 1e-6, 210);
  check_prefill({2, 9, 2, 2, 64}, DType::kF32, 1e-6, 220);
  check_prefill({1, 3, 8, 1, 16}, DType::kF32, 1e-6, 230);
}

// bf16 rounds q and the probabilities to bf16 as well (about 2e-3 rel-L2 here), so: within 5e-3 of
// the exact result on bf16-rounded q, k and v.
TEST(Attention, Bf16PrefillIsCloseToReferenceOnRoundedInputs) {
  SKIP_WITHOUT_BF16();
  check_prefill({2, 5, 4, 2, 16}, DType::kBF16, 5e-3, 240);
  check_prefill({1, 70, 4, 2, 32}, DType::kBF16, 5e-3, 250);
}

// A decode step after a prefill of S gives the last rows of a prefill of S + 1.
void check_decode_extends_prefill(DType cache, double tolerance) {
  constexpr std::int64_t kB = 2, kS = 66, kHq = 4, kHkv = 2, kD = 32;
  const Tensor q = random_f32({kB * (kS + 1), kHq * kD}, 300, 2.0F);
  const Tensor k = random_f32({kB * (kS + 1), kHkv * kD}, 301, 2.0F);
  const Tensor v = random_f32({kB * (kS + 1), kHkv * kD}, 302);
  Attention full(kHq, kHkv, kD, kB, 80, cache);
  Tensor full_out = Tensor::zeros(DType::kF32, {kB * (kS + 1), kHq * kD});
  full.prefill(q, k, v, kS + 1, full_out);

  Attention step(kHq, kHkv, kD, kB, 80, cache);
  Tensor prefix_out = Tensor::zeros(DType::kF32, {kB * kS, kHq * kD});
  step.prefill(sequence_rows(q, kB, kS + 1, 0, kS), sequence_rows(k, kB, kS + 1, 0, kS),
               sequence_rows(v, kB, kS + 1, 0, kS), kS, prefix_out);
  Tensor out = Tensor::zeros(DType::kF32, {kB, kHq * kD});
  expect_same_cost(
      step.decode(sequence_rows(q, kB, kS + 1, kS, 1), sequence_rows(k, kB, kS + 1, kS, 1),
                  sequence_rows(v, kB, kS + 1, kS, 1), out),
      Attention::decode_cost(kB, kS + 1, kHq, kHkv, kD, cache));
  EXPECT_EQ(step.length(), kS + 1);
  EXPECT_LE(rel_l2(values(out), values(sequence_rows(full_out, kB, kS + 1, kS, 1))), tolerance);
  EXPECT_LE(rel_l2(values(prefix_out), values(sequence_rows(full_out, kB, kS + 1, 0, kS))),
            tolerance);
}

TEST(Attention, DecodeExtendsPrefill) { check_decode_extends_prefill(DType::kF32, 1e-6); }

TEST(Attention, Bf16DecodeExtendsPrefill) {
  SKIP_WITHOUT_BF16();
  check_decode_extends_prefill(DType::kBF16, 1e-5);
}

TEST(Attention, DecodeStepsMatchReferenceAfterAShorterReusedCache) {
  // A long prefill, then a shorter one (stale positions must not leak), then decode steps.
  constexpr std::int64_t kB = 1, kHq = 2, kHkv = 1, kD = 16, kS = 3, kSteps = 4;
  Attention attention(kHq, kHkv, kD, kB, 64, DType::kF32);
  Tensor big = Tensor::zeros(DType::kF32, {40, kHq * kD});
  Tensor nan_v = random_f32({40, kHkv * kD}, 400);
  for (float& x : nan_v.data<float>()) x = NAN;
  attention.prefill(random_f32({40, kHq * kD}, 401), random_f32({40, kHkv * kD}, 402), nan_v, 40,
                    big);
  const std::int64_t total = kS + kSteps;
  const Tensor q = random_f32({total, kHq * kD}, 403), k = random_f32({total, kHkv * kD}, 404);
  const Tensor v = random_f32({total, kHkv * kD}, 405);
  Tensor out = Tensor::zeros(DType::kF32, {kS, kHq * kD});
  attention.prefill(sequence_rows(q, 1, total, 0, kS), sequence_rows(k, 1, total, 0, kS),
                    sequence_rows(v, 1, total, 0, kS), kS, out);
  const auto want = attention_ref(values(q), values(k), values(v), 1, total, kHq, kHkv, kD);
  for (std::int64_t s = kS; s < total; ++s) {
    Tensor row = Tensor::zeros(DType::kF32, {1, kHq * kD});
    attention.decode(sequence_rows(q, 1, total, s, 1), sequence_rows(k, 1, total, s, 1),
                     sequence_rows(v, 1, total, s, 1), row);
    const std::vector<double> want_row(want.begin() + s * kHq * kD,
                                       want.begin() + (s + 1) * kHq * kD);
    EXPECT_LE(rel_l2(values(row), want_row), 1e-6) << "position " << s;
  }
}

TEST(Attention, QueryHeadsReadTheirGroupsKvHead) {
  // Hq = 4, Hkv = 2: heads 0 and 1 read kv head 0 (values 0), heads 2 and 3 kv head 1 (values 1).
  constexpr std::int64_t kD = 8, kS = 4;
  const Tensor q = random_f32({kS, 4 * kD}, 500), k = random_f32({kS, 2 * kD}, 501);
  Tensor v = Tensor::zeros(DType::kF32, {kS, 2 * kD});
  for (std::int64_t s = 0; s < kS; ++s) {
    for (std::int64_t i = 0; i < kD; ++i) v.data<float>()[s * 2 * kD + kD + i] = 1.0F;
  }
  Attention attention(4, 2, kD, 1, kS, DType::kF32);
  Tensor out = Tensor::zeros(DType::kF32, {kS, 4 * kD});
  attention.prefill(q, k, v, kS, out);
  for (std::int64_t s = 0; s < kS; ++s) {
    for (std::int64_t h = 0; h < 4; ++h) {
      const float want = h < 2 ? 0.0F : 1.0F;
      for (std::int64_t i = 0; i < kD; ++i) {
        EXPECT_NEAR(out.data<float>()[s * 4 * kD + h * kD + i], want, 1e-6)
            << "s=" << s << " h=" << h;
      }
    }
  }
}

TEST(Attention, FullCacheAndBadShapesThrow) {
  Attention attention(2, 1, 8, 1, 3, DType::kF32);
  Tensor out = Tensor::zeros(DType::kF32, {1, 16});
  const Tensor q = random_f32({1, 16}, 600), kv = random_f32({1, 8}, 601);
  for (int i = 0; i < 3; ++i) attention.decode(q, kv, kv, out);
  EXPECT_EQ(attention.length(), 3);
  try {
    attention.decode(q, kv, kv, out);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(std::string(e.what()), "attention_decode: the KV cache is full (3 positions)");
  }
  Tensor out4 = Tensor::zeros(DType::kF32, {4, 16});
  EXPECT_THROW(attention.prefill(random_f32({4, 16}, 602), random_f32({4, 8}, 603),
                                 random_f32({4, 8}, 604), 4, out4),
               KernelError);  // longer than max_seq
  EXPECT_THROW(attention.decode(q, random_f32({1, 16}, 605), kv, out), KernelError);
  EXPECT_THROW(Attention(3, 2, 8, 1, 4, DType::kF32), KernelError);
  EXPECT_THROW(Attention(2, 1, 8, 1, 4, DType::kI32), KernelError);
}

TEST(Attention, CostFormulas) {
  // B=2, S=4, Hq=4, Hkv=2, D=8, bf16: 10 causal pairs per (sequence, head).
  const KernelCost p = Attention::prefill_cost(2, 4, 4, 2, 8, DType::kBF16);
  EXPECT_EQ(p.name, "attention_prefill");
  EXPECT_EQ(p.dtype, DType::kBF16);
  EXPECT_EQ(p.flops, 2.0 * 4 * 10 * (4 * 8 + 5));
  EXPECT_EQ(p.bytes, 2.0 * 2 * 4 * 4 * 8 * 4          // q and out
                         + 2.0 * 2 * 2 * 4 * 8 * 2    // K and V read
                         + 2.0 * 2 * 4 * 2 * 8 * 6);  // the append
  const KernelCost d = Attention::decode_cost(2, 10, 4, 2, 8, DType::kF32);
  EXPECT_EQ(d.name, "attention_decode");
  EXPECT_EQ(d.flops, 2.0 * 4 * 10 * (4 * 8 + 5));
  EXPECT_EQ(d.bytes, 2.0 * 2 * 4 * 8 * 4 + 2.0 * 2 * 2 * 10 * 8 * 4 + 2.0 * 2 * 2 * 8 * 8);
}

// ---------------------------------------------------------------------------------------------
// Embedding and argmax

TEST(Embedding, GathersLocalRowsAndZeroesTheOthers) {
  const Tensor table = random_f32({10, 6}, 700);
  Embedding f32(table, 100);
  Embedding bf16(to_bf16(table), 100);
  const std::vector<std::int64_t> ids{100, 109, 99, 110, 105, 0};
  Tensor out = Tensor::zeros(DType::kF32, {6, 6});
  Tensor out_bf16 = Tensor::zeros(DType::kF32, {6, 6});
  expect_same_cost(f32.forward(ids, out), Embedding::cost(6, 6, DType::kF32));
  expect_same_cost(bf16.forward(ids, out_bf16), Embedding::cost(6, 6, DType::kBF16));
  const auto rounded_table = values(to_bf16(table));
  for (std::size_t t = 0; t < ids.size(); ++t) {
    const std::int64_t local = ids[t] - 100;
    for (std::size_t c = 0; c < 6; ++c) {
      const bool in = local >= 0 && local < 10;
      const auto src = static_cast<std::size_t>(local) * 6 + c;
      EXPECT_EQ(out.data<float>()[t * 6 + c], in ? table.data<float>()[src] : 0.0F);
      EXPECT_EQ(out_bf16.data<float>()[t * 6 + c], in ? rounded_table[src] : 0.0);
    }
  }
  const KernelCost c = Embedding::cost(3, 4, DType::kBF16);
  EXPECT_EQ(c.name, "embedding");
  EXPECT_EQ(c.bytes, 3.0 * 4 * (2 + 4) + 3 * 8);
  Tensor wrong = Tensor::zeros(DType::kF32, {5, 6});
  EXPECT_THROW(f32.forward(ids, wrong), KernelError);
}

TEST(Argmax, FirstMaximumWins) {
  Tensor logits = Tensor::zeros(DType::kF32, {4, 5});
  const float rows[4][5] = {
      {1, 3, 3, 2, 0}, {7, 7, 7, 7, 7}, {-5, -4, -1, -2, -1}, {NAN, 0.5F, 2, 2, -1}};
  for (std::size_t r = 0; r < 4; ++r) {
    for (std::size_t c = 0; c < 5; ++c) logits.data<float>()[r * 5 + c] = rows[r][c];
  }
  EXPECT_EQ(argmax_rows(logits), (std::vector<std::int64_t>{1, 0, 2, 2}));
  const KernelCost c = argmax_cost(4, 5);
  EXPECT_EQ(c.name, "argmax");
  EXPECT_EQ(c.flops, 20.0);
  EXPECT_EQ(c.bytes, 20.0 * 4 + 4 * 8);
  EXPECT_THROW(argmax_rows(Tensor::zeros(DType::kBF16, {2, 2})), KernelError);
}

}  // namespace
}  // namespace commsim::kernels
