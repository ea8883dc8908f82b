#include "scenarios/scenario_parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <utility>

#include "communicators/policy.h"
#include "scenarios/field_reader.h"
#include "scenarios/input_file.h"
#include "scenarios/launch_ports.h"
#include "scenarios/model_parser.h"
#include "scenarios/outcome.h"
#include "scenarios/printable.h"
#include "scenarios/topology_parser.h"
#include "scenarios/units.h"

namespace commsim::scenario {
namespace {

using comm::Arch;
using comm::DType;
using namespace parsing;  // NOLINT: the reader's vocabulary throughout this file

const KeyList kTopKeys = {"name",     "description", "policy",   "policy_switches",  "topology",
                          "nodes",    "ranks",       "parallel", "placement",        "faults",
                          "workload", "expect",      "launch",   "torch_distributed"};
const KeyList kTorchDistributedKeys = {"library", "timeout"};
const KeyList kLaunchKeys = {"seed"};
const KeyList kPlacementKeys = {"kind", "map", "oversubscribe"};
const KeyList kFaultKeys = {"kind", "node", "rank", "at", "factor", "delay"};
const KeyList kRankOverrideKeys = {"threads", "env", "unset_env"};
const KeyList kPolicySwitchKeys = {"arch_allow",
                                   "name_agreement_check",
                                   "fallback_info_log",
                                   "supports_tensor_dict",
                                   "custom_send_recv_rule",
                                   "thread_num_min_allreduce",
                                   "shm_allreduce_world_sizes"};
const KeyList kWaitingKeys = {"op", "group", "peer"};
const KeyList kTopRequired = {"name", "policy", "topology", "parallel", "workload"};
const KeyList kParallelKeys = {"tensor", "pipeline", "data"};
const KeyList kWorkloadKeys = {
    "kind",           "steps",  "seed",       "tensors",   "extras",
    "probe_fastpath", "values", "collective", "algorithm", "op",
    "dtype",          "count",  "root",       "phantom",   "via",
    "model",          "data",   "batch",      "prompt",    "sequence_parallel"};
// The keys of `kind: collective` only.
const KeyList kCollectiveKeys = {"collective", "algorithm", "op",      "dtype",
                                 "count",      "root",      "phantom", "via"};
const KeyList kNumericsKeys = {"rel_l2", "max_abs"};
const KeyList kTensorKeys = {"dtype", "shape"};
const KeyList kExpectKeys = {"groups", "ranks", "data", "numerics", "sim_time", "model"};
const KeyList kGroupKeys = {"backend", "supports_tensor_dict", "use_cpu_custom_send_recv", "log",
                            "no_log"};
const KeyList kRankKeys = {"outcome", "error", "probe", "waiting"};
const KeyList kProbeKeys = {"outcome", "error"};
const KeyList kErrorKeys = {"type", "message", "op"};
const KeyList kDataKeys = {"dicts_delivered", "bit_identical", "collectives", "collectives_exact"};
const KeyList kSimTimeKeys = {"min", "max"};

const std::vector<std::string> kBackends = {"shm", "torch.distributed", "mixed", "undecided"};

// ---------------------------------------------------------------------------------------------
// The parser.

// Owns the error list, so that it exists before the FieldReader that writes to it.
struct ErrorList {
  std::vector<ScenarioError> list;
};

class Parser : private ErrorList, public FieldReader {
 public:
  Parser(std::string file, PlatformFileReader reader)
      : FieldReader(std::move(file), ErrorList::list), reader_(std::move(reader)) {}

  ParseResult parse(const std::string& text) {
    ParseResult result;
    guarded([&] { parse_document(text); });
    if (errors_.empty()) {
      result.scenario = std::move(scenario_);
    } else {
      std::stable_sort(
          errors_.begin(), errors_.end(), [](const ScenarioError& a, const ScenarioError& b) {
            return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
          });
      result.errors = std::move(errors_);
    }
    return result;
  }

 private:
  // ----- sections -----

