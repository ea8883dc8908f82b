#include "scenarios/node_presets.h"

#include <deque>
#include <mutex>
#include <utility>

namespace commsim::scenario {

namespace {

// Presets read from files: their strings and the presets viewing them. std::deque never moves its
// elements when it grows, so every string_view and pointer handed out stays valid.
struct FilePresets {
  std::mutex mutex;
  std::deque<std::string> strings;
  std::deque<NodePreset> presets;
};

FilePresets& file_presets() {
  static FilePresets registry;
  return registry;
}

bool same_hardware(const NodeHardware& a, const NodeHardware& b) {
  return a.cores == b.cores && a.core_flops == b.core_flops &&
         a.memory_bandwidth == b.memory_bandwidth && a.memory_latency == b.memory_latency &&
         a.kernels.efficiency == b.kernels.efficiency &&
         a.kernels.bf16_speedup == b.kernels.bf16_speedup &&
         a.kernels.call_overhead == b.kernels.call_overhead;
}

}  // namespace

const std::vector<NodePreset>& node_presets() {
  // Peak flop/s per core = FP32 FMA units x SIMD lanes x 2 flops x base clock. Memory bandwidth =
  // channels x transfers/s x 8 bytes, for all sockets. Memory latency: a typical DRAM load.
  // Kernels on the servers: 0.9 of peak for compute-bound matmuls (oneDNN's brgemm reaches
  // 0.86-0.98 on AVX-512), bf16 at twice the f32 rate (AVX512-BF16 VDPBF16PS, SVE BFDOT; AMX is
  // not modelled), 5 us per call for an OpenMP fork/join over many threads. On this machine they
  // are measured by `commsim calibrate`: its matmul figure is already the achieved rate
  // (efficiency 1), bf16 over f32 and the per-call time are what kernels::Linear and a tiny
  // add_in_place took on one thread.
  static const std::vector<NodePreset> presets = {
      {"x86-server", "2 x Intel Xeon Platinum 8480+ (Sapphire Rapids), 112 cores, 16 ch DDR5-4800",
       comm::Arch::kX86, NodeHardware{112, 128e9, 614.4e9, 100e-9, KernelModel{0.9, 2.0, 5e-6}},
       "Intel ARK, Xeon Platinum 8480+: 56 cores, 2.0 GHz base, 8 channels DDR5-4800 per socket; "
       "2 AVX-512 FMA units per core (Intel 64 and IA-32 Architectures Optimization Reference "
       "Manual): 2 x 16 x 2 x 2.0 GHz = 128 GFLOP/s; 2 x 8 x 38.4 GB/s = 614.4 GB/s"},
      {"arm-server", "AWS Graviton3 (Neoverse V1), 64 cores, 8 ch DDR5-4800", comm::Arch::kArm,
       NodeHardware{64, 83.2e9, 307.2e9, 100e-9, KernelModel{0.9, 2.0, 5e-6}},
       "AWS EC2 C7g instances: Graviton3, 64 cores at 2.6 GHz, DDR5-4800; Arm Neoverse V1 "
       "Software Optimization Guide: 2 x 256-bit SVE FMA pipes: 2 x 8 x 2 x 2.6 GHz = "
       "83.2 GFLOP/s; 8 x 38.4 GB/s = 307.2 GB/s"},
      {"this-machine", "the 2-core AMD EPYC (Zen 5) virtual machine commsim is developed on",
       comm::Arch::kX86, NodeHardware{2, 238.0e9, 36.0e9, 100e-9, KernelModel{1.0, 2.04, 2.49e-6}},
       "measured with commsim calibrate --name this-machine (results/presets/this-machine.yaml): "
       "kernels::Linear f32 M=512 K=N=2048 on one thread, 238.0 GFLOP/s, bf16 484.6 GFLOP/s "
       "(x2.04); memcpy of 512 MiB counted as read + write, 36.0 GB/s; add_in_place of 64 floats, "
       "2.49 us per call; medians of 11 (see results/presets/README.md)"},
  };
  return presets;
}

const NodePreset* find_node_preset(std::string_view name) {
  for (const NodePreset& preset : node_presets()) {
    if (preset.name == name) return &preset;
  }
  FilePresets& files = file_presets();
  const std::lock_guard<std::mutex> lock(files.mutex);
  for (auto preset = files.presets.rbegin(); preset != files.presets.rend(); ++preset) {
    if (preset->name == name) return &*preset;
  }
  return nullptr;
}

const NodePreset& register_file_preset(std::string name, std::string summary, comm::Arch arch,
                                       const NodeHardware& hardware, std::string source) {
  FilePresets& files = file_presets();
  const std::lock_guard<std::mutex> lock(files.mutex);
  // The same file read again with the same contents (every point of a sweep) adds nothing.
  for (auto known = files.presets.rbegin(); known != files.presets.rend(); ++known) {
    if (known->name != name) continue;
    if (known->summary == summary && known->arch == arch && known->source == source &&
        same_hardware(known->hardware, hardware)) {
      return *known;
    }
    break;
  }
  const std::string_view stored_name = files.strings.emplace_back(std::move(name));
  const std::string_view stored_summary = files.strings.emplace_back(std::move(summary));
  const std::string_view stored_source = files.strings.emplace_back(std::move(source));
  return files.presets.emplace_back(
      NodePreset{stored_name, stored_summary, arch, hardware, stored_source});
}

}  // namespace commsim::scenario
