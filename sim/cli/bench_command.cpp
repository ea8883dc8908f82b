// commsim bench: one collective over a range of sizes on a scenario's topology, as the table
// people know from nccl-tests, with the backend forced either way.
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "results/record_json.h"
#include "scenarios/units.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"
#include "sim/runtime.h"

namespace commsim::cli {

namespace po = boost::program_options;

namespace {

struct SizeRange {
  std::int64_t min = 4096;
  std::int64_t max = 64 << 20;
};

SizeRange parse_sizes(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) throw UsageError("--sizes: expected MIN:MAX, e.g. 4KiB:64MiB");
  const scenario::Quantity low = scenario::parse_bytes(text.substr(0, colon));
  const scenario::Quantity high = scenario::parse_bytes(text.substr(colon + 1));
  if (!low) throw UsageError("--sizes: " + low.error);
  if (!high) throw UsageError("--sizes: " + high.error);
  if (*low.value < 1 || *high.value < *low.value) {
    throw UsageError("--sizes: need 1 <= MIN <= MAX, got " + text);
  }
  return {static_cast<std::int64_t>(*low.value), static_cast<std::int64_t>(*high.value)};
}

// The scenario with its workload replaced by one all-reduce of `numel` elements, and the
// shared-memory op removed from every node when the backend must be torch.distributed (as an
// AVX2 build of vLLM has no init_shm_manager).
scenario::Scenario bench_scenario(scenario::Scenario base, std::int64_t numel, comm::DType dtype,
                                  bool force_torch_distributed) {
  base.workload = scenario::Workload{};
  base.workload.kind = "tp_allreduce";
  base.workload.steps = 1;
  base.workload.tensors = {scenario::TensorSpec{"data", dtype, {numel}}};
  base.expect.clear();
  if (force_torch_distributed) {
    base.topology.node.has_init_shm_manager = false;
    for (auto& [index, override_spec] : base.node_overrides) {
      override_spec.has_init_shm_manager = false;
    }
  }
  return base;
}

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << value;
  return out.str();
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  po::options_description options("commsim bench SCENARIO [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("sizes", po::value<std::string>()->default_value("4KiB:64MiB"),
       "message sizes per rank, MIN:MAX in bytes, doubling from MIN")                   //
      ("step-factor", po::value<int>()->default_value(2), "multiply the size by this")  //
      ("dtype", po::value<std::string>()->default_value("f32"), "f32, bf16 or f16")     //
      ("backends", po::value<std::string>()->default_value("shm,torch.distributed"),
       "which backends to run: the TP group's own choice (shm) and/or torch.distributed")  //
      ("policy", po::value<std::string>(), "vLLM profile (default: the scenario's)")       //
      ("json", po::value<std::string>(), "write every run's record to this file");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nThe TP groups of the scenario all-reduce one tensor of each size. Sizes are "
                 "per rank; the inputs are integers, so #wrong counts inexact results.\n";
    return kExitPass;
  }
  const std::vector<std::string> paths = scenario_paths(vm);
  if (paths.size() != 1) throw UsageError("commsim bench: give exactly one scenario file");
  const scenario::Scenario base = load_scenarios(paths).front();
  const SizeRange sizes = parse_sizes(vm["sizes"].as<std::string>());
  const int factor = vm["step-factor"].as<int>();
  if (factor < 2) throw UsageError("--step-factor: must be at least 2");
  const auto dtype = comm::parse_dtype(vm["dtype"].as<std::string>());
  if (!dtype || !(*dtype == comm::DType::kF32 || *dtype == comm::DType::kBF16 ||
                  *dtype == comm::DType::kF16)) {
    throw UsageError("--dtype: expected f32, bf16 or f16");
  }
  std::vector<bool> force_dist;
  std::stringstream backend_list(vm["backends"].as<std::string>());
  for (std::string name; std::getline(backend_list, name, ',');) {
    if (name == "shm") {
      force_dist.push_back(false);
    } else if (name == "torch.distributed") {
      force_dist.push_back(true);
    } else {
      throw UsageError("--backends: unknown backend '" + name + "' (shm, torch.distributed)");
    }
  }
  const comm::Policy policy =
      policy_by_name(vm.count("policy") ? vm["policy"].as<std::string>() : base.policy,
                     vm.count("policy") ? "--policy" : "policy");

  const int ranks = base.parallel.tensor;
  const scenario::NodeSpec node = base.node(0);
  std::cout << "# commsim bench: all_reduce, TP=" << ranks << " of " << base.parallel.world()
            << " ranks on " << base.topology.nodes << " node(s), policy " << policy.name << "\n"
            << "# node0: " << node.hardware.cores << " cores x "
            << fixed(node.hardware.core_flops / 1e9, 1) << " GFLOP/s, memory "
            << fixed(node.hardware.memory_bandwidth / 1e9, 1) << " GB/s ("
            << fixed(node.hardware.memory_latency * 1e9, 0) << " ns per copy), loopback "
            << fixed(base.topology.network.loopback_bandwidth / 1e9, 2) << " GB/s ("
            << fixed(base.topology.network.loopback_latency * 1e6, 2) << " us), network "
            << fixed(base.topology.network.bandwidth / 1e9, 3) << " GB/s ("
            << fixed(base.topology.network.latency * 1e6, 2) << " us per hop)\n"
            << "# time: simulated, slowest rank; algbw = size / time; busbw = algbw x 2(n-1)/n\n";
  std::printf("%12s %12s %9s %18s %12s %12s %12s %7s\n", "size(B)", "count", "type", "backend",
              "time(us)", "algbw(GB/s)", "busbw(GB/s)", "#wrong");
  nlohmann::json json = nlohmann::json::array();
  const std::size_t elem = comm::element_size(*dtype);
  for (std::int64_t bytes = sizes.min; bytes <= sizes.max; bytes *= factor) {
    const std::int64_t count = std::max<std::int64_t>(1, bytes / static_cast<std::int64_t>(elem));
    for (bool dist : force_dist) {
      const results::RunRecord record =
          sim::run_isolated(bench_scenario(base, count, *dtype, dist), policy);
      json.push_back(results::to_json(record));
      std::string backend = "?";
      for (const auto& group : record.groups) {
        if (group.name == "tp:0") backend = group.backend;
      }
      bool failed = false;
      for (const auto& rank : record.ranks)
        failed = failed || rank.outcome != scenario::Outcome::kOk;
      const double seconds = record.data.collective_time_s;
      const double size = static_cast<double>(count) * static_cast<double>(elem);
      const double algbw = seconds > 0 ? size / seconds / 1e9 : 0;
      const double busbw = algbw * 2.0 * (ranks - 1) / ranks;
      if (failed) {
        std::printf("%12lld %12lld %9s %18s %12s\n", static_cast<long long>(size),
                    static_cast<long long>(count), std::string(comm::dtype_name(*dtype)).c_str(),
                    backend.c_str(), "failed (see --json)");
        continue;
      }
      std::printf("%12lld %12lld %9s %18s %12.3f %12.2f %12.2f %7d\n", static_cast<long long>(size),
                  static_cast<long long>(count), std::string(comm::dtype_name(*dtype)).c_str(),
                  backend.c_str(), seconds * 1e6, algbw, busbw, record.data.collectives_mismatched);
    }
  }
  if (vm.count("json")) write_json_file(vm["json"].as<std::string>(), json);
  return kExitPass;
}

}  // namespace commsim::cli
