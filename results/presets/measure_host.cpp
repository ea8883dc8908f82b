// Measures the two figures of the `this-machine` node preset (scenarios/node_presets.cpp):
// single-thread f32 matmul speed through oneDNN's dnnl_sgemm, and memory bandwidth as a large
// memcpy counted as read + write. Prints the medians of 5 runs. Run with OMP_NUM_THREADS=1.
#include <dnnl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  constexpr int kRuns = 5;
  constexpr dnnl_dim_t n = 2048;
  std::vector<float> a(n * n, 1.0F), b(n * n, 1.0F), c(n * n, 0.0F);
  std::vector<double> gflops;
  for (int run = 0; run < kRuns; ++run) {
    const auto start = std::chrono::steady_clock::now();
    dnnl_sgemm('N', 'N', n, n, n, 1.0F, a.data(), n, b.data(), n, 0.0F, c.data(), n);
    gflops.push_back(2.0 * n * n * n / seconds_since(start) / 1e9);
  }
  constexpr std::size_t kBytes = std::size_t{512} << 20;
  std::vector<char> source(kBytes, 1), target(kBytes, 0);
  std::vector<double> gbytes;
  for (int run = 0; run < kRuns; ++run) {
    const auto start = std::chrono::steady_clock::now();
    std::memcpy(target.data(), source.data(), kBytes);
    gbytes.push_back(2.0 * kBytes / seconds_since(start) / 1e9);
  }
  std::printf("core_gflops: %.1f  # dnnl_sgemm f32 %lldx%lldx%lld, one thread, median of %d\n",
              median(gflops), static_cast<long long>(n), static_cast<long long>(n),
              static_cast<long long>(n), kRuns);
  std::printf("memory_bandwidth: %.1fGBps  # memcpy of 512 MiB as read + write, median of %d\n",
              median(gbytes), kRuns);
  return target[kBytes / 2] == 1 && c[0] == static_cast<float>(n) ? 0 : 1;
}
