// commsim bench: one collective over a range of sizes on a topology (a scenario file or flags),
// printed as the table people know from nccl-tests and written as JSON and CSV.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "scenarios/run_limits.h"
#include "scenarios/units.h"
#include "sim/cli/bench_table.h"
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

// "MIN:MAX" or one size, in bytes with units (4KiB, 1MiB, 1000).
SizeRange parse_sizes(const std::string& text) {
  const auto colon = text.find(':');
  const std::string low_text = text.substr(0, colon);
  const std::string high_text = colon == std::string::npos ? low_text : text.substr(colon + 1);
  const scenario::Quantity low = scenario::parse_bytes(low_text);
  const scenario::Quantity high = scenario::parse_bytes(high_text);
  if (!low) throw UsageError("--sizes: " + low.error);
  if (!high) throw UsageError("--sizes: " + high.error);
  if (*low.value < 1 || *high.value < *low.value) {
    throw UsageError("--sizes: need 1 <= MIN <= MAX, got " + text);
  }
  return {static_cast<std::int64_t>(*low.value), static_cast<std::int64_t>(*high.value)};
}

double parse_option(const po::variables_map& vm, const char* name,
                    scenario::Quantity (*parse)(std::string_view)) {
  const scenario::Quantity quantity = parse(vm[name].as<std::string>());
  if (!quantity) throw UsageError(std::string("--") + name + ": " + quantity.error);
  return *quantity.value;
}

// The scenario file, or a cluster of --nodes nodes, with the topology flags applied. The group
// is the scenario's TP group; --nodes / --ranks-per-node make it every rank.
scenario::Scenario bench_topology(const po::variables_map& vm) {
  const std::vector<std::string> paths = scenario_paths(vm);
  if (paths.size() > 1) throw UsageError("commsim bench: give at most one scenario file");
  scenario::Scenario base;
  if (paths.empty()) {
    base.name = "bench";
    base.policy = "vllm-pr40150";
    base.topology.nodes = 2;
    base.parallel = {2, 1, 1};
  } else {
    base = load_scenarios(paths).front();
  }
  if (vm.count("nodes") || vm.count("ranks-per-node") || paths.empty()) {
    const int nodes = vm.count("nodes") ? vm["nodes"].as<int>() : base.topology.nodes;
    const int per_node = vm.count("ranks-per-node") ? vm["ranks-per-node"].as<int>()
                                                    : base.parallel.world() / base.topology.nodes;
    const std::string limit = std::to_string(scenario::kMaxRanks);
    if (nodes < 1 || nodes > scenario::kMaxRanks) {
      throw UsageError("--nodes: must be in [1, " + limit + "]");
    }
    if (nodes != base.topology.nodes && base.topology.kind != "cluster") {
      throw UsageError("--nodes: the scenario's " + base.topology.kind + " has " +
                       std::to_string(base.topology.nodes) +
                       " nodes; its shape sets the node count");
    }
    if (per_node < 1 || static_cast<long long>(nodes) * per_node > scenario::kMaxRanks) {
      throw UsageError("--ranks-per-node: must be at least 1, with at most " + limit +
                       " ranks in all (README.md, 'Limits')");
    }
    base.topology.nodes = nodes;
    base.parallel = {nodes * per_node, 1, 1};
    base.placement = scenario::Placement{};
    base.rank_overrides.clear();
    std::erase_if(base.node_overrides, [nodes](const auto& entry) { return entry.first >= nodes; });
    base.faults.clear();
  }
  scenario::NetworkSpec& network = base.topology.network;
  if (vm.count("bandwidth"))
    network.bandwidth = parse_option(vm, "bandwidth", scenario::parse_bandwidth);
  if (vm.count("latency")) network.latency = parse_option(vm, "latency", scenario::parse_time);
  if (vm.count("network-model")) {
    const std::string model = vm["network-model"].as<std::string>();
    if (model != "LV08" && model != "CM02" && model != "SMPI") {
      throw UsageError("--network-model: expected LV08, CM02 or SMPI");
    }
    network.model = model;
  }
  if (vm.count("impl")) {
    const std::string impl = vm["impl"].as<std::string>();
    if (impl != "gloo" && impl != "commsim") throw UsageError("--impl: expected gloo or commsim");
    base.torch_distributed.library =
        impl == "gloo" ? comm::DistImpl::kGloo : comm::DistImpl::kCommsim;
    if (impl == "gloo" && vm["algorithm"].as<std::string>() != "auto") {
      throw UsageError("--algorithm: gloo's all-reduce is its ring at every size (--impl gloo)");
    }
  }
  if (vm.count("crosstraffic")) {
    const std::string value = vm["crosstraffic"].as<std::string>();
    if (value != "on" && value != "off") throw UsageError("--crosstraffic: expected on or off");
    network.crosstraffic = value == "on";
  }
  return base;
}

