// A scenario as plain data: what the YAML file says, validated, with every default filled in.
//
// scenario_parser.h turns a file into a Scenario or a list of errors with positions; nothing here
// depends on SimGrid, so scenarios can be parsed, checked and explained without simulating.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "communicators/dtype.h"
#include "communicators/policy.h"
#include "communicators/rank_env.h"
#include "communicators/tensor.h"
#include "communicators/tensor_dict.h"
#include "scenarios/collective_spec.h"

namespace commsim::scenario {

// A position in a scenario file, 1-based; line 0 means "no position" (e.g. the command line).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

// How layer kernels (kernels/kernel_cost.h) take time on a node: an additive roofline,
//   seconds = flops / (core_flops x threads x efficiency x (bf16 ? bf16_speedup : 1))
//           + bytes / memory_bandwidth + call_overhead.
struct KernelModel {
  double efficiency = 0.9;      // share of the peak a compute-bound kernel reaches, in (0, 1]
  double bf16_speedup = 2.0;    // bf16 peak over f32 peak (AVX512-BF16, SVE BF16: 2)
  double call_overhead = 1e-6;  // seconds per call (dispatch, thread fork/join)
};

// Hardware of one node.
struct NodeHardware {
  int cores = 32;
  double core_flops = 100e9;        // flop/s per core (f32 peak)
  double memory_bandwidth = 200e9;  // bytes/s, the node's memory bus (loopback link)
  double memory_latency = 100e-9;   // seconds before each copy on the memory bus starts
  KernelModel kernels;
};

// Everything a process observes on its node, plus its hardware.
struct NodeSpec {
  std::string preset;  // the hardware preset named (scenarios/node_presets.h), "" for none
  comm::Arch arch = comm::Arch::kX86;
  bool has_init_shm_manager = true;
  int num_threads = 0;  // torch.get_num_threads(); 0 = cores / ranks on the node
  NodeHardware hardware;
  std::map<std::string, std::string> environment;  // VLLM_DIST_IDENT unset = launch port
  // Names already in the node's /dev/shm when the run starts (left by a killed run).
  std::vector<std::string> stale_shm_segments;
  // TCP ports other processes hold on the node when vLLM starts (scenarios/launch_ports.h).
  std::vector<int> ports_in_use;
};

// Per-node overrides from the `nodes:` section; unset fields keep the topology's node defaults.
struct NodeOverride {
  SourcePos pos;
  std::optional<comm::Arch> arch;
  std::optional<bool> has_init_shm_manager;
  std::optional<int> num_threads;
  std::optional<int> cores;
  std::optional<double> core_flops;
  std::optional<double> memory_bandwidth;
  std::optional<double> memory_latency;
  std::optional<std::string> preset;  // its hardware and arch fill the fields not given
  std::optional<double> nic_limit;    // bytes/s, replaces topology.network.nic_limit
  std::map<std::string, std::string> environment;              // merged over the defaults
  std::optional<std::vector<std::string>> stale_shm_segments;  // replaces the defaults
  std::optional<std::vector<int>> ports_in_use;                // replaces the defaults
};

// The network between nodes. In a cluster every node has one NIC (full duplex) to a single switch;
// in a fat-tree, torus or dragonfly every link of the generated topology has `bandwidth` and
// `latency`. Messages between two ranks of one node (torch.distributed over TCP) cross the node's
// loopback.
struct NetworkSpec {
  double bandwidth = 25e9 / 8;      // bytes/s per link direction (a cluster's NICs)
  double latency = 10e-6;           // seconds per hop (two hops between nodes of a cluster)
  double loopback_bandwidth = 5e9;  // bytes/s of TCP over the loopback interface
  double loopback_latency = 1e-6;   // seconds per loopback message
  bool crosstraffic = true;         // LV08's ACK back-flow (x1.05 on links used both ways)
  // SimGrid's network model: "LV08" (its default), "CM02" with LV08's factors between nodes and
  // none on a node's loopback, or "SMPI" (piecewise factors by message size).
  std::string model = "LV08";
  // SimGrid's limiter link: one SHARED link per node that all its traffic in and out crosses,
  // capping the node's total at this many bytes/s. nullopt: no cap.
  std::optional<double> nic_limit;
};

// SimGrid's generated topologies, with the parameters of its <cluster topology="...">.
struct FatTreeShape {  // FAT_TREE "levels;down...;up...;links..."
  int levels = 0;
  std::vector<int> down;   // per level, children of each switch (their product: the nodes)
  std::vector<int> up;     // per level, parents of each element
  std::vector<int> links;  // per level, parallel links between an element and each parent
};
struct TorusShape {  // TORUS "x,y,z..."
  std::vector<int> dimensions;
};
struct DragonflyShape {               // DRAGONFLY "groups,links;chassis,links;routers,links;nodes"
  std::pair<int, int> groups{1, 1};   // count, links between two groups
  std::pair<int, int> chassis{1, 1};  // per group: count, links between two chassis
  std::pair<int, int> routers{1, 1};  // per chassis: count, links between two routers
  int nodes = 1;                      // per router
};

// A node of a platform file (kind: xml), as SimGrid reads it.
struct PlatformNode {
  std::string name;                // the host's name, or the zone's
  std::vector<std::string> hosts;  // its hosts, in order; ranks of the node go round them
  int cores = 1;                   // of its first host
  double speed = 0;                // flop/s per core of its first host
  std::map<std::string, std::string> properties;  // of its first host, then of its zone
};

// kind: xml. `nodes` is what the file gives, filled while parsing (see PlatformFileReader).
struct XmlPlatform {
  std::string file;                 // as resolved: relative to the scenario file's directory
  std::string node_unit = "hosts";  // "hosts": each host is a node; "zones": each zone of hosts
  std::vector<PlatformNode> nodes;  // in order of node index
};

struct Topology {
  // single_node; cluster (N nodes behind one switch); fat_tree, torus, dragonfly (SimGrid's
  // generators); xml (a SimGrid platform file).
  std::string kind = "cluster";
  int nodes = 1;
  NodeSpec node;  // defaults for every node
  NetworkSpec network;
  FatTreeShape fat_tree;
  TorusShape torus;
  DragonflyShape dragonfly;
  XmlPlatform xml;
  // Node facts an xml platform's host properties give, by node index (applied before `nodes:`).
  std::vector<NodeOverride> platform_facts;
};

// The shape of a fat_tree, torus or dragonfly as SimGrid's <cluster topo_parameters="..."> spells
// it ("2;4,4;1,2;1,2", "4,4,2", "2,1;2,1;2,1;2"); "" for the other kinds.
std::string topo_parameters(const Topology& topology);

// Per-rank overrides from the `ranks:` section: what one process sees differently from the other
// ranks of its node (vLLM binds a thread count per rank; a launcher may leave a variable unset).
struct RankOverride {
  SourcePos pos;
  std::optional<int> num_threads;
  std::map<std::string, std::string> environment;  // merged over the node's
  std::vector<std::string> unset_environment;      // removed after merging
};

// The torch.distributed fallback (the `torch_distributed:` section): which code runs its
// collectives, and its process groups' timeout (PyTorch's default for gloo: 30 minutes).
struct TorchDistributed {
  comm::DistImpl library = comm::DistImpl::kCommsim;
  double timeout =
      1800;  // seconds; a torch.distributed wait past it fails with gloo's timeout text
};

// Single policy switches overriding the chosen profile (see communicators/policy.h).
struct PolicySwitches {
  std::optional<std::set<comm::Arch>> arch_allow;
  std::optional<bool> name_agreement_check;
  std::optional<bool> fallback_info_log;
  std::optional<bool> has_supports_tensor_dict;
  std::optional<comm::CustomSendRecvRule> custom_send_recv_rule;
  std::optional<bool> thread_num_min_allreduce;
  std::optional<std::set<int>> shm_allreduce_world_sizes;