  void parse_document(const std::string& text) {
    scenario_.path = file_;
    const std::optional<YAML::Node> document = load_document(text, "a scenario file");
    if (!document) return;
    if (document->IsNull()) {
      error(SourcePos{file_, 1, 1},
            "the scenario file is empty; expected a mapping with keys " + join(kTopRequired));
      return;
    }
    const Field root{"", YAML::Mark::null_mark(), *document, ""};
    const auto top = read_section(root, kTopKeys);
    if (!top) return;
    require(*top, kTopRequired);

    if (const Field* field = top->find("name")) {
      if (auto name = read_string(*field)) {
        if (name->empty()) {
          error(at(*field), "name: must not be empty");
        } else if (const auto offset = first_unprintable_in_line(*name)) {
          error(at(*field), "name: one line of text, without tabs or line breaks (found " +
                                character_name(*name, *offset) + ")");
        }
        scenario_.name = *name;
      }
    }
    if (const Field* field = top->find("description")) {
      if (auto description = read_string(*field)) scenario_.description = *description;
    }
    if (const Field* field = top->find("policy")) {
      if (auto policy = read_string(*field)) {
        if (comm::find_policy(*policy)) {
          scenario_.policy = *policy;
        } else {
          error(at(*field), "policy: unknown policy " + quote(*policy) +
                                "; valid: " + join(comm::policy_names()));
        }
      }
    }
    TopologyParser topology(file_, errors_, scenario_, reader_);
    if (const Field* field = top->find("topology")) topology.parse_topology(*field);
    if (const Field* field = top->find("nodes")) topology.parse_node_overrides(*field);
    nodes_valid_ = topology.nodes_valid();
    if (nodes_valid_) check_port_scans(*top);
    if (const Field* field = top->find("launch")) parse_launch(*field);
    if (const Field* field = top->find("parallel")) parse_parallel(*field);
    if (const Field* field = top->find("placement")) parse_placement(*field);
    check_placement();
    if (const Field* field = top->find("ranks")) parse_rank_overrides(*field);
    if (const Field* field = top->find("policy_switches")) parse_policy_switches(*field);
    if (const Field* field = top->find("torch_distributed")) parse_torch_distributed(*field);
    if (const Field* field = top->find("faults")) parse_faults(*field);
    if (const Field* field = top->find("workload")) parse_workload(*field);
    if (const Field* field = top->find("expect")) parse_expect(*field);
  }

  void parse_launch(const Field& field) {
    const auto section = read_section(field, kLaunchKeys);
    if (!section) return;
    if (const Field* f = section->find("seed")) scenario_.launch_seed = read_uint64(*f);
  }

  // A node whose VLLM_PORT scan would run past port 65535 (every port above it taken).
  void check_port_scans(const Section& top) {
    for (int node = 0; node < scenario_.topology.nodes; ++node) {
      const NodeSpec spec = scenario_.node(node);
      const auto port = spec.environment.find("VLLM_PORT");
      if (port == spec.environment.end()) continue;
      const auto start = parse_vllm_port(port->second);
      if (!start || scan_up(*start, spec.ports_in_use)) continue;
      const auto found = scenario_.node_overrides.find(node);
      const Field* topology = top.find("topology");
      const SourcePos where = found != scenario_.node_overrides.end() ? found->second.pos
                              : topology != nullptr                   ? at(*topology)
                                                                      : SourcePos{file_, 1, 1};
      error(where, "node" + std::to_string(node) + ": every port from VLLM_PORT " + port->second +
                       " up to 65535 is in ports_in_use");
    }
  }

  void parse_parallel(const Field& field) {
    const auto section = read_section(field, kParallelKeys);
    if (!section) {
      parallel_valid_ = false;
      return;
    }
    Parallel& parallel = scenario_.parallel;
    const std::pair<const char*, int*> sizes[] = {
        {"tensor", &parallel.tensor}, {"pipeline", &parallel.pipeline}, {"data", &parallel.data}};
    for (const auto& [key, target] : sizes) {
      if (const Field* f = section->find(key)) {
        if (auto size = read_int(*f, 1, kMaxRanks)) {
          *target = *size;
        } else {
          parallel_valid_ = false;
        }
      }
    }
    if (!parallel_valid_) return;
    const std::int64_t world = std::int64_t{parallel.tensor} * parallel.pipeline * parallel.data;
    const std::string product = "tensor " + std::to_string(parallel.tensor) + " x pipeline " +
                                std::to_string(parallel.pipeline) + " x data " +
                                std::to_string(parallel.data);
    if (world > kMaxRanks) {
      error(at_key(field), "parallel: world size " + std::to_string(world) + " (" + product +
                               ") is over the limit of " + std::to_string(kMaxRanks) +
                               " ranks per run (README.md, 'Limits')");
      parallel_valid_ = false;
      return;
    }
    parallel_pos_ = at_key(field);
    parallel_product_ = product;
  }

