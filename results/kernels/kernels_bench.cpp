// Kernel throughput: matmul GFLOP/s through kernels::Linear::forward against a bare oneDNN matmul
// of the same shape (weights prepacked the same way, same threads), plus RMSNorm, SiLU-and-mul and
// attention at Llama-3-8B sizes. Prints Markdown tables (results/kernels/README.md).
// Medians over repetitions; warm-up calls (primitive creation, JIT) excluded. Thread count comes
// from OMP_NUM_THREADS.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "communicators/half_float.h"
#include "communicators/tensor.h"
#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/linear.h"
#include "kernels/onednn_runtime.h"
#include "kernels/rms_norm.h"

namespace {

namespace comm = commsim::comm;
namespace kn = commsim::kernels;
using Clock = std::chrono::steady_clock;
using comm::DType;
using comm::Tensor;

comm::Tensor random_tensor(DType dtype, comm::Shape shape, std::uint32_t seed) {
  Tensor f = Tensor::zeros(DType::kF32, shape);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0F, 1.0F);
  for (float& x : f.data<float>()) x = dist(rng);
  if (dtype == DType::kF32) return f;
  Tensor b = Tensor::zeros(DType::kBF16, shape);
  for (std::size_t i = 0; i < f.data<float>().size(); ++i) {
    b.data<std::uint16_t>()[i] = comm::float_to_bf16(f.data<float>()[i]);
  }
  return b;
}

double seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Median seconds per call of each function, the functions' samples interleaved so that drift hits
// both alike. Each sample runs a function `inner` times, enough for about 2 ms.
std::vector<double> time_calls(const std::vector<std::function<void()>>& calls, int samples) {
  for (const auto& f : calls) {
    for (int i = 0; i < 3; ++i) f();  // warm-up: creation, JIT, caches
  }
  const auto start = Clock::now();
  calls.front()();
  const double one = std::max(seconds(start), 1e-7);
  const int inner = std::clamp(static_cast<int>(2e-3 / one), 1, 2000);
  std::vector<std::vector<double>> per(calls.size());
  for (int s = 0; s < samples; ++s) {
    for (std::size_t c = 0; c < calls.size(); ++c) {
      const auto t0 = Clock::now();
      for (int i = 0; i < inner; ++i) calls[c]();
      per[c].push_back(seconds(t0) / inner);
    }
  }
  std::vector<double> out;
  for (auto& v : per) out.push_back(median(v));
  return out;
}

// The reference: one bare oneDNN matmul, weights packed with tag::any, memory objects made once.
struct BareMatmul {
  dnnl::matmul prim;
  dnnl::memory x, w, y;
  BareMatmul(const Tensor& weight, Tensor& xt, Tensor& yt) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    auto& eng = kn::cpu_engine();
    const auto n = weight.shape()[0], k = weight.shape()[1], m = xt.shape()[0];
    const dt in = weight.dtype() == DType::kF32 ? dt::f32 : dt::bf16;
    const dnnl::memory::desc x_md({m, k}, in, tag::ab), y_md({m, n}, dt::f32, tag::ab);
    const dnnl::matmul::primitive_desc pd(
        dnnl::matmul::desc(x_md, dnnl::memory::desc({k, n}, in, tag::any), y_md), eng);
    prim = dnnl::matmul(pd);
    dnnl::memory user({{k, n}, in, tag::ba}, eng, const_cast<std::byte*>(weight.bytes().data()));
    w = dnnl::memory(pd.weights_desc(), eng);
    dnnl::reorder(user, w).execute(kn::cpu_stream(), user, w);
    kn::cpu_stream().wait();
    x = dnnl::memory(x_md, eng, xt.mutable_bytes().data());
    y = dnnl::memory(y_md, eng, yt.mutable_bytes().data());
  }
  void operator()() {
    prim.execute(kn::cpu_stream(), {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}});
    kn::cpu_stream().wait();
  }
};

void matmul_table(int samples) {
  std::printf(
      "\n| dtype | K=N | M | Linear GFLOP/s | bare oneDNN GFLOP/s | Linear/bare | same bits |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const DType dtype : {DType::kF32, DType::kBF16}) {
    if (dtype == DType::kBF16 && !kn::bf16_supported()) continue;
    for (const std::int64_t kn_size : {1024, 4096}) {
      const Tensor weight = random_tensor(dtype, {kn_size, kn_size}, 1);
      kn::Linear linear("linear", weight);
      for (const std::int64_t m : {1, 32, 128, 512}) {
        Tensor x = random_tensor(dtype, {m, kn_size}, 2);
        Tensor y_linear = Tensor::zeros(DType::kF32, {m, kn_size});
        Tensor y_bare = Tensor::zeros(DType::kF32, {m, kn_size});
        BareMatmul bare(weight, x, y_bare);
        const auto t = time_calls({[&] { linear.forward(x, y_linear); }, [&] { bare(); }}, samples);
        const double flops = 2.0 * static_cast<double>(m * kn_size * kn_size);
        std::printf("| %s | %lld | %lld | %.1f | %.1f | %.3f | %s |\n",
                    dtype == DType::kF32 ? "f32" : "bf16", static_cast<long long>(kn_size),
                    static_cast<long long>(m), flops / t[0] / 1e9, flops / t[1] / 1e9, t[1] / t[0],
                    comm::bit_identical(y_linear, y_bare) ? "yes" : "NO");
      }
    }
  }
}