  // `policy` with every stated switch replaced.
  comm::Policy apply(comm::Policy policy) const;
};

// Something that goes wrong during the run (the `faults:` section).
struct Fault {
  enum class Kind {
    kLinkDown,      // node's NIC (both directions) off from `at`
    kLinkUp,        // node's NIC on again from `at`
    kHostCrash,     // node off from `at`: its ranks are killed
    kSlowNode,      // node's cores and memory bus at `factor` of their speed, for the whole run
    kMessageDelay,  // every message `rank` sends leaves `delay` seconds late
  };
  SourcePos pos;
  Kind kind = Kind::kLinkDown;
  int node = -1;
  int rank = -1;
  double at = 0;      // seconds
  double factor = 1;  // kSlowNode, in (0, 1]
  double delay = 0;   // seconds, kMessageDelay
};

// How ranks are placed on nodes (the `placement:` section).
struct Placement {
  // packed: vLLM's multi-node launch, rank = node x ranks_per_node + local_rank (the world must
  // be a multiple of the node count); round_robin: rank r on node r mod nodes; explicit: `map`.
  std::string kind = "packed";
  std::vector<int> map;       // explicit: the node of each rank, one entry per rank
  bool oversubscribe = true;  // false: a node given more ranks than it has cores is an error
};

// The scenario-file spelling of a fault kind ("link_down", ...), every spelling in declaration
// order, and the kind a spelling names.
std::string_view fault_kind_name(Fault::Kind kind);
std::vector<std::string> fault_kind_names();
std::optional<Fault::Kind> parse_fault_kind(std::string_view name);

struct Parallel {
  int tensor = 1;
  int pipeline = 1;
  int data = 1;
  int world() const { return tensor * pipeline * data; }
};

struct TensorSpec {
  std::string name;
  comm::DType dtype = comm::DType::kF32;
  comm::Shape shape;
};

// A Llama-style decoder for `kind: model` (see sim/workloads/model_workload.h). A preset fills the
// shape; keys beside it win.
struct ModelSpec {
  std::string preset;  // "" or a name from model_presets()
  int layers = 2;
  int hidden = 128;
  int heads = 4;
  int kv_heads = 2;
  int intermediate = 256;
  int vocab = 512;
  comm::DType dtype = comm::DType::kF32;       // weights, matmul inputs, KV cache: f32 or bf16
  comm::DType comm_dtype = comm::DType::kF32;  // TP partial sums and the PP hand-off: f32 or bf16
  double rope_theta = 10000;
  double rms_eps = 1e-5;
  int head_dim() const { return hidden / heads; }
};

// `kind: tp_allreduce`: for `steps` steps, every rank fills each tensor with seeded
// integer-valued numbers in [-8, 8] and all-reduces it through its TP group
// (GroupCoordinator.all_reduce, in place); every sum is exact in every dtype for up to 8 ranks, so
// the rank checks the result element for element against the sum it computes itself.
//
// `kind: pp_handoff`: every pipeline stage but the last sends a TensorDict (the tensors, with
// seeded values, then the extras) to the next stage through the PP group's send_tensor_dict, for
// `steps` steps; every stage but the first receives it with recv_tensor_dict and checks it
// bit for bit against the values it regenerates from the seed.
//
// `kind: collective`: `steps` times, one torch.distributed collective (collective_spec.h) on the
// TP group's device_group, bypassing the CpuCommunicator, as nccl-tests runs one NCCL collective:
// every rank times each call; real data is checked element for element after the last call.
struct Workload {
  std::string kind = "pp_handoff";  // or "tp_allreduce", "collective"
  int steps = 1;
  std::uint64_t seed = 0;
  std::vector<TensorSpec> tensors;
  std::vector<std::pair<std::string, comm::PlainValue>> extras;
  // After the steps, call CpuCommunicator.send_tensor_dict / recv_tensor_dict directly on the PP
  // group (vLLM's fast path) and record what it does as a probe.
  bool probe_fastpath = false;
  // pp_handoff: the worker's sequence parallelism (compilation_config.pass_config.enable_sp),
  // which decides all_gather_tensors (sim/workloads/pp_handoff.h). Off by default.
  bool sequence_parallel = false;
  // tp_allreduce inputs: "integers" in [-8, 8] (every sum exact) or "uniform" floats in [-1, 1)
  // (sums rounded; checked against a float64 sum with the `numerics` tolerances).
  std::string values = "integers";
  CollectiveSpec collective;  // kind: collective
  // kind: model: a prefill of `prompt` tokens for each of `batch` sequences, then `steps` decode
  // steps, greedy. `data`: "real" (weights, numbers, checked against a single-rank reference) or
  // "phantom" (costs only, nothing allocated).
  ModelSpec model;
  std::string data = "real";
  int batch = 1;
  int prompt = 8;
};

// How a rank's run ended. kUnknown is never expected: only the record of a simulation whose
// process died (RunRecord::simulation_failure) holds it, for every rank.
enum class Outcome { kOk, kError, kHang, kKilled, kTimeout, kUnknown };

struct ErrorExpectation {
  std::optional<std::string> type;     // exact, e.g. "AttributeError"
  std::optional<std::string> message;  // substring of the message
  std::optional<std::string> op;       // exact outermost operation, e.g. "send_tensor_dict"
};

// Where a hung rank waits: its innermost operation, that operation's group, and the world rank
// it waits for.
struct WaitExpectation {
  std::optional<std::string> op;
  std::optional<std::string> group;
  std::optional<int> peer;
};

struct RankExpectation {
  SourcePos pos;
  std::optional<Outcome> outcome;
  std::optional<ErrorExpectation> error;
  // Expected result of the fast-path probe: nullopt = not checked; a probe "ok" has no error.
  std::optional<Outcome> probe_outcome;
  std::optional<ErrorExpectation> probe_error;
  std::optional<WaitExpectation> waiting;  // for a hang: where the rank is blocked
};

struct GroupExpectation {
  SourcePos pos;
  std::optional<std::string> backend;  // "shm" or "torch.distributed"
  std::optional<bool> supports_tensor_dict;
  std::optional<bool> use_cpu_custom_send_recv;
  std::optional<std::string> log;  // substring of an INFO line logged for this group
  std::optional<bool> no_log;      // true: no line logged for this group
};

struct DataExpectation {
  SourcePos pos;
  std::optional<int> dicts_delivered;     // TensorDicts received, summed over receiving ranks
  std::optional<bool> bit_identical;      // every received dict equals what was sent
  std::optional<int> collectives;         // all-reduces completed, summed over ranks
  std::optional<bool> collectives_exact;  // every all-reduce result equals the exact sum
};

// Tolerances of all-reduce results against a float64 reference (norm-based: element-wise
// relative error means nothing near zero).
struct NumericsExpectation {
  SourcePos pos;
  std::optional<double> rel_l2;   // worst ||result - reference|| / ||reference|| over all-reduces
  std::optional<double> max_abs;  // worst |result - reference| over all elements
};

// What a `kind: model` run must produce, as its last pipeline stage sees it.
struct ModelExpectation {
  SourcePos pos;
  std::optional<int> steps;                    // steps whose logits came out (prefill + decodes)
  std::optional<bool> tokens_match_reference;  // greedy tokens equal the single-rank reference
};

struct TimeExpectation {
  SourcePos pos;
  std::optional<double> min;  // seconds
  std::optional<double> max;  // seconds
};

// What must happen under one policy.
struct Expectations {
  SourcePos pos;
  std::map<std::string, GroupExpectation> groups;  // key: group name, e.g. "pp:0"
  std::map<int, RankExpectation> ranks;            // key: world rank; -1 = every rank ("all")
  std::optional<DataExpectation> data;
  std::optional<NumericsExpectation> numerics;
  std::optional<TimeExpectation> sim_time;
  std::optional<ModelExpectation> model;
};

struct Scenario {
  std::string path;  // as given on the command line
  std::string name;
  std::string description;
  std::string policy;  // default policy name when none is given
  Topology topology;
  std::map<int, NodeOverride> node_overrides;  // key: node index
  std::map<int, RankOverride> rank_overrides;  // key: world rank
  PolicySwitches policy_switches;
  TorchDistributed torch_distributed;
  std::vector<Fault> faults;  // in file order
  // `launch.seed`: what the OS's port picks derive from (scenarios/launch_ports.h); nullopt: the
  // workload's seed.
  std::optional<std::uint64_t> launch_seed;
  Parallel parallel;
  Placement placement;
  Workload workload;
  std::map<std::string, Expectations> expect;  // key: policy name

  // The facts of node `index` after overrides (num_threads still 0 = derive from placement).
  NodeSpec node(int index) const;
  // The host name of node `index`: "nodeI", or the name in the platform file.
  std::string node_name(int index) const;
  // The NIC limit of node `index` (its override, else the network's), nullopt for none.
  std::optional<double> nic_limit(int index) const;
  // The node rank `rank` runs on, under `placement`.
  int node_of_rank(int rank) const;
  // The number of ranks on each node, by node index.
  std::vector<int> ranks_per_node() const;
};

}  // namespace commsim::scenario