  void parse_placement(const Field& field) {
    const auto section = read_section(field, kPlacementKeys);
    if (!section) return;
    Placement& placement = scenario_.placement;
    if (const Field* f = section->find("kind")) {
      if (auto kind = read_choice(*f, {"packed", "round_robin", "explicit"}, "placement")) {
        placement.kind = *kind;
      }
    }
    if (const Field* f = section->find("oversubscribe")) {
      if (auto allowed = read_bool(*f)) placement.oversubscribe = *allowed;
      oversubscribe_pos_ = at(*f);
    }
    const Field* map = section->find("map");
    if (map && placement.kind != "explicit") {
      error(at(*map), map->path + ": only for placement kind 'explicit'");
    } else if (!map && placement.kind == "explicit") {
      error(at_key(field), "placement: kind 'explicit' needs a map (the node of each rank)");
      placement_valid_ = false;
    } else if (map) {
      if (!map->value.IsSequence()) {
        type_error(*map, "a list with the node of each rank");
        placement_valid_ = false;
        return;
      }
      for (std::size_t i = 0; i < map->value.size(); ++i) {
        const Field item{"", YAML::Mark::null_mark(), map->value[i],
                         map->path + "[" + std::to_string(i) + "]"};
        if (auto node = read_int(item, 0, scenario_.topology.nodes - 1)) {
          placement.map.push_back(*node);
        } else {
          placement_valid_ = false;
        }
      }
      map_pos_ = at(*map);
    }
  }

  // Whether the placement fits the world and the nodes (after topology, parallel and placement).
  void check_placement() {
    // Without a valid `parallel` (a missing one is its own error) there is no world to place.
    if (!nodes_valid_ || !parallel_valid_ || !placement_valid_ || parallel_pos_.line == 0) return;
    const Placement& placement = scenario_.placement;
    const int nodes = scenario_.topology.nodes;
    const int world = scenario_.parallel.world();
    if (placement.kind == "packed" && (world < nodes || world % nodes != 0)) {
      error(parallel_pos_, "parallel: world size " + std::to_string(world) + " (" +
                               parallel_product_ + ") must be a multiple of topology.nodes (" +
                               std::to_string(nodes) +
                               "): ranks are placed packed, world / nodes per node");
      return;
    }
    if (placement.kind == "explicit" && placement.map.size() != static_cast<std::size_t>(world)) {
      error(map_pos_, "placement.map: " + std::to_string(placement.map.size()) +
                          " entries for a world of " + std::to_string(world) + " ranks");
      return;
    }
    if (placement.oversubscribe) return;
    const std::vector<int> counts = scenario_.ranks_per_node();
    for (int node = 0; node < nodes; ++node) {
      const int ranks = counts[static_cast<std::size_t>(node)];
      const int cores = scenario_.node(node).hardware.cores;
      if (ranks > cores) {
        error(oversubscribe_pos_, "placement.oversubscribe: node " + std::to_string(node) +
                                      " gets " + std::to_string(ranks) + " ranks but has " +
                                      std::to_string(cores) + " cores");
        return;
      }
    }
  }

  void parse_workload(const Field& field) {
    const auto section = read_section(field, kWorkloadKeys);
    if (!section) return;
    Workload& workload = scenario_.workload;
    if (const Field* kind = section->find("kind")) {
      if (auto text = read_string(*kind)) {
        if (*text == "pp_handoff" || *text == "tp_allreduce" || *text == "collective" ||
            *text == "model") {
          workload.kind = *text;
        } else if (*text == "moe" || *text == "expert_parallel") {
          error(at_key(*kind), kind->path + ": " + quote(*text) +
                                   " is not modelled: MoE expert parallelism (dispatch/combine) "
                                   "is outside commsim; see scenarios/README.md");
        } else {
          error(at(*kind), kind->path + ": unknown workload kind " + quote(*text) +
                               "; valid: pp_handoff, tp_allreduce, collective, model");
        }
      }
    }
    if (const Field* f = section->find("steps")) {
      if (auto steps = read_int(*f, 0, kMaxSteps)) workload.steps = *steps;
    }
    if (const Field* f = section->find("seed")) {
      if (auto seed = read_uint64(*f)) workload.seed = *seed;
    }
    if (const Field* f = section->find("tensors")) parse_tensors(*f);
    if (const Field* f = section->find("extras")) parse_extras(*f);
    if (const Field* f = section->find("probe_fastpath")) {
      if (auto probe = read_bool(*f)) workload.probe_fastpath = *probe;
    }
    if (const Field* f = section->find("sequence_parallel")) {
      if (auto on = read_bool(*f)) {
        if (workload.kind == "model") {
          error(at_key(*f), f->path +
                                ": sequence parallelism is not modelled in the model workload "
                                "(its residual stays replicated over TP); use kind pp_handoff");
        } else if (workload.kind != "pp_handoff") {
          error(at_key(*f), f->path + ": only for workload kind 'pp_handoff'");
        } else {
          workload.sequence_parallel = *on;
        }
      }
    }
    if (const Field* f = section->find("values")) {
      if (auto values = read_choice(*f, {"integers", "uniform"}, "value kind")) {
        workload.values = *values;
      }
    }
    for (const std::string_view key : kCollectiveKeys) {
      const Field* f = section->find(key);
      if (f && workload.kind != "collective") {
        error(at(*f), f->path + ": only for workload kind 'collective'");
      }
    }
    if (workload.kind == "collective") parse_collective_workload(*section);
    ModelParser(file_, errors_, scenario_).parse_workload_keys(*section);
    // The budget needs a valid layout and workload: check it only when both read cleanly.
    if (errors_.empty() && parallel_valid_) {
      if (const auto problem = real_tensor_budget_problem(scenario_)) {
        error(at_key(field), "workload: " + *problem);
      }
    }
  }

