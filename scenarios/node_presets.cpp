#include "scenarios/node_presets.h"

namespace commsim::scenario {

const std::vector<NodePreset>& node_presets() {
  // Peak flop/s per core = FP32 FMA units x SIMD lanes x 2 flops x base clock. Memory bandwidth =
  // channels x transfers/s x 8 bytes, for all sockets. Memory latency: a typical DRAM load.
  // Kernels on the servers: 0.9 of peak for compute-bound matmuls (oneDNN's brgemm reaches
  // 0.86-0.98 on AVX-512), bf16 at twice the f32 rate (AVX512-BF16 VDPBF16PS, SVE BFDOT; AMX is
  // not modelled), 5 us per call for an OpenMP fork/join over many threads. On this machine they
  // are measured: the sgemm figure is already the achieved rate (efficiency 1), bf16 Linear ran
  // at 477 against f32's 251 GFLOP/s (results/kernels/README.md), 1 us per single-thread call.
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
       comm::Arch::kX86, NodeHardware{2, 251.5e9, 41.1e9, 100e-9, KernelModel{1.0, 1.9, 1e-6}},
       "measured with results/presets/measure_host.cpp (build target measure_host): oneDNN "
       "dnnl_sgemm f32 2048^3 on one thread, 251.5 GFLOP/s; memcpy of 512 MiB counted as read + "
       "write, 41.1 GB/s; medians of 5 (see results/presets/README.md)"},
  };
  return presets;
}

const NodePreset* find_node_preset(std::string_view name) {
  for (const NodePreset& preset : node_presets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

}  // namespace commsim::scenario
