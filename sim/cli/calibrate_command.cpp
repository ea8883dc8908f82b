// commsim calibrate: measures this machine's kernels and memory and writes a node preset file
// (scenarios/preset_file.h) that scenarios can name.
//
// This is the offline measuring tool: wall time never enters a simulation, but its figures, once
// written to a file, are configuration like any other preset. The matmul figures come from
// kernels::Linear, the kernel the model workload runs, so they are the rates the model reaches
// here, not a peak.
#include <omp.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "communicators/half_float.h"
#include "communicators/rank_env.h"
#include "communicators/tensor.h"
#include "kernels/elementwise.h"
#include "kernels/linear.h"
#include "kernels/onednn_runtime.h"
#include "results/yaml_text.h"
#include "scenarios/preset_file.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"

namespace commsim::cli {

namespace {

namespace po = boost::program_options;
namespace kn = commsim::kernels;
using Clock = std::chrono::steady_clock;
using comm::DType;
using comm::Tensor;

constexpr int kMaxThreads = 4096;
constexpr double kAssumedMemoryLatency = 100e-9;  // a typical DRAM load; not measured

// How much to measure: the full run, or --quick (small shapes, few samples; figures are rough).
struct Plan {
  std::int64_t m;               // matmul rows (tokens)
  std::int64_t k_n;             // matmul K = N: compute-bound with M
  std::size_t memcpy_bytes;     // well beyond the caches
  int samples;                  // medians of this many
  double min_sample_seconds;    // each sample repeats a call until it lasts about this long
  std::int64_t overhead_numel;  // elements of the tiny kernel call
};

constexpr Plan kFullPlan{512, 2048, std::size_t{512} << 20, 11, 20e-3, 64};
constexpr Plan kQuickPlan{64, 512, std::size_t{32} << 20, 3, 1e-3, 64};

struct MatmulFigure {
  DType dtype;
  int threads;
  double gflops;
};

struct OverheadFigure {
  int threads;
  double seconds;
};

// Everything measured, and the machine it was measured on.
struct Measurements {
  std::string arch;  // uname -m spelling
  int cores = 0;     // online CPUs
  std::string cpu;   // model name, "" when unknown
  std::string isa;   // oneDNN's effective ISA
  std::string onednn;
  std::optional<std::string> bf16_unsupported;  // why bf16 was not measured
  std::vector<MatmulFigure> matmul;
  double memcpy_gbps = 0;
  std::vector<OverheadFigure> call_overhead;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Median seconds per call of `call` over `plan.samples` samples, after three warm-up calls
// (primitive creation, JIT, caches). A sample repeats the call until it lasts about
// plan.min_sample_seconds, so that short calls are not lost in the clock's resolution.
double seconds_per_call(const std::function<void()>& call, const Plan& plan) {
  for (int i = 0; i < 3; ++i) call();
  const auto start = Clock::now();
  call();
  const double one = std::max(seconds_since(start), 1e-8);
  const int repeats = std::clamp(static_cast<int>(plan.min_sample_seconds / one), 1, 100000);
  std::vector<double> samples;
  for (int s = 0; s < plan.samples; ++s) {
    const auto t0 = Clock::now();
    for (int i = 0; i < repeats; ++i) call();
    samples.push_back(seconds_since(t0) / repeats);
  }
  return median(samples);
}

// A tensor of `shape` with values in [-0.5, 0.5), the same on every run.
Tensor filled(DType dtype, comm::Shape shape) {
  Tensor values = Tensor::zeros(DType::kF32, shape);
  std::uint32_t state = 12345;
  for (float& x : values.data<float>()) {
    state = state * 1664525u + 1013904223u;
    x = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) - 0.5F;
  }
  if (dtype == DType::kF32) return values;
  Tensor converted = Tensor::zeros(DType::kBF16, shape);
  for (std::size_t i = 0; i < values.data<float>().size(); ++i) {
    converted.data<std::uint16_t>()[i] = comm::float_to_bf16(values.data<float>()[i]);
  }
  return converted;
}

// GFLOP/s of kernels::Linear::forward at M x K . K x N, on the current OpenMP thread count.
double matmul_gflops(DType dtype, const Plan& plan) {
  kn::Linear linear("calibrate", filled(dtype, {plan.k_n, plan.k_n}));
  const Tensor x = filled(dtype, {plan.m, plan.k_n});
  Tensor y = Tensor::zeros(DType::kF32, {plan.m, plan.k_n});
  const double seconds = seconds_per_call([&] { linear.forward(x, y); }, plan);
  return 2.0 * static_cast<double>(plan.m * plan.k_n * plan.k_n) / seconds / 1e9;
}

// Memory bandwidth as one thread's memcpy of plan.memcpy_bytes, counted as read + write.
double memcpy_gbps(const Plan& plan) {
  std::vector<char> source(plan.memcpy_bytes, 1);
  std::vector<char> target(plan.memcpy_bytes, 0);  // both written: no page faults in the timing
  Plan one_copy = plan;
  one_copy.min_sample_seconds = 0;
  const double seconds = seconds_per_call(
      [&] { std::memcpy(target.data(), source.data(), plan.memcpy_bytes); }, one_copy);
  if (target[plan.memcpy_bytes / 2] != 1) throw std::runtime_error("memcpy copied nothing");
  return 2.0 * static_cast<double>(plan.memcpy_bytes) / seconds / 1e9;
}

// Seconds per call of a kernel too small to take time of its own (add_in_place), on the current
// OpenMP thread count: the dispatch and thread fork/join every kernel call pays.
double call_overhead_seconds(const Plan& plan) {
  Tensor acc = filled(DType::kF32, {plan.overhead_numel});
  const Tensor zeros = Tensor::zeros(DType::kF32, {plan.overhead_numel});
  return seconds_per_call([&] { kn::add_in_place(acc, zeros); }, plan);
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

std::string today_utc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

std::string format(const char* spec, double value) {
  char text[64];
  std::snprintf(text, sizeof text, spec, value);
  return text;
}

std::string dtype_text(DType dtype) { return dtype == DType::kF32 ? "f32" : "bf16"; }

std::string threads_text(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

// ----- options -----

// "1,2,4" as a set of thread counts; UsageError naming --threads otherwise.
std::vector<int> parse_threads(const std::string& text) {
  std::set<int> counts;
  std::stringstream items(text);
  std::string item;
  const auto bad = [&](const std::string& what) {
    return UsageError("--threads: expected thread counts from 1 to " + std::to_string(kMaxThreads) +
                      " separated by commas (e.g. 1,2), got " + what);
  };
  while (std::getline(items, item, ',')) {
    int value = 0;
    std::size_t used = 0;
    try {
      value = std::stoi(item, &used);
    } catch (const std::exception&) {
      throw bad("'" + item + "'");
    }
    if (used != item.size() || value < 1 || value > kMaxThreads) throw bad("'" + item + "'");
    counts.insert(value);
  }
  if (counts.empty() || text.empty() || text.back() == ',') throw bad("'" + text + "'");
  return {counts.begin(), counts.end()};
}

void check_name(const std::string& name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!plain) {
    throw UsageError("--name: expected letters, digits, '-', '_' or '.', got '" + name + "'");
  }
}

// ----- measuring -----

Measurements measure(const std::vector<int>& thread_counts, const Plan& plan) {
  Measurements out;
  utsname machine{};
  uname(&machine);
  out.arch = machine.machine;
  if (!comm::parse_arch(out.arch)) {
    throw UsageError("commsim calibrate: this machine's architecture '" + out.arch +
                     "' is not one commsim models (x86_64, aarch64, ppc64le, s390x, riscv64)");
  }
  out.cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  out.cpu = cpu_model_name();
  out.isa = kn::cpu_isa_name();
  const dnnl_version_t* version = dnnl::version();
  out.onednn = std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
               std::to_string(version->patch);
  std::string why;
  if (!kn::bf16_supported(&why)) out.bf16_unsupported = why;

  std::cout << "commsim calibrate: " << out.arch << ", " << out.cores << " online CPUs"
            << (out.cpu.empty() ? "" : " (" + out.cpu + ")") << ", oneDNN " << out.onednn << " ISA "
            << out.isa << "\n";
  const std::string shape = "M=" + std::to_string(plan.m) + " K=N=" + std::to_string(plan.k_n);
  for (const int threads : thread_counts) {
    omp_set_num_threads(threads);
    for (const DType dtype : {DType::kF32, DType::kBF16}) {
      if (dtype == DType::kBF16 && out.bf16_unsupported) continue;
      const double gflops = matmul_gflops(dtype, plan);
      out.matmul.push_back(MatmulFigure{dtype, threads, gflops});
      std::cout << "  matmul " << dtype_text(dtype) << " " << shape << ", " << threads_text(threads)
                << ": " << format("%.1f", gflops) << " GFLOP/s\n";
    }
    const double overhead = call_overhead_seconds(plan);
    out.call_overhead.push_back(OverheadFigure{threads, overhead});
    std::cout << "  kernel call (add_in_place of " << plan.overhead_numel << " floats), "
              << threads_text(threads) << ": " << format("%.2f", overhead * 1e6) << " us\n";
  }
  if (out.bf16_unsupported) std::cout << "  bf16 not measured: " << *out.bf16_unsupported << "\n";
  out.memcpy_gbps = memcpy_gbps(plan);
  std::cout << "  memcpy of " << (plan.memcpy_bytes >> 20)
            << " MiB, 1 thread, read + write: " << format("%.1f", out.memcpy_gbps) << " GB/s\n";
  return out;
}

// ----- the preset -----

// The node preset the measurements give, as written to the file (figures rounded as written).
struct DerivedPreset {
  int threads = 1;            // the thread count the per-core figures come from
  std::string core_gflops;    // f32 GFLOP/s per thread there
  std::string bf16_speedup;   // bf16 / f32 there; 1 without bf16
  std::string call_overhead;  // "1.20us"
  std::string memory_bandwidth;
};

DerivedPreset derive(const Measurements& m) {
  DerivedPreset preset;
  preset.threads = m.call_overhead.front().threads;  // the smallest thread count measured
  double f32 = 0;
  double bf16 = 0;
  for (const MatmulFigure& figure : m.matmul) {
    if (figure.threads != preset.threads) continue;
    (figure.dtype == DType::kF32 ? f32 : bf16) = figure.gflops;
  }
  preset.core_gflops = format("%.1f", f32 / preset.threads);
  preset.bf16_speedup = bf16 > 0 ? format("%.2f", bf16 / f32) : "1.0";
  preset.call_overhead = format("%.2f", m.call_overhead.front().seconds * 1e6) + "us";
  preset.memory_bandwidth = format("%.1f", m.memcpy_gbps) + "GBps";
  return preset;
}

std::string preset_yaml(const std::string& name, const Measurements& m, const DerivedPreset& p,
                        const Plan& plan, bool quick) {
  const std::string at = std::to_string(p.threads) + "-thread";
  std::ostringstream out;
  out << "# A node preset measured by `commsim calibrate" << (quick ? " --quick" : "") << "` on "
      << today_utc() << " (UTC).\n"
      << "# Name it in a scenario's node as `preset: <this file, relative to the scenario>`.\n"
      << "# core_gflops is the f32 rate kernels::Linear reached on one thread, not a peak, so\n"
      << "# kernels.efficiency is 1.0. memory_latency is not measured: a typical DRAM load.\n"
      << "preset:\n"
      << "  name: " << name << "\n"
      << "  summary: "
      << results::yaml_quoted(m.arch + ", " + std::to_string(m.cores) + " cores, " + m.isa +
                              " (measured by commsim calibrate)")
      << "\n"
      << "  arch: " << m.arch << "\n"
      << "  cores: " << m.cores << "\n"
      << "  core_gflops: " << p.core_gflops << "  # f32 matmul, " << at << " rate per thread\n"
      << "  memory_bandwidth: " << p.memory_bandwidth << "  # memcpy counted as read + write\n"
      << "  memory_latency: " << format("%.0f", kAssumedMemoryLatency * 1e9)
      << "ns  # not measured\n"
      << "  kernels: { efficiency: 1.0, bf16_speedup: " << p.bf16_speedup
      << ", call_overhead: " << p.call_overhead << " }\n"
      << "measured:  # what the figures come from, for the record; not read\n";
  if (!m.cpu.empty()) out << "  cpu: " << results::yaml_quoted(m.cpu) << "\n";
  out << "  isa: " << m.isa << "\n"
      << "  onednn: " << results::yaml_quoted(m.onednn) << "\n"
      << "  samples: " << plan.samples << "  # medians of this many, warm-up calls excluded\n"
      << "  matmul:  # kernels::Linear::forward, y[M,N] = x[M,K] . W[N,K]^T\n";
  for (const MatmulFigure& f : m.matmul) {
    out << "    - { dtype: " << dtype_text(f.dtype) << ", threads: " << f.threads
        << ", m: " << plan.m << ", k: " << plan.k_n << ", n: " << plan.k_n
        << ", gflops: " << format("%.1f", f.gflops) << " }\n";
  }
  if (m.bf16_unsupported)
    out << "  bf16: " << results::yaml_quoted("not measured: " + *m.bf16_unsupported) << "\n";
  out << "  memcpy_bytes: " << plan.memcpy_bytes << "\n"
      << "  memcpy_gbps: " << format("%.1f", m.memcpy_gbps) << "  # one thread, read + write\n"
      << "  call_overhead_us:  # add_in_place of " << plan.overhead_numel << " floats\n";
  for (const OverheadFigure& f : m.call_overhead) {
    out << "    - { threads: " << f.threads << ", us: " << format("%.2f", f.seconds * 1e6)
        << " }\n";
  }
  return out.str();
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args) {
  po::options_description options("commsim calibrate [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("out", po::value<std::string>()->default_value("calibrated-host.yaml"),
       "write the preset file here (its name must end in .yaml or .yml)")  //
      ("name", po::value<std::string>()->default_value("calibrated-host"),
       "the preset's name inside the file")  //
      ("threads", po::value<std::string>(),
       "thread counts to measure the matmuls at, e.g. 1,2 (default: 1 and the online CPUs)")  //
      ("quick", "small shapes and few samples: rough figures, in about a second");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nMeasures this machine through the model's own kernels and writes a node\n"
                 "preset file: f32 (and bf16, where oneDNN runs it natively) matmul GFLOP/s of\n"
                 "kernels::Linear at each thread count, one thread's memcpy bandwidth, and the\n"
                 "time of a tiny kernel call. The preset takes its per-core figures from the\n"
                 "smallest thread count. Scenarios name the file as `preset: ./FILE.yaml`.\n"
                 "\nExit status: 0 written, 2 unusable options.\n";
    return kExitPass;
  }
  if (!scenario_paths(vm).empty()) {
    throw UsageError("commsim calibrate: takes no positional arguments, got '" +
                     scenario_paths(vm).front() + "'");
  }
  const std::string out = vm["out"].as<std::string>();
  if (!scenario::is_preset_file_name(out)) {
    throw UsageError(
        "--out: a preset file's name must end in .yaml or .yml (scenarios tell preset "
        "files from preset names by it), got '" +
        out + "'");
  }
  const std::string name = vm["name"].as<std::string>();
  check_name(name);
  const int online = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  const std::vector<int> threads = vm.count("threads")
                                       ? parse_threads(vm["threads"].as<std::string>())
                                       : parse_threads("1," + std::to_string(online));
  check_outputs({{"--out", out}}, {});

  const bool quick = vm.count("quick") > 0;
  const Plan& plan = quick ? kQuickPlan : kFullPlan;
  const Measurements measured = measure(threads, plan);
  const DerivedPreset preset = derive(measured);
  write_output({"--out", out}, preset_yaml(name, measured, preset, plan, quick));

  // The file must read back as a preset, exactly as a scenario naming it will read it.
  const scenario::PresetFileResult check = scenario::load_preset_file(out);
  if (!check.preset) {
    throw std::runtime_error("the preset file written does not read back: " + check.errors.front());
  }
  std::cout << "preset '" << name << "': " << measured.cores << " cores, " << preset.core_gflops
            << " GFLOP/s per core, " << preset.memory_bandwidth << ", bf16 x" << preset.bf16_speedup
            << ", " << preset.call_overhead << " per call\n"
            << "wrote " << out
            << " (a scenario names it as `preset: PATH`, relative to the scenario's directory)\n";
  return kExitPass;
}

}  // namespace commsim::cli