  // Operations vLLM has that commsim does not model: refused by name, at the key.
  bool refuse_unmodelled(const Field& field) {
    const std::string name = field.value.Scalar();
    if (name == "dispatch" || name == "combine" || name == "dispatch_router_logits") {
      error(at_key(field), field.path + ": " + quote(name) +
                               " is not modelled: MoE expert-parallel dispatch/combine (the "
                               "all2all managers) is outside commsim; see scenarios/README.md");
      return true;
    }
    if (name == "all_gatherv" || name == "reduce_scatterv") {
      error(at_key(field), field.path + ": " + quote(name) +
                               " is not modelled as a workload: on CPU vLLM raises "
                               "NotImplementedError for it (DeviceCommunicatorBase)");
      return true;
    }
    return false;
  }

  void parse_collective_workload(const Section& section) {
    CollectiveSpec& spec = scenario_.workload.collective;
    const Field* named = section.find("collective");
    if (named != nullptr && named->value.IsScalar() && refuse_unmodelled(*named)) named = nullptr;
    if (const Field* f = named) {
      if (auto name = read_choice(*f, collective_names(), "collective")) {
        spec.collective = *scenario::parse_collective(*name);
      }
    }
    if (const Field* f = section.find("algorithm")) {
      if (auto name = read_choice(*f, {"auto", "ring", "logical_ring", "recursive_doubling"}, "algorithm")) {
        spec.algorithm = *name;
        if (spec.collective != Collective::kAllReduce) {
          error(at(*f), f->path + ": only all_reduce has a choice of algorithm");
        }
      }
    }
    if (const Field* f = section.find("op")) {
      if (auto name = read_choice(*f, {"sum", "max", "min"}, "reduce op")) {
        spec.op = *parse_reduce_op(*name);
      }
    }
    if (const Field* f = section.find("dtype")) {
      if (auto dtype = read_dtype(*f)) {
        if (*dtype == comm::DType::kU8) {
          error(at(*f), f->path + ": collectives take f32, bf16, f16, i32 or i64");
        } else {
          spec.dtype = *dtype;
        }
      }
    }
    if (const Field* f = section.find("count")) {
      if (auto count = read_integer(*f, 0, std::int64_t{1} << 40)) spec.count = *count;
    }
    if (const Field* f = section.find("root")) {
      if (auto root = read_int(*f, 0, kMaxRanks - 1)) spec.root = *root;
    }
    if (const Field* f = section.find("phantom")) {
      if (auto phantom = read_bool(*f)) spec.phantom = *phantom;
    }
    if (const Field* f = section.find("via")) {
      if (auto via = read_choice(*f, {"device_group", "communicator"}, "path")) {
        spec.through_communicator = *via == "communicator";
        // GroupCoordinator.all_reduce and reduce_scatter always sum.
        if (spec.through_communicator && is_reduction(spec.collective) &&
            spec.op != comm::ReduceOp::kSum) {
          error(at(*f), f->path + ": the communicator path reduces with op sum only");
        }
      }
    }
    // The collective runs on the TP group (parsed before the workload).
    const int group_size = scenario_.parallel.tensor;
    if (const Field* f = section.find("root"); f && spec.root >= group_size) {
      error(at(*f), f->path + ": root " + std::to_string(spec.root) +
                        " is not a rank of the TP group (size " + std::to_string(group_size) + ")");
    }
    std::string why;
    if (!spec.phantom && !ExactInputs::make(spec, group_size, 0, &why)) {
      const Field* f = section.find("dtype");
      error(at(f ? *f : section.self), label(f ? *f : section.self) + ": " + why);
    }
  }