scenario::CollectiveSpec bench_spec(const po::variables_map& vm, int ranks) {
  scenario::CollectiveSpec spec;
  const auto collective = scenario::parse_collective(vm["collective"].as<std::string>());
  if (!collective) {
    std::string names;
    for (const std::string& name : scenario::collective_names()) names += " " + name;
    throw UsageError("--collective: unknown collective '" + vm["collective"].as<std::string>() +
                     "' (valid:" + names + ")");
  }
  spec.collective = *collective;
  spec.algorithm = vm["algorithm"].as<std::string>();
  if (spec.algorithm != "auto" && spec.algorithm != "ring" &&
      spec.algorithm != "recursive_doubling" && spec.algorithm != "logical_ring") {
    throw UsageError("--algorithm: expected auto, ring, logical_ring or recursive_doubling");
  }
  if (spec.algorithm != "auto" && spec.collective != scenario::Collective::kAllReduce) {
    throw UsageError("--algorithm: only all_reduce has a choice of algorithm");
  }
  const auto op = scenario::parse_reduce_op(vm["op"].as<std::string>());
  if (!op) throw UsageError("--op: expected sum, max or min");
  spec.op = *op;
  const auto dtype = comm::parse_dtype(vm["dtype"].as<std::string>());
  if (!dtype || *dtype == comm::DType::kU8) {
    throw UsageError("--dtype: expected f32, bf16, f16, i32 or i64");
  }
  spec.dtype = *dtype;
  spec.root = vm["root"].as<int>();
  if (spec.root < 0 || spec.root >= ranks) {
    throw UsageError("--root: must be a rank of the group, 0 to " + std::to_string(ranks - 1));
  }
  spec.phantom = vm.count("phantom") > 0;
  std::string why;
  if (!spec.phantom && !scenario::ExactInputs::make(spec, ranks, 0, &why)) {
    throw UsageError("--dtype: " + why);
  }
  return spec;
}

// The element counts to run: one per size, in nccl-tests' sense (collective_spec.h); for the
// gathering collectives a multiple of the group size.
std::vector<std::int64_t> counts_for(const SizeRange& sizes, int factor,
                                     const scenario::CollectiveSpec& spec, int ranks) {
  if (spec.collective == scenario::Collective::kBarrier) return {0};
  const std::int64_t element = static_cast<std::int64_t>(comm::element_size(spec.dtype));
  const bool split = scenario::splits_across_ranks(spec.collective);
  std::vector<std::int64_t> counts;
  for (std::int64_t bytes = sizes.min; bytes <= sizes.max; bytes *= factor) {
    std::int64_t count = std::max<std::int64_t>(1, bytes / element);
    if (split) count = std::max<std::int64_t>(ranks, count / ranks * ranks);
    if (counts.empty() || counts.back() != count) counts.push_back(count);
  }
  return counts;
}

std::string fixed(double value, int digits) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << value;
  return out.str();
}