void layer_ops_table(int samples) {
  constexpr std::int64_t kH = 4096, kF = 14336;  // Llama-3-8B hidden and MLP sizes
  std::printf("\n| kernel | shape | median µs | GB/s (cost bytes / time) |\n|---|---|---|---|\n");
  for (const std::int64_t m : {1, 128, 512}) {
    kn::RmsNorm norm(random_tensor(DType::kF32, {kH}, 3), 1e-5F);
    const Tensor x = random_tensor(DType::kF32, {m, kH}, 4);
    Tensor y = Tensor::zeros(DType::kF32, {m, kH});
    const double t = time_calls({[&] { norm.forward(x, y); }}, samples)[0];
    std::printf("| rms_norm | M=%lld H=%lld | %.1f | %.1f |\n", static_cast<long long>(m),
                static_cast<long long>(kH), t * 1e6, kn::RmsNorm::cost(m, kH).bytes / t / 1e9);
  }
  for (const std::int64_t m : {1, 128}) {
    const Tensor gate = random_tensor(DType::kF32, {m, kF}, 5);
    const Tensor up = random_tensor(DType::kF32, {m, kF}, 6);
    Tensor out = Tensor::zeros(DType::kF32, {m, kF});
    const double t = time_calls({[&] { kn::silu_and_mul(gate, up, out); }}, samples)[0];
    std::printf("| silu_and_mul | M=%lld F=%lld | %.1f | %.1f |\n", static_cast<long long>(m),
                static_cast<long long>(kF), t * 1e6, kn::silu_and_mul_cost(m, kF).bytes / t / 1e9);
  }
}

// Decode at a fixed context span: prefill `context` positions, then time single decode steps (the
// context grows by one per step, inside one 64-key block).
void attention_table(int samples) {
  constexpr std::int64_t kHq = 32, kHkv = 8, kD = 128, kContext = 1024;  // Llama-3-8B, one rank
  std::printf("\n| kernel | shape | median µs | GFLOP/s | GB/s (cost bytes / time) |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const DType cache : {DType::kF32, DType::kBF16}) {
    if (cache == DType::kBF16 && !kn::bf16_supported()) continue;
    for (const std::int64_t batch : {1, 8}) {
      const std::int64_t max_seq = kContext + 64;
      kn::Attention attention(kHq, kHkv, kD, batch, max_seq, cache);
      const std::int64_t rows = batch * kContext;
      const Tensor q = random_tensor(DType::kF32, {rows, kHq * kD}, 7);
      const Tensor k = random_tensor(DType::kF32, {rows, kHkv * kD}, 8);
      const Tensor v = random_tensor(DType::kF32, {rows, kHkv * kD}, 9);
      Tensor out = Tensor::zeros(DType::kF32, {rows, kHq * kD});
      attention.prefill(q, k, v, kContext, out);  // creation and JIT
      std::vector<double> prefill_times;
      kn::KernelCost pc;
      for (int rep = 0; rep < 3; ++rep) {
        const auto start = Clock::now();
        pc = attention.prefill(q, k, v, kContext, out);
        prefill_times.push_back(seconds(start));
      }
      const double tp = median(prefill_times);
      std::printf(
          "| attention_prefill %s | B=%lld S=%lld Hq=%lld Hkv=%lld D=%lld | %.0f | %.1f | "
          "%.1f |\n",
          cache == DType::kF32 ? "f32" : "bf16", static_cast<long long>(batch),
          static_cast<long long>(kContext), static_cast<long long>(kHq),
          static_cast<long long>(kHkv), static_cast<long long>(kD), tp * 1e6, pc.flops / tp / 1e9,
          pc.bytes / tp / 1e9);

      const Tensor dq = random_tensor(DType::kF32, {batch, kHq * kD}, 10);
      const Tensor dk = random_tensor(DType::kF32, {batch, kHkv * kD}, 11);
      const Tensor dv = random_tensor(DType::kF32, {batch, kHkv * kD}, 12);
      Tensor dout = Tensor::zeros(DType::kF32, {batch, kHq * kD});
      attention.decode(dq, dk, dv, dout);  // creation and JIT of the next key block
      std::vector<double> times;
      kn::KernelCost dc;
      const int steps = std::min<int>(samples * 3, 60);
      for (int s = 0; s < steps; ++s) {
        const auto t0 = Clock::now();
        dc = attention.decode(dq, dk, dv, dout);
        times.push_back(seconds(t0));
      }
      const double td = median(times);
      std::printf(
          "| attention_decode %s | B=%lld context %lld-%lld Hq=%lld Hkv=%lld D=%lld | %.1f | "
          "%.1f | %.1f |\n",
          cache == DType::kF32 ? "f32" : "bf16", static_cast<long long>(batch),
          static_cast<long long>(kContext + 2), static_cast<long long>(kContext + 1 + steps),
          static_cast<long long>(kHq), static_cast<long long>(kHkv), static_cast<long long>(kD),
          td * 1e6, dc.flops / td / 1e9, dc.bytes / td / 1e9);
    }
  }
}

}  // namespace

int main() {
  constexpr int kSamples = 15;
  const char* threads = std::getenv("OMP_NUM_THREADS");
  std::printf("## OMP_NUM_THREADS=%s, oneDNN ISA: %s, oneDNN %d.%d.%d\n",
              threads != nullptr ? threads : "(unset: all cores)", kn::cpu_isa_name().c_str(),
              dnnl::version()->major, dnnl::version()->minor, dnnl::version()->patch);
  matmul_table(kSamples);
  layer_ops_table(kSamples);
  attention_table(kSamples);
  return 0;
}