  void parse_tensors(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      TensorSpec tensor;
      tensor.name = entry.key;
      const auto section = read_section(entry, kTensorKeys);
      if (!section) continue;
      if (const Field* f = section->find("dtype")) {
        if (auto dtype = read_dtype(*f)) tensor.dtype = *dtype;
      }
      if (const Field* f = section->find("shape")) {
        if (auto shape = read_shape(*f)) tensor.shape = std::move(*shape);
      }
      scenario_.workload.tensors.push_back(std::move(tensor));
    }
  }

  std::optional<comm::Shape> read_shape(const Field& field) {
    if (!field.value.IsSequence()) {
      type_error(field, "a list of dimensions, e.g. [4, 256]");
      return std::nullopt;
    }
    comm::Shape shape;
    bool ok = true;
    std::int64_t bytes = 8;  // the largest element size: keeps numel * element_size in range
    for (std::size_t i = 0; i < field.value.size(); ++i) {
      const Field dim{"", YAML::Mark::null_mark(), field.value[i],
                      field.path + "[" + std::to_string(i) + "]"};
      const auto size = read_integer(dim, 0, std::numeric_limits<std::int64_t>::max());
      if (!size) {
        ok = false;
        continue;
      }
      shape.push_back(*size);
      if (ok && *size > 0) {
        if (*size > std::numeric_limits<std::int64_t>::max() / bytes) {
          error(at(field), label(field) + ": the tensor has too many elements");
          ok = false;
        } else {
          bytes *= *size;
        }
      }
    }
    if (!ok) return std::nullopt;
    return shape;
  }

  void parse_extras(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      const auto& tensors = scenario_.workload.tensors;
      if (std::any_of(tensors.begin(), tensors.end(),
                      [&](const TensorSpec& tensor) { return tensor.name == entry.key; })) {
        error(pos(entry.key_mark), entry.path + ": " + quote(entry.key) +
                                       " is already a tensor name; TensorDict keys are unique");
        continue;
      }
      if (auto value = read_plain_value(entry)) {
        scenario_.workload.extras.emplace_back(entry.key, std::move(*value));
      }
    }
  }