void print_setup(const scenario::Scenario& base, const BenchSetup& setup) {
  const scenario::NodeSpec node = base.node(0);
  const scenario::NetworkSpec& network = base.topology.network;
  std::cout << "# commsim bench: " << scenario::collective_name(setup.spec.collective)
            << " on the TP group: " << setup.ranks << " of " << base.parallel.world()
            << " ranks on " << base.topology.nodes << " node(s) (" << base.topology.kind
            << "), policy " << setup.policy << ", torch.distributed on "
            << (base.torch_distributed.library == comm::DistImpl::kGloo ? "gloo"
                                                                        : "commsim's collectives")
            << (setup.spec.phantom ? ", phantom data" : "") << "\n"
            << "# node0: " << node.hardware.cores << " cores x "
            << fixed(node.hardware.core_flops / 1e9, 1) << " GFLOP/s, memory "
            << fixed(node.hardware.memory_bandwidth / 1e9, 1) << " GB/s ("
            << fixed(node.hardware.memory_latency * 1e9, 0) << " ns per copy), loopback "
            << fixed(network.loopback_bandwidth / 1e9, 2) << " GB/s ("
            << fixed(network.loopback_latency * 1e6, 2) << " us), network "
            << fixed(network.bandwidth / 1e9, 3) << " GB/s (" << fixed(network.latency * 1e6, 2)
            << " us per hop), " << network.model << ", cross-traffic "
            << (network.crosstraffic ? "on" : "off") << "\n";
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  po::options_description options("commsim bench [SCENARIO] [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("collective", po::value<std::string>()->default_value("all_reduce"),
       "all_reduce, all_gather, reduce_scatter, broadcast, gather, barrier or send_recv")  //
      ("algorithm", po::value<std::string>()->default_value("auto"),
       "all_reduce: auto or ring (gloo's ring, as PyTorch runs it), logical_ring (the textbook "
       "ring, SMPI's lr) or recursive_doubling")                                               //
      ("op", po::value<std::string>()->default_value("sum"), "sum, max or min")                //
      ("dtype", po::value<std::string>()->default_value("f32"), "f32, bf16, f16, i32 or i64")  //
      ("root", po::value<int>()->default_value(0), "broadcast and gather: the root rank")      //
      ("sizes", po::value<std::string>()->default_value("4KiB:64MiB"),
       "sizes in bytes, MIN:MAX or one size (nccl-tests' size: the larger buffer)")            //
      ("step-factor", po::value<int>()->default_value(2), "multiply the size by this")         //
      ("iters", po::value<int>()->default_value(1), "calls per size; the time is their mean")  //
      ("phantom", "size-only tensors: times only, nothing allocated or checked")               //
      ("backends", po::value<std::string>()->default_value("torch.distributed"),
       "torch.distributed (the group's device_group) and/or shm (all_reduce through the "
       "CpuCommunicator: SHM when the group gets it)")  //
      ("impl", po::value<std::string>(),
       "what runs torch.distributed's collectives: gloo (the real library, as PyTorch calls it) "
       "or commsim (its own collectives); default: the scenario's torch_distributed.library, "
       "else commsim")                                                                          //
      ("policy", po::value<std::string>(), "vLLM profile (default: the scenario's)")            //
      ("nodes", po::value<int>(), "a cluster of this many nodes (default 2 without SCENARIO)")  //
      ("ranks-per-node", po::value<int>(), "ranks on each node (default 1 without SCENARIO)")   //
      ("bandwidth", po::value<std::string>(), "NIC bandwidth per direction, e.g. 10Gbps")       //
      ("latency", po::value<std::string>(), "latency per hop, e.g. 5us")                        //
      ("network-model", po::value<std::string>(),
       "LV08, CM02 or SMPI (see scenarios/README.md)")                                          //
      ("crosstraffic", po::value<std::string>(), "on or off: LV08's ACK back-flow")             //
      ("json", po::value<std::string>(), "write the rows and every run's record to this file")  //
      ("csv", po::value<std::string>(), "write the rows to this file");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nThe group is the scenario's TP group (every rank with --nodes or "
                 "--ranks-per-node). The inputs are integers chosen so that every result is "
                 "exact, so #wrong counts real errors. Exit 1 when an element is wrong or a run "
                 "fails.\n";
    return kExitPass;
  }
  const scenario::Scenario base = bench_topology(vm);
  check_outputs(outputs_named(vm, {"json", "csv"}), scenario_inputs(scenario_paths(vm)));
  const int ranks = base.parallel.tensor;
  BenchSetup setup;
  setup.spec = bench_spec(vm, ranks);
  setup.ranks = ranks;
  setup.nodes = base.topology.nodes;
  setup.iterations = vm["iters"].as<int>();
  if (setup.iterations < 1 || setup.iterations > scenario::kMaxSteps) {
    throw UsageError("--iters: must be in [1, " + std::to_string(scenario::kMaxSteps) + "]");
  }
  const SizeRange sizes = parse_sizes(vm["sizes"].as<std::string>());
  const int factor = vm["step-factor"].as<int>();
  if (factor < 2) throw UsageError("--step-factor: must be at least 2");
  const std::vector<std::int64_t> counts = counts_for(sizes, factor, setup.spec, ranks);
  if (!setup.spec.phantom) {
    // The run's budget of real tensors (run_limits.h), for the largest size.
    scenario::Scenario largest = base;
    largest.workload.kind = "collective";
    largest.workload.collective = setup.spec;
    largest.workload.collective.count = counts.back();
    if (const scenario::TensorUse use = scenario::real_tensor_use(largest);
        use.bytes > scenario::kMaxRealTensorBytes) {
      throw UsageError("--sizes: real tensors would take about " +
                       scenario::binary_size_text(use.bytes) + " (" + use.what +
                       "), over the budget of " +
                       scenario::binary_size_text(scenario::kMaxRealTensorBytes) +
                       " per run; use --phantom to time them without allocating");
    }
  }
  std::vector<bool> through_communicator;
  std::stringstream backend_list(vm["backends"].as<std::string>());
  for (std::string name; std::getline(backend_list, name, ',');) {
    if (name == "shm") {
      if (setup.spec.collective != scenario::Collective::kAllReduce ||
          setup.spec.op != comm::ReduceOp::kSum) {
        throw UsageError("--backends: shm is for all_reduce with op sum only");
      }
      through_communicator.push_back(true);
    } else if (name == "torch.distributed") {
      through_communicator.push_back(false);
    } else {
      throw UsageError("--backends: unknown backend '" + name + "' (shm, torch.distributed)");
    }
  }
  const comm::Policy policy =
      policy_by_name(vm.count("policy") ? vm["policy"].as<std::string>() : base.policy,
                     vm.count("policy") ? "--policy" : "policy");
  setup.policy = policy.name;
  setup.impl = base.torch_distributed.library == comm::DistImpl::kGloo ? "gloo" : "commsim";

  print_setup(base, setup);
  print_table_header(std::cout, setup);
  std::vector<BenchRow> rows;
  for (const std::int64_t count : counts) {
    for (const bool communicator : through_communicator) {
      scenario::Scenario run = base;
      run.workload = scenario::Workload{};
      run.workload.kind = "collective";
      run.workload.steps = setup.iterations;
      run.workload.collective = setup.spec;
      run.workload.collective.count = count;
      run.workload.collective.through_communicator = communicator;
      run.expect.clear();
      if (!communicator) {
        // The device_group is used directly: the TP group's CpuCommunicator need not look for
        // SHM (at thousands of ranks its name agreement, an all_gather_object, would dominate).
        // As in an AVX2 build of vLLM, the nodes have no init_shm_manager.
        run.topology.node.has_init_shm_manager = false;
        for (auto& [index, node] : run.node_overrides) node.has_init_shm_manager = false;
      }
      BenchSetup row_setup = setup;
      row_setup.spec.through_communicator = communicator;
      rows.push_back(make_row(row_setup, count, sim::run_isolated(run, policy)));
      print_table_row(std::cout, row_setup, rows.back());
      std::cout.flush();
    }
  }
  print_table_footer(std::cout, rows);
  if (vm.count("json")) {
    write_json_output({"--json", vm["json"].as<std::string>()}, bench_json(setup, rows));
  }
  if (vm.count("csv")) write_output({"--csv", vm["csv"].as<std::string>()}, bench_csv(setup, rows));
  for (const BenchRow& row : rows) {
    if (row.error || row.wrong.value_or(0) != 0) return kExitFail;
  }
  return kExitPass;
}

}  // namespace commsim::cli