  void parse_expect(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      if (!comm::find_policy(entry.key)) {
        error(pos(entry.key_mark), "expect: unknown policy " + quote(entry.key) +
                                       "; valid: " + join(comm::policy_names()));
        continue;
      }
      Expectations& expectations = scenario_.expect[entry.key];
      expectations.pos = at(entry);
      const auto section = read_section(entry, kExpectKeys);
      if (!section) continue;
      if (const Field* f = section->find("groups")) parse_groups(*f, expectations);
      if (const Field* f = section->find("ranks")) parse_ranks(*f, expectations);
      if (const Field* f = section->find("numerics")) parse_numerics(*f, expectations);
      if (const Field* f = section->find("data")) parse_data(*f, expectations);
      if (const Field* f = section->find("sim_time")) parse_sim_time(*f, expectations);
      if (const Field* f = section->find("model")) {
        ModelParser(file_, errors_, scenario_).parse_expectation(*f, expectations);
      }
    }
  }

  void parse_groups(const Field& field, Expectations& expectations) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      GroupExpectation& group = expectations.groups[entry.key];
      group.pos = at(entry);
      const auto section = read_section(entry, kGroupKeys);
      if (!section) continue;
      if (const Field* f = section->find("backend")) {
        group.backend = read_choice(*f, kBackends, "backend");
      }
      if (const Field* f = section->find("supports_tensor_dict")) {
        group.supports_tensor_dict = read_bool(*f);
      }
      if (const Field* f = section->find("use_cpu_custom_send_recv")) {
        group.use_cpu_custom_send_recv = read_bool(*f);
      }
      if (const Field* f = section->find("log")) group.log = read_string(*f);
      if (const Field* f = section->find("no_log")) group.no_log = read_bool(*f);
      if (group.log && group.no_log.value_or(false)) {
        error(at(*section->find("no_log")),
              entry.path + ": 'log' and 'no_log: true' contradict each other");
      }
    }
  }

  // A rank key: a world rank in range, or -1 for `all` when `allow_all`; nullopt (reported)
  // otherwise.
  std::optional<int> read_rank_key(const Field& field, const Field& entry, bool allow_all) {
    const int world = scenario_.parallel.world();
    if (allow_all && entry.key == "all") return -1;
    const auto number = parse_integer_text(entry.key);
    if (!number) {
      error(pos(entry.key_mark),
            field.path + ": rank key " + quote(entry.key) +
                (allow_all ? " must be a rank number or 'all'" : " must be a rank number"));
      return std::nullopt;
    }
    if (*number < 0 || (parallel_valid_ && *number >= world) || *number >= kMaxRanks) {
      const std::string range = parallel_valid_ ? "ranks are 0 .. " + std::to_string(world - 1) +
                                                      " (world size " + std::to_string(world) + ")"
                                                : std::string("ranks are numbered from 0");
      error(pos(entry.key_mark), field.path + ": rank " + entry.key + " is out of range; " + range);
      return std::nullopt;
    }
    return static_cast<int>(*number);
  }

  void parse_rank_overrides(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      const auto rank = read_rank_key(field, entry, /*allow_all=*/false);
      if (!rank) continue;
      RankOverride& rank_override = scenario_.rank_overrides[*rank];
      rank_override.pos = at(entry);
      const auto section = read_section(entry, kRankOverrideKeys);
      if (!section) continue;
      if (const Field* f = section->find("threads")) rank_override.num_threads = read_int(*f, 1);
      if (const Field* f = section->find("env")) read_env(*f, rank_override.environment);
      if (const Field* f = section->find("unset_env")) {
        if (auto names = read_string_list(*f)) rank_override.unset_environment = std::move(*names);
      }
    }
  }

  void parse_faults(const Field& field) {
    if (!field.value.IsSequence()) {
      type_error(field, "a list of faults");
      return;
    }
    const int nodes = scenario_.topology.nodes;
    const int world = scenario_.parallel.world();
    for (std::size_t i = 0; i < field.value.size(); ++i) {
      const Field item{"", field.value[i].Mark(), field.value[i],
                       field.path + "[" + std::to_string(i) + "]"};
      const auto section = read_section(item, kFaultKeys);
      if (!section) continue;
      Fault fault;
      fault.pos = at(item);
      const Field* kind = section->find("kind");
      if (kind == nullptr) {
        error(at(item), item.path + ": missing required key 'kind'");
        continue;
      }
      const auto name = read_choice(*kind, fault_kind_names(), "fault kind");
      if (!name) continue;
      fault.kind = *parse_fault_kind(*name);
      if (fault.kind != Fault::Kind::kMessageDelay && scenario_.topology.kind == "xml") {
        // The file's hosts and links are sealed as SimGrid reads them: no profile can be added.
        error(at(*kind), kind->path + ": a " + *name +
                             " fault needs a platform commsim builds; "
                             "an xml platform takes message_delay faults only");
      }
      const bool per_rank = fault.kind == Fault::Kind::kMessageDelay;
      // What each kind needs, and nothing else.
      const auto needs = [&](const char* key, bool needed) {
        const Field* f = section->find(key);
        if (needed && f == nullptr) {
          error(at(item), item.path + ": a " + *name + " fault needs '" + key + "'");
        } else if (!needed && f != nullptr) {
          error(at_key(*f), f->path + ": a " + *name + " fault takes no '" + key + "'");
        }
        return needed ? f : nullptr;
      };
      if (const Field* f = needs("node", !per_rank)) {
        if (auto node = read_int(*f, 0, nodes_valid_ ? nodes - 1 : kMaxRanks)) fault.node = *node;
      }
      if (const Field* f = needs("rank", per_rank)) {
        if (auto rank = read_int(*f, 0, parallel_valid_ ? world - 1 : kMaxRanks))
          fault.rank = *rank;
      }
      const bool timed = fault.kind == Fault::Kind::kLinkDown ||
                         fault.kind == Fault::Kind::kLinkUp ||
                         fault.kind == Fault::Kind::kHostCrash;
      if (const Field* f = needs("at", timed)) {
        if (auto time = read_time(*f)) fault.at = *time;
      }
      if (const Field* f = needs("factor", fault.kind == Fault::Kind::kSlowNode)) {
        // A slow node's speed keeps the bounds of a speed (units.h), so its times stay finite.
        if (auto factor = read_number_in(*f, 1e-6, 1, "from 0.000001 to 1")) {
          fault.factor = *factor;
        }
      }
      if (const Field* f = needs("delay", per_rank)) {
        if (auto delay = read_time(*f)) fault.delay = *delay;
      }
      scenario_.faults.push_back(fault);
    }
  }

  void parse_torch_distributed(const Field& field) {
    const auto section = read_section(field, kTorchDistributedKeys);
    if (!section) return;
    TorchDistributed& dist = scenario_.torch_distributed;
    if (const Field* f = section->find("library")) {
      if (auto library = read_choice(*f, {"commsim", "gloo"}, "library")) {
        dist.library = *library == "gloo" ? comm::DistImpl::kGloo : comm::DistImpl::kCommsim;
      }
    }
    if (const Field* f = section->find("timeout")) {
      if (auto timeout = read_quantity(*f, &parse_time, "a time", /*positive=*/true)) {
        dist.timeout = *timeout;
      }
    }
  }

  void parse_policy_switches(const Field& field) {
    const auto section = read_section(field, kPolicySwitchKeys);
    if (!section) return;
    PolicySwitches& switches = scenario_.policy_switches;
    if (const Field* f = section->find("arch_allow")) {
      if (auto names = read_string_list(*f)) {
        std::set<comm::Arch> archs;
        for (const std::string& name : *names) {
          if (auto arch = comm::parse_arch(name)) {
            archs.insert(*arch);
          } else {
            error(at(*f), f->path + ": unknown arch " + quote(name) +
                              "; valid: x86_64, aarch64, ppc64le, s390x, riscv64");
          }
        }
        switches.arch_allow = archs;
      }
    }
    const std::pair<const char*, std::optional<bool>*> flags[] = {
        {"name_agreement_check", &switches.name_agreement_check},
        {"fallback_info_log", &switches.fallback_info_log},
        {"supports_tensor_dict", &switches.has_supports_tensor_dict},
        {"thread_num_min_allreduce", &switches.thread_num_min_allreduce}};
    for (const auto& [key, target] : flags) {
      if (const Field* f = section->find(key)) *target = read_bool(*f);
    }
    if (const Field* f = section->find("custom_send_recv_rule")) {
      if (auto rule = read_choice(*f, {"op_present", "supports_tensor_dict"}, "rule")) {
        switches.custom_send_recv_rule = *rule == "op_present"
                                             ? comm::CustomSendRecvRule::kOpPresent
                                             : comm::CustomSendRecvRule::kSupportsTensorDict;
      }
    }
    if (const Field* f = section->find("shm_allreduce_world_sizes")) {
      if (!f->value.IsSequence()) {
        type_error(*f, "a list of world sizes");
      } else {
        std::set<int> sizes;
        for (std::size_t i = 0; i < f->value.size(); ++i) {
          const Field item{"", YAML::Mark::null_mark(), f->value[i],
                           f->path + "[" + std::to_string(i) + "]"};
          if (auto size = read_int(item, 1, 8)) sizes.insert(*size);
        }
        switches.shm_allreduce_world_sizes = sizes;
      }
    }
  }

  void parse_ranks(const Field& field, Expectations& expectations) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      const auto key = read_rank_key(field, entry, /*allow_all=*/true);
      if (!key) continue;
      const int rank = *key;
      if (expectations.ranks.count(rank) != 0) {
        error(pos(entry.key_mark), field.path + ": rank " + entry.key + " is given twice");
        continue;
      }
      RankExpectation& expectation = expectations.ranks[rank];
      expectation.pos = at(entry);
      parse_rank(entry, expectation);
    }
  }

  void parse_rank(const Field& field, RankExpectation& expectation) {
    const auto section = read_section(field, kRankKeys);
    if (!section) return;
    read_outcome_and_error(*section, expectation.outcome, expectation.error);
    if (const Field* f = section->find("probe")) {
      if (const auto probe = read_section(*f, kProbeKeys)) {
        read_outcome_and_error(*probe, expectation.probe_outcome, expectation.probe_error);
      }
    }
    if (const Field* f = section->find("waiting")) {
      if (const auto waiting = read_section(*f, kWaitingKeys)) {
        WaitExpectation parsed;
        if (const Field* op = waiting->find("op")) parsed.op = read_string(*op);
        if (const Field* group = waiting->find("group")) parsed.group = read_string(*group);
        // -1 waits on any peer; any other peer is a rank of the world.
        if (const Field* peer = waiting->find("peer")) {
          parsed.peer =
              read_int(*peer, -1, parallel_valid_ ? scenario_.parallel.world() - 1 : kMaxRanks - 1);
        }
        expectation.waiting = std::move(parsed);
      }
      if (!expectation.outcome) expectation.outcome = Outcome::kHang;
    }
  }

  // `outcome` and `error` of a rank or probe; an error without an outcome implies outcome error.
  void read_outcome_and_error(const Section& section, std::optional<Outcome>& outcome,
                              std::optional<ErrorExpectation>& expected_error) {
    const Field* outcome_field = section.find("outcome");
    if (outcome_field != nullptr) outcome = read_outcome(*outcome_field);
    const Field* error_field = section.find("error");
    if (error_field == nullptr) return;
    if (const auto error_section = read_section(*error_field, kErrorKeys)) {
      ErrorExpectation parsed;
      if (const Field* f = error_section->find("type")) parsed.type = read_string(*f);
      if (const Field* f = error_section->find("message")) parsed.message = read_string(*f);
      if (const Field* f = error_section->find("op")) parsed.op = read_string(*f);
      expected_error = std::move(parsed);
    }
    if (outcome_field == nullptr) {
      outcome = Outcome::kError;
    } else if (outcome && *outcome != Outcome::kError && *outcome != Outcome::kTimeout) {
      error(at_key(*error_field), error_field->path + ": an error is described but outcome is " +
                                      quote(outcome_name(*outcome)));
    }
  }

  void parse_data(const Field& field, Expectations& expectations) {
    const auto section = read_section(field, kDataKeys);
    if (!section) return;
    DataExpectation data;
    data.pos = at(field);
    if (const Field* f = section->find("dicts_delivered")) data.dicts_delivered = read_int(*f, 0);
    if (const Field* f = section->find("bit_identical")) data.bit_identical = read_bool(*f);
    if (const Field* f = section->find("collectives")) data.collectives = read_int(*f, 0);
    if (const Field* f = section->find("collectives_exact")) {
      data.collectives_exact = read_bool(*f);
    }
    expectations.data = std::move(data);
  }

  void parse_numerics(const Field& field, Expectations& expectations) {
    const auto section = read_section(field, kNumericsKeys);
    if (!section) return;
    NumericsExpectation numerics;
    numerics.pos = at(field);
    for (const auto& [key, target] :
         {std::pair{"rel_l2", &numerics.rel_l2}, std::pair{"max_abs", &numerics.max_abs}}) {
      if (const Field* f = section->find(key)) {
        if (auto value = read_number(*f)) {
          if (*value < 0) {
            error(at(*f), f->path + ": must not be negative, got " + f->value.Scalar());
          } else {
            *target = *value;
          }
        }
      }
    }
    expectations.numerics = numerics;
  }

  void parse_sim_time(const Field& field, Expectations& expectations) {
    const auto section = read_section(field, kSimTimeKeys);
    if (!section) return;
    TimeExpectation sim_time;
    sim_time.pos = at(field);
    if (const Field* f = section->find("min")) sim_time.min = read_time(*f);
    if (const Field* f = section->find("max")) sim_time.max = read_time(*f);
    if (sim_time.min && sim_time.max && *sim_time.min > *sim_time.max) {
      error(at(*section->find("min")),
            field.path + ": min (" + section->find("min")->value.Scalar() +
                ") is greater than max (" + section->find("max")->value.Scalar() + ")");
    }
    expectations.sim_time = std::move(sim_time);
  }

  PlatformFileReader reader_;
  Scenario scenario_;

  bool placement_valid_ = true;
  SourcePos parallel_pos_;
  std::string parallel_product_;
  SourcePos map_pos_;
  SourcePos oversubscribe_pos_;
  bool nodes_valid_ = true;     // topology.nodes holds a valid value (given or default)
  bool parallel_valid_ = true;  // parallel holds valid sizes (given or default)
};

}  // namespace

std::string ScenarioError::to_string() const {
  std::string out = pos.file;
  if (pos.line > 0) {
    if (!out.empty()) out += ":";
    out += std::to_string(pos.line) + ":" + std::to_string(pos.column);
  }
  if (out.empty()) return message;
  return out + ": " + message;
}

ParseResult parse_scenario_text(const std::string& text, const std::string& file_name,
                                const PlatformFileReader& reader) {
  return Parser(file_name, reader).parse(text);
}

ParseResult parse_scenario_file(const std::string& path, const PlatformFileReader& reader) {
  const InputText input = read_input_file(path, kMaxScenarioFileBytes);
  if (!input.text) {
    ParseResult result;
    result.errors.push_back(
        ScenarioError{SourcePos{path, 0, 0}, "cannot read scenario file: " + input.error});
    return result;
  }
  return parse_scenario_text(*input.text, path, reader);
}

}  // namespace commsim::scenario
