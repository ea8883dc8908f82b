#include "scenarios/scenario_parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "communicators/policy.h"
#include "scenarios/node_presets.h"

namespace commsim::scenario {
namespace {

using comm::Arch;
using comm::DType;
using comm::PlainValue;

// The tests run from the source root (tests/CMakeLists.txt sets the working directory).
const std::string kExample = "scenarios/regressions/vllm-37933-interpp.yaml";

ParseResult parse(const std::string& text) { return parse_scenario_text(text, "test.yaml"); }

std::string all_errors(const ParseResult& result) {
  std::string out;
  for (const ScenarioError& error : result.errors) out += error.to_string() + "\n";
  return out;
}

// Parses `text`, which must be valid, and returns the scenario.
Scenario parse_ok(const std::string& text) {
  ParseResult result = parse(text);
  EXPECT_TRUE(result.errors.empty()) << all_errors(result);
  EXPECT_TRUE(result.scenario.has_value());
  Scenario scenario;
  if (result.scenario) scenario = std::move(*result.scenario);
  return scenario;
}

// Expects exactly one error, at line:column, whose message is `message`.
void expect_error(const std::string& text, int line, int column, const std::string& message) {
  const ParseResult result = parse(text);
  EXPECT_FALSE(result.scenario.has_value());
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  const ScenarioError& error = result.errors[0];
  EXPECT_EQ(error.pos.file, "test.yaml");
  EXPECT_EQ(error.pos.line, line) << error.to_string();
  EXPECT_EQ(error.pos.column, column) << error.to_string();
  EXPECT_EQ(error.message, message);
}

// Expects exactly one error, at line:column, whose message contains every one of `parts`.
void expect_error_containing(const std::string& text, int line, int column,
                             const std::vector<std::string>& parts) {
  const ParseResult result = parse(text);
  EXPECT_FALSE(result.scenario.has_value());
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  const ScenarioError& error = result.errors[0];
  EXPECT_EQ(error.pos.line, line) << error.to_string();
  EXPECT_EQ(error.pos.column, column) << error.to_string();
  for (const std::string& part : parts) {
    EXPECT_NE(error.message.find(part), std::string::npos)
        << "missing '" << part << "' in: " << error.message;
  }
}

// A minimal valid scenario: lines 1-5.
const std::string kMinimal = R"(name: minimal
policy: vllm-pr40150
topology: { nodes: 1 }
parallel: { pipeline: 2 }
workload: { kind: pp_handoff }
)";

// ----- the canonical example -----

TEST(ScenarioParserExample, ParsesWithoutErrors) {
  const ParseResult result = parse_scenario_file(kExample);
  ASSERT_TRUE(result.errors.empty()) << all_errors(result);
  ASSERT_TRUE(result.scenario.has_value());
  EXPECT_EQ(result.scenario->path, kExample);
  EXPECT_EQ(result.scenario->name, "vllm-37933-interpp");
  EXPECT_EQ(result.scenario->description,
            "PP=2 across two x86 nodes; the PP group falls back to torch.distributed");
  EXPECT_EQ(result.scenario->policy, "vllm-pr40150");
}

TEST(ScenarioParserExample, TopologyHasTwoNodesAndConvertedUnits) {
  const Scenario scenario = parse_scenario_file(kExample).scenario.value();
  const Topology& topology = scenario.topology;
  EXPECT_EQ(topology.kind, "cluster");
  EXPECT_EQ(topology.nodes, 2);
  EXPECT_EQ(topology.node.arch, Arch::kX86);
  EXPECT_EQ(topology.node.hardware.cores, 32);
  EXPECT_DOUBLE_EQ(topology.node.hardware.core_flops, 100e9);
  EXPECT_DOUBLE_EQ(topology.node.hardware.memory_bandwidth, 200e9);
  EXPECT_DOUBLE_EQ(topology.node.hardware.memory_latency, 100e-9);  // default
  EXPECT_TRUE(topology.node.has_init_shm_manager);                  // default
  EXPECT_EQ(topology.node.num_threads, 0);                          // default: derived
  EXPECT_DOUBLE_EQ(topology.network.bandwidth, 3.125e9);
  EXPECT_DOUBLE_EQ(topology.network.latency, 1e-5);
  EXPECT_TRUE(scenario.node_overrides.empty());
}

TEST(ScenarioParserExample, ParallelAndWorkload) {
  const Scenario scenario = parse_scenario_file(kExample).scenario.value();
  EXPECT_EQ(scenario.parallel.tensor, 1);
  EXPECT_EQ(scenario.parallel.pipeline, 2);
  EXPECT_EQ(scenario.parallel.data, 1);
  EXPECT_EQ(scenario.parallel.world(), 2);

  const Workload& workload = scenario.workload;
  EXPECT_EQ(workload.kind, "pp_handoff");
  EXPECT_EQ(workload.steps, 3);
  EXPECT_EQ(workload.seed, 37933u);
  ASSERT_EQ(workload.tensors.size(), 2u);
  EXPECT_EQ(workload.tensors[0].name, "hidden_states");
  EXPECT_EQ(workload.tensors[1].name, "residual");
  for (const TensorSpec& tensor : workload.tensors) {
    EXPECT_EQ(tensor.dtype, DType::kF32);
    EXPECT_EQ(tensor.shape, (comm::Shape{4, 256}));
  }
  ASSERT_EQ(workload.extras.size(), 1u);
  EXPECT_EQ(workload.extras[0].first, "step_kind");
  EXPECT_EQ(workload.extras[0].second, PlainValue{std::string("decode")});
  EXPECT_TRUE(workload.probe_fastpath);
}

TEST(ScenarioParserExample, ExpectationsUnderVllm0180) {
  const Scenario scenario = parse_scenario_file(kExample).scenario.value();
  ASSERT_EQ(scenario.expect.size(), 2u);
  const Expectations& expect = scenario.expect.at("vllm-0.18.0");
  EXPECT_EQ(expect.pos.line, 32);

  ASSERT_EQ(expect.groups.count("pp:0"), 1u);
  const GroupExpectation& group = expect.groups.at("pp:0");
  EXPECT_EQ(group.backend, "torch.distributed");
  EXPECT_FALSE(group.supports_tensor_dict.has_value());
  EXPECT_EQ(group.use_cpu_custom_send_recv, true);
  EXPECT_EQ(group.log, "CPU SHM communicator disabled for group pp:0");
  EXPECT_FALSE(group.no_log.has_value());
  EXPECT_EQ(group.pos.line, 34);
  EXPECT_EQ(group.pos.column, 9);

  ASSERT_EQ(expect.ranks.size(), 2u);
  const RankExpectation& rank0 = expect.ranks.at(0);
  EXPECT_EQ(rank0.pos.file, kExample);
  EXPECT_EQ(rank0.pos.line, 39);
  EXPECT_EQ(rank0.pos.column, 9);
  EXPECT_EQ(rank0.outcome, Outcome::kError);
  ASSERT_TRUE(rank0.error.has_value());
  EXPECT_EQ(rank0.error->type, "AttributeError");
  EXPECT_EQ(rank0.error->message, "module 'torch.distributed' has no attribute 'send_tensor_dict'");
  EXPECT_EQ(rank0.error->op, "isend_tensor_dict");
  EXPECT_FALSE(rank0.probe_outcome.has_value());
  EXPECT_FALSE(rank0.probe_error.has_value());
  const RankExpectation& rank1 = expect.ranks.at(1);
  EXPECT_EQ(rank1.outcome, Outcome::kError);
  EXPECT_EQ(rank1.error->op, "irecv_tensor_dict");

  ASSERT_TRUE(expect.data.has_value());
  EXPECT_EQ(expect.data->dicts_delivered, 0);
  EXPECT_FALSE(expect.data->bit_identical.has_value());
  EXPECT_EQ(expect.data->pos.line, 50);
  EXPECT_FALSE(expect.sim_time.has_value());
}

TEST(ScenarioParserExample, ExpectationsUnderVllmPr40150) {
  const Scenario scenario = parse_scenario_file(kExample).scenario.value();
  const Expectations& expect = scenario.expect.at("vllm-pr40150");
  const GroupExpectation& group = expect.groups.at("pp:0");
  EXPECT_EQ(group.supports_tensor_dict, false);
  EXPECT_EQ(group.use_cpu_custom_send_recv, false);

  ASSERT_EQ(expect.ranks.size(), 3u);
  const RankExpectation& all = expect.ranks.at(-1);
  EXPECT_EQ(all.outcome, Outcome::kOk);
  EXPECT_FALSE(all.error.has_value());
  EXPECT_EQ(all.pos.line, 60);

  const RankExpectation& rank0 = expect.ranks.at(0);
  EXPECT_FALSE(rank0.outcome.has_value());
  EXPECT_EQ(rank0.probe_outcome, Outcome::kError);
  ASSERT_TRUE(rank0.probe_error.has_value());
  EXPECT_EQ(rank0.probe_error->type, "NotImplementedError");
  EXPECT_EQ(rank0.probe_error->message,
            "CpuCommunicator does not support tensor dict fastpath with torch.distributed "
            "backend.");
  EXPECT_EQ(rank0.probe_error->op, "CpuCommunicator.send_tensor_dict");
  EXPECT_EQ(expect.ranks.at(1).probe_error->op, "CpuCommunicator.recv_tensor_dict");

  ASSERT_TRUE(expect.data.has_value());
  EXPECT_EQ(expect.data->dicts_delivered, 3);
  EXPECT_EQ(expect.data->bit_identical, true);
  ASSERT_TRUE(expect.sim_time.has_value());
  EXPECT_FALSE(expect.sim_time->min.has_value());
  EXPECT_DOUBLE_EQ(expect.sim_time->max.value(), 10e-3);
  EXPECT_EQ(expect.sim_time->pos.line, 76);
}

TEST(ScenarioParserExample, EveryPolicyNameIsAcceptedUnderExpect) {
  std::string text = kMinimal + "expect:\n";
  for (const std::string& name : comm::policy_names()) text += "  " + name + ": {}\n";
  const Scenario scenario = parse_ok(text);
  EXPECT_EQ(scenario.expect.size(), comm::policy_names().size());
}

// ----- defaults and value typing -----

TEST(ScenarioParserDefaults, MinimalScenarioGetsTheDocumentedDefaults) {
  const Scenario scenario = parse_ok(kMinimal);
  EXPECT_EQ(scenario.path, "test.yaml");
  EXPECT_EQ(scenario.description, "");
  EXPECT_EQ(scenario.topology.kind, "cluster");
  EXPECT_EQ(scenario.topology.nodes, 1);
  EXPECT_EQ(scenario.topology.node.arch, Arch::kX86);
  EXPECT_EQ(scenario.topology.node.hardware.cores, 32);
  EXPECT_DOUBLE_EQ(scenario.topology.node.hardware.core_flops, 100e9);
  EXPECT_DOUBLE_EQ(scenario.topology.node.hardware.memory_bandwidth, 200e9);
  EXPECT_DOUBLE_EQ(scenario.topology.node.hardware.memory_latency, 100e-9);
  EXPECT_DOUBLE_EQ(scenario.topology.network.bandwidth, 25e9 / 8);
  EXPECT_DOUBLE_EQ(scenario.topology.network.latency, 10e-6);
  EXPECT_TRUE(scenario.topology.node.environment.empty());
  EXPECT_EQ(scenario.parallel.tensor, 1);
  EXPECT_EQ(scenario.parallel.data, 1);
  EXPECT_EQ(scenario.workload.steps, 1);
  EXPECT_EQ(scenario.workload.seed, 0u);
  EXPECT_TRUE(scenario.workload.tensors.empty());
  EXPECT_TRUE(scenario.workload.extras.empty());
  EXPECT_FALSE(scenario.workload.probe_fastpath);
  EXPECT_TRUE(scenario.expect.empty());
}

TEST(ScenarioParserValues, ExtrasAreTypedAsYamlScalarsInFileOrder) {
  const Scenario scenario = parse_ok(kMinimal.substr(0, kMinimal.find("workload")) + R"(workload:
  extras:
    z_none: null
    tilde: ~
    empty:
    yes_bool: true
    no_bool: False
    count: -42
    ratio: 0.5
    big: 1e3
    quoted_number: "3"
    single_quoted: 'true'
    word: decode
    version: 1.2.3
    hex: 0x1F
    octal: 0o17
    infinity: -.inf
)");
  const auto& extras = scenario.workload.extras;
  ASSERT_EQ(extras.size(), 15u);
  const std::vector<std::pair<std::string, PlainValue>> expected = {
      {"z_none", comm::None{}},
      {"tilde", comm::None{}},
      {"empty", comm::None{}},
      {"yes_bool", true},
      {"no_bool", false},
      {"count", std::int64_t{-42}},
      {"ratio", 0.5},
      {"big", 1000.0},
      {"quoted_number", std::string("3")},
      {"single_quoted", std::string("true")},
      {"word", std::string("decode")},
      {"version", std::string("1.2.3")},
      {"hex", std::int64_t{31}},
      {"octal", std::int64_t{15}},
      {"infinity", -std::numeric_limits<double>::infinity()},
  };
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(extras[i].first, expected[i].first);
    EXPECT_EQ(extras[i].second, expected[i].second) << expected[i].first;
  }
}

TEST(ScenarioParserValues, TensorsKeepFileOrderAndAcceptEveryDtypeSpelling) {
  const Scenario scenario = parse_ok(kMinimal.substr(0, kMinimal.find("workload")) + R"(workload:
  tensors:
    zeta: { dtype: bf16, shape: [] }
    alpha: { dtype: int64, shape: [0, 3] }
    mid: { shape: [2] }
)");
  const auto& tensors = scenario.workload.tensors;
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].name, "zeta");
  EXPECT_EQ(tensors[0].dtype, DType::kBF16);
  EXPECT_TRUE(tensors[0].shape.empty());
  EXPECT_EQ(tensors[1].name, "alpha");
  EXPECT_EQ(tensors[1].dtype, DType::kI64);
  EXPECT_EQ(tensors[1].shape, (comm::Shape{0, 3}));
  EXPECT_EQ(tensors[2].dtype, DType::kF32);  // default
}

TEST(ScenarioParserValues, CoreGflopsAcceptsABareNumberOrAFlopsUnit) {
  Scenario scenario = parse_ok(R"(name: n
policy: vllm-pr40150
topology: { node: { core_gflops: 2.5 } }
parallel: {}
workload: {}
)");
  EXPECT_DOUBLE_EQ(scenario.topology.node.hardware.core_flops, 2.5e9);
  scenario = parse_ok(R"(name: n
policy: vllm-pr40150
topology: { node: { core_gflops: 1Tf } }
parallel: {}
workload: {}
)");
  EXPECT_DOUBLE_EQ(scenario.topology.node.hardware.core_flops, 1e12);
}

TEST(ScenarioParserValues, NodeOverridesApplyOverTheTopologyNode) {
  const Scenario scenario = parse_ok(R"(name: overrides
policy: vllm-pr40150
topology:
  nodes: 3
  node:
    arch: x86_64
    threads: 8
    memory_latency: 50ns
    env: { VLLM_CPU_KVCACHE_SPACE: 4, SHARED: base }
nodes:
  node1:
    arch: aarch64
    init_shm_manager: false
    threads: 2
    cores: 16
    core_gflops: 50
    memory_bandwidth: 100GBps
    env: { VLLM_DIST_IDENT: 1234, SHARED: override }
  node2: { arch: ARM }
parallel: { pipeline: 3 }
workload: {}
)");
  ASSERT_EQ(scenario.node_overrides.size(), 2u);
  EXPECT_EQ(scenario.node_overrides.at(1).pos.line, 12);
  EXPECT_EQ(scenario.node_overrides.at(1).pos.column, 5);

  const NodeSpec node0 = scenario.node(0);
  EXPECT_EQ(node0.arch, Arch::kX86);
  EXPECT_TRUE(node0.has_init_shm_manager);
  EXPECT_EQ(node0.num_threads, 8);
  EXPECT_DOUBLE_EQ(node0.hardware.memory_latency, 50e-9);
  EXPECT_EQ(node0.environment, (std::map<std::string, std::string>{{"VLLM_CPU_KVCACHE_SPACE", "4"},
                                                                   {"SHARED", "base"}}));

  const NodeSpec node1 = scenario.node(1);
  EXPECT_EQ(node1.arch, Arch::kArm);
  EXPECT_FALSE(node1.has_init_shm_manager);
  EXPECT_EQ(node1.num_threads, 2);
  EXPECT_EQ(node1.hardware.cores, 16);
  EXPECT_DOUBLE_EQ(node1.hardware.core_flops, 50e9);
  EXPECT_DOUBLE_EQ(node1.hardware.memory_bandwidth, 100e9);
  EXPECT_DOUBLE_EQ(node1.hardware.memory_latency, 50e-9);  // not overridable: kept
  EXPECT_EQ(node1.environment, (std::map<std::string, std::string>{{"VLLM_CPU_KVCACHE_SPACE", "4"},
                                                                   {"VLLM_DIST_IDENT", "1234"},
                                                                   {"SHARED", "override"}}));

  const NodeSpec node2 = scenario.node(2);
  EXPECT_EQ(node2.arch, Arch::kArm);
  EXPECT_EQ(node2.num_threads, 8);
  EXPECT_EQ(node2.hardware.cores, 32);
}

TEST(ScenarioParserValues, ErrorWithoutOutcomeImpliesOutcomeError) {
  const Scenario scenario = parse_ok(kMinimal + R"(expect:
  vllm-pr40150:
    ranks:
      1: { error: { type: RuntimeError } }
      0: { probe: { error: {} } }
)");
  const Expectations& expect = scenario.expect.at("vllm-pr40150");
  EXPECT_EQ(expect.ranks.at(1).outcome, Outcome::kError);
  EXPECT_EQ(expect.ranks.at(1).error->type, "RuntimeError");
  EXPECT_FALSE(expect.ranks.at(1).error->message.has_value());
  EXPECT_FALSE(expect.ranks.at(0).outcome.has_value());
  EXPECT_EQ(expect.ranks.at(0).probe_outcome, Outcome::kError);
  ASSERT_TRUE(expect.ranks.at(0).probe_error.has_value());
}

TEST(ScenarioParserValues, HangKilledAndNoLogAreAccepted) {
  const Scenario scenario = parse_ok(kMinimal + R"(expect:
  vllm-0.18.0:
    groups: { "tp:0": { backend: shm, no_log: true } }
    ranks: { 0: { outcome: hang }, 1: { outcome: killed } }
    sim_time: { min: 0s, max: 2s }
)");
  const Expectations& expect = scenario.expect.at("vllm-0.18.0");
  EXPECT_EQ(expect.groups.at("tp:0").backend, "shm");
  EXPECT_EQ(expect.groups.at("tp:0").no_log, true);
  EXPECT_EQ(expect.ranks.at(0).outcome, Outcome::kHang);
  EXPECT_EQ(expect.ranks.at(1).outcome, Outcome::kKilled);
  EXPECT_DOUBLE_EQ(expect.sim_time->min.value(), 0);
  EXPECT_DOUBLE_EQ(expect.sim_time->max.value(), 2);
}

// ----- unknown keys -----

TEST(ScenarioParserErrors, UnknownKeySuggestsTheClosestValidKey) {
  expect_error(R"(name: typo
policy: vllm-pr40150
topology:
  network: { bandwith: 25Gbps }
parallel: {}
workload: {}
)",
               4, 14, "unknown key 'bandwith' in topology.network (did you mean 'bandwidth'?)");
}

TEST(ScenarioParserErrors, UnknownTopLevelKeySuggestsTheClosestValidKey) {
  expect_error(kMinimal + "descripton: oops\n", 6, 1,
               "unknown key 'descripton' at the top level (did you mean 'description'?)");
}

TEST(ScenarioParserErrors, SuggestionToleratesTranspositionsAndCase) {
  const ParseResult result =
      parse(kMinimal.substr(0, kMinimal.find("workload")) + "workload: { Steps: 2, sede: 1 }\n");
  ASSERT_EQ(result.errors.size(), 2u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            "test.yaml:5:13: unknown key 'Steps' in workload (did you mean 'steps'?)");
  EXPECT_EQ(result.errors[1].to_string(),
            "test.yaml:5:23: unknown key 'sede' in workload (did you mean 'seed'?)");
}

TEST(ScenarioParserErrors, UnknownKeyFarFromEveryValidKeyListsTheValidKeys) {
  expect_error(kMinimal.substr(0, kMinimal.find("parallel")) +
                   "parallel: { pipeline: 2, experts: 4 }\nworkload: {}\n",
               4, 26, "unknown key 'experts' in parallel; valid keys: tensor, pipeline, data");
}

TEST(ScenarioParserErrors, DuplicateKeyIsReported) {
  expect_error(kMinimal + "name: again\n", 6, 1,
               "duplicate key 'name' at the top level (first given on line 1)");
}

// ----- required keys and structure -----

TEST(ScenarioParserErrors, EveryMissingRequiredKeyIsReported) {
  const ParseResult result = parse("description: nothing else\n");
  EXPECT_FALSE(result.scenario.has_value());
  ASSERT_EQ(result.errors.size(), 5u) << all_errors(result);
  const std::vector<std::string> keys = {"name", "policy", "topology", "parallel", "workload"};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(result.errors[i].message, "missing required key '" + keys[i] + "' in the scenario");
    EXPECT_EQ(result.errors[i].pos.line, 1);
    EXPECT_EQ(result.errors[i].pos.column, 1);
  }
}

TEST(ScenarioParserErrors, PolicyIsRequired) {
  expect_error(R"(name: no-policy
topology: {}
parallel: {}
workload: {}
)",
               1, 1, "missing required key 'policy' in the scenario");
}

TEST(ScenarioParserErrors, SectionThatIsNotAMappingIsATypeError) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: cluster\nparallel: {}\nworkload: {}\n",
               3, 11, "topology: expected a mapping, got 'cluster'");
}

TEST(ScenarioParserErrors, DocumentThatIsNotAMapping) {
  expect_error("- name\n- policy\n", 1, 1, "the scenario: expected a mapping, got a list");
}

TEST(ScenarioParserErrors, EmptyFile) {
  expect_error("# just a comment\n", 1, 1,
               "the scenario file is empty; expected a mapping with keys name, policy, topology, "
               "parallel, workload");
}

TEST(ScenarioParserErrors, MoreThanOneDocument) {
  expect_error(kMinimal + "---\nname: second\n", 6, 1,
               "a scenario file holds one YAML document; a second one starts here");
}

// ----- wrong types -----

TEST(ScenarioParserErrors, StringWhereIntegerIsExpected) {
  expect_error(R"(name: types
policy: vllm-pr40150
topology:
  nodes: two
parallel: {}
workload: {}
)",
               4, 10, "topology.nodes: expected an integer, got 'two'");
}

TEST(ScenarioParserErrors, QuotedNumberIsAStringNotAnInteger) {
  expect_error(kMinimal.substr(0, kMinimal.find("parallel")) +
                   "parallel: { pipeline: \"2\" }\nworkload: {}\n",
               4, 23, "parallel.pipeline: expected an integer, got '2' (quoted, so a string)");
}

TEST(ScenarioParserErrors, FloatWhereIntegerIsExpected) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) + "workload: { steps: 1.5 }\n", 5, 20,
               "workload.steps: expected an integer, got '1.5'");
}

TEST(ScenarioParserErrors, EmptyValueIsReportedAtItsKey) {
  expect_error(R"(name: empty
policy: vllm-pr40150
topology:
  nodes:
parallel: {}
workload: {}
)",
               4, 3, "topology.nodes: expected an integer, got nothing (null)");
}

TEST(ScenarioParserErrors, NonBooleanWhereBooleanIsExpected) {
  expect_error(
      kMinimal.substr(0, kMinimal.find("workload")) + "workload: { probe_fastpath: yes }\n", 5, 29,
      "workload.probe_fastpath: expected a boolean (true or false), got 'yes'");
}

TEST(ScenarioParserErrors, ListWhereStringIsExpected) {
  expect_error("name: [a, b]\n" + kMinimal.substr(kMinimal.find("policy")), 1, 7,
               "name: expected a string, got a list");
}

TEST(ScenarioParserErrors, ShapeMustBeAListOfIntegers) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) +
                   "workload: { tensors: { x: { shape: 4 } } }\n",
               5, 36,
               "workload.tensors.x.shape: expected a list of dimensions, e.g. [4, 256], got '4'");
}

TEST(ScenarioParserErrors, EnvValueMustBeAScalar) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: { node: { env: { A: [1] } } }\nparallel: {}\nworkload: {}\n",
               3, 31, "topology.node.env.A: expected a string, got a list");
}

TEST(ScenarioParserErrors, ExtrasValueMustBeAScalar) {
  expect_error(
      kMinimal.substr(0, kMinimal.find("workload")) + "workload: { extras: { a: { b: 1 } } }\n", 5,
      26,
      "workload.extras.a: expected a scalar (null, boolean, integer, float or string), "
      "got a mapping");
}

// ----- impossible values -----

TEST(ScenarioParserErrors, NodesMustBeAtLeastOne) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: { nodes: 0 }\nparallel: {}\nworkload: {}\n",
               3, 20, "topology.nodes: must be between 1 and 16384, got 0");
}

TEST(ScenarioParserErrors, ParallelSizesMustBeAtLeastOne) {
  const ParseResult result =
      parse(kMinimal.substr(0, kMinimal.find("parallel")) +
            "parallel: { tensor: 0, pipeline: -1, data: 0 }\nworkload: {}\n");
  ASSERT_EQ(result.errors.size(), 3u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            "test.yaml:4:21: parallel.tensor: must be between 1 and 16384, got 0");
  EXPECT_EQ(result.errors[1].to_string(),
            "test.yaml:4:34: parallel.pipeline: must be between 1 and 16384, got -1");
  EXPECT_EQ(result.errors[2].to_string(),
            "test.yaml:4:44: parallel.data: must be between 1 and 16384, got 0");
}

TEST(ScenarioParserErrors, StepsMustNotBeNegative) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) + "workload: { steps: -1 }\n", 5, 20,
               "workload.steps: must be between 0 and 100000, got -1");
}

TEST(ScenarioParserErrors, NegativeDimensionIsReportedAtTheDimension) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) +
                   "workload: { tensors: { x: { shape: [4, -2] } } }\n",
               5, 40, "workload.tensors.x.shape[1]: must be at least 0, got -2");
}

TEST(ScenarioParserErrors, CoresAndThreadsMustBeAtLeastOne) {
  const ParseResult result =
      parse(kMinimal.substr(0, kMinimal.find("topology")) +
            "topology: { node: { cores: 0, threads: 0 } }\nparallel: {}\nworkload: {}\n");
  ASSERT_EQ(result.errors.size(), 2u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            "test.yaml:3:28: topology.node.cores: must be at least 1, got 0");
  EXPECT_EQ(result.errors[1].to_string(),
            "test.yaml:3:40: topology.node.threads: must be at least 1, got 0");
}

TEST(ScenarioParserErrors, BandwidthMustBePositive) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: { network: { bandwidth: 0Gbps } }\nparallel: {}\nworkload: {}\n",
               3, 35, "topology.network.bandwidth: must be greater than 0, got 0Gbps");
}

TEST(ScenarioParserErrors, LatencyMustNotBeNegative) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: { network: { latency: -1us } }\nparallel: {}\nworkload: {}\n",
               3, 33, "topology.network.latency: must not be negative, got -1us");
}

TEST(ScenarioParserErrors, BareNumberBandwidthSaysWhichUnitsAreAccepted) {
  expect_error_containing(kMinimal.substr(0, kMinimal.find("topology")) +
                              "topology: { network: { bandwidth: 25 } }\nparallel: {}\n"
                              "workload: {}\n",
                          3, 35,
                          {"topology.network.bandwidth: '25' has no unit", "bps", "Bps", "25Gbps"});
}

TEST(ScenarioParserErrors, BareNumberTimeSaysWhichUnitsAreAccepted) {
  expect_error_containing(
      kMinimal + "expect: { vllm-pr40150: { sim_time: { max: 10 } } }\n", 6, 44,
      {"expect.vllm-pr40150.sim_time.max: '10' has no unit", "ns, us, ms or s"});
}

TEST(ScenarioParserErrors, SimTimeMinMustNotExceedMax) {
  expect_error(kMinimal + "expect: { vllm-pr40150: { sim_time: { min: 2ms, max: 1ms } } }\n", 6, 44,
               "expect.vllm-pr40150.sim_time: min (2ms) is greater than max (1ms)");
}

TEST(ScenarioParserErrors, UnknownArchListsTheValidNames) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: { node: { arch: sparc } }\nparallel: {}\nworkload: {}\n",
               3, 27,
               "topology.node.arch: unknown arch 'sparc'; valid: x86_64, aarch64, ppc64le, s390x, "
               "riscv64");
}

TEST(ScenarioParserErrors, UnknownDtypeListsTheValidNames) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) +
                   "workload: { tensors: { x: { dtype: f64 } } }\n",
               5, 36,
               "workload.tensors.x.dtype: unknown dtype 'f64'; valid: f32, bf16, f16, i64, i32, "
               "u8, float32, bfloat16, float16, int64, int32, uint8");
}

TEST(ScenarioParserErrors, UnknownPolicyListsTheValidNames) {
  expect_error(R"(name: p
policy: vllm-0.19
topology: {}
parallel: {}
workload: {}
)",
               2, 9,
               "policy: unknown policy 'vllm-0.19'; valid: vllm-pre-34169, vllm-0.18.0, "
               "vllm-pr40150, vllm-pr40150-x86-revision, vllm-main-2026-05-21");
}

TEST(ScenarioParserErrors, UnknownPolicyUnderExpectListsTheValidNames) {
  expect_error(kMinimal + "expect:\n  vllm-pr4015:\n    ranks: {}\n", 7, 3,
               "expect: unknown policy 'vllm-pr4015'; valid: vllm-pre-34169, vllm-0.18.0, "
               "vllm-pr40150, vllm-pr40150-x86-revision, vllm-main-2026-05-21");
}

TEST(ScenarioParserErrors, UnknownOutcomeListsTheValidNames) {
  expect_error(kMinimal + "expect: { vllm-pr40150: { ranks: { 0: { outcome: fail } } } }\n", 6, 50,
               "expect.vllm-pr40150.ranks.0.outcome: unknown outcome 'fail'; valid: ok, error, "
               "hang, killed, timeout");
}

TEST(ScenarioParserErrors, UnknownProbeOutcomeIsReported) {
  expect_error_containing(
      kMinimal + "expect: { vllm-pr40150: { ranks: { 0: { probe: { outcome: crash } } } } }\n", 6,
      59, {"expect.vllm-pr40150.ranks.0.probe.outcome: unknown outcome 'crash'"});
}

TEST(ScenarioParserErrors, UnknownBackendListsTheValidNames) {
  expect_error(kMinimal + "expect: { vllm-pr40150: { groups: { \"pp:0\": { backend: gloo } } } }\n",
               6, 56,
               "expect.vllm-pr40150.groups.pp:0.backend: unknown backend 'gloo'; valid: shm, "
               "torch.distributed, mixed, undecided");
}

TEST(ScenarioParserErrors, ErrorExpectationContradictingOutcomeOk) {
  expect_error(kMinimal + R"(expect:
  vllm-pr40150:
    ranks:
      0:
        outcome: ok
        error: { type: RuntimeError }
)",
               11, 9,
               "expect.vllm-pr40150.ranks.0.error: an error is described but outcome is 'ok'");
}

TEST(ScenarioParserErrors, LogAndNoLogContradict) {
  expect_error(kMinimal + R"(expect:
  vllm-pr40150:
    groups:
      "pp:0": { log: "disabled", no_log: true }
)",
               9, 42,
               "expect.vllm-pr40150.groups.pp:0: 'log' and 'no_log: true' contradict each other");
}

TEST(ScenarioParserErrors, UnknownTopologyKindListsTheKinds) {
  expect_error(kMinimal.substr(0, kMinimal.find("topology")) +
                   "topology: { kind: star }\nparallel: {}\nworkload: {}\n",
               3, 19,
               "topology.kind: unknown topology kind 'star'; valid: single_node, cluster, "
               "fat_tree, torus, dragonfly, xml");
}

TEST(ScenarioParserErrors, UnknownWorkloadKindListsTheKinds) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) + "workload: { kind: allreduce }\n", 5,
               19,
               "workload.kind: unknown workload kind 'allreduce'; valid: pp_handoff, tp_allreduce, "
               "collective, model");
}

TEST(ScenarioParser, StaleSegmentsAndCollectiveExpectations) {
  const ParseResult result = parse_scenario_text(
      kMinimal.substr(0, kMinimal.find("workload")) +
          "nodes: { node0: { stale_shm: [\"29500-tp:0-[0-1]-cpushm_0\"] } }\n"
          "workload: { kind: tp_allreduce, tensors: { x: { dtype: f16, shape: [8] } } }\n"
          "expect: { vllm-pr40150: { data: { collectives: 2, collectives_exact: true } } }\n",
      "inline.yaml");
  ASSERT_TRUE(result.scenario.has_value()) << result.errors.front().to_string();
  EXPECT_EQ(result.scenario->node(0).stale_shm_segments,
            std::vector<std::string>{"29500-tp:0-[0-1]-cpushm_0"});
  EXPECT_EQ(result.scenario->workload.kind, "tp_allreduce");
  const auto& data = *result.scenario->expect.at("vllm-pr40150").data;
  EXPECT_EQ(data.collectives, 2);
  EXPECT_EQ(data.collectives_exact, true);
}

TEST(ScenarioParser, RankOverridesPolicySwitchesAndWaitingExpectations) {
  const ParseResult result = parse_scenario_text(
      "name: s\npolicy: vllm-pr40150\n"
      "policy_switches: { thread_num_min_allreduce: false, arch_allow: [x86_64, aarch64],\n"
      "                   custom_send_recv_rule: op_present, shm_allreduce_world_sizes: [2, 6] }\n"
      "topology: { nodes: 1 }\nparallel: { tensor: 2 }\n"
      "ranks: { 1: { threads: 6, env: { A: b }, unset_env: [VLLM_DIST_IDENT] } }\n"
      "workload: { kind: tp_allreduce }\n"
      "expect: { vllm-pr40150: { ranks: { 0: { waiting: { op: all_gather_object, group: \"tp:0\", "
      "peer: 1 } } } } }\n",
      "inline.yaml");
  ASSERT_TRUE(result.scenario.has_value()) << result.errors.front().to_string();
  const Scenario& scenario = *result.scenario;
  const comm::Policy policy = scenario.policy_switches.apply(*comm::find_policy("vllm-pr40150"));
  EXPECT_FALSE(policy.thread_num_min_allreduce);
  EXPECT_TRUE(policy.arch_allow.contains(comm::Arch::kArm));
  EXPECT_EQ(policy.custom_send_recv_rule, comm::CustomSendRecvRule::kOpPresent);
  EXPECT_EQ(policy.shm_allreduce_world_sizes, (std::set<int>{2, 6}));
  const RankOverride& rank1 = scenario.rank_overrides.at(1);
  EXPECT_EQ(rank1.num_threads, 6);
  EXPECT_EQ(rank1.environment.at("A"), "b");
  EXPECT_EQ(rank1.unset_environment, std::vector<std::string>{"VLLM_DIST_IDENT"});
  const RankExpectation& rank0 = scenario.expect.at("vllm-pr40150").ranks.at(0);
  EXPECT_EQ(rank0.outcome, Outcome::kHang) << "waiting implies a hang";
  ASSERT_TRUE(rank0.waiting.has_value());
  EXPECT_EQ(rank0.waiting->op, "all_gather_object");
  EXPECT_EQ(rank0.waiting->group, "tp:0");
  EXPECT_EQ(rank0.waiting->peer, 1);
}

TEST(ScenarioParserErrors, RankOverrideKeysMustBeRanksInRange) {
  expect_error(kMinimal + "ranks: { 2: { threads: 4 } }\n", 6, 10,
               "ranks: rank 2 is out of range; ranks are 0 .. 1 (world size 2)");
  expect_error(kMinimal + "ranks: { all: { threads: 4 } }\n", 6, 10,
               "ranks: rank key 'all' must be a rank number");
}

TEST(ScenarioParserErrors, UnknownPolicySwitchSuggestsTheClosest) {
  const ParseResult result = parse_scenario_text(
      kMinimal + "policy_switches: { thread_num_min_allreduc: false }\n", "inline.yaml");
  ASSERT_FALSE(result.errors.empty());
  EXPECT_NE(result.errors.front().message.find("did you mean 'thread_num_min_allreduce'?"),
            std::string::npos)
      << result.errors.front().message;
}

// A scenario whose workload (line 5) is a collective on a TP group of `tensor` ranks.
std::string collective_scenario(int tensor, const std::string& workload) {
  return "name: c\npolicy: vllm-pr40150\ntopology: { nodes: 1 }\nparallel: { tensor: " +
         std::to_string(tensor) + " }\nworkload: { kind: collective, " + workload + " }\n";
}

// Two nodes of 2 cores and a world of 4 ranks (lines 1-5), then `placement` on line 6.
std::string placed(const std::string& placement) {
  return "name: p\npolicy: vllm-pr40150\ntopology: { nodes: 2, node: { cores: 2 } }\n"
         "parallel: { tensor: 4 }\nworkload: { kind: tp_allreduce }\nplacement: " +
         placement + "\n";
}

TEST(ScenarioParser, Placement) {
  const Scenario packed = parse_ok(placed("{ kind: packed }"));
  EXPECT_EQ(packed.node_of_rank(1), 0);
  EXPECT_EQ(packed.node_of_rank(2), 1);
  const Scenario round_robin = parse_ok(placed("{ kind: round_robin, oversubscribe: false }"));
  EXPECT_EQ(round_robin.node_of_rank(1), 1);
  EXPECT_EQ(round_robin.node_of_rank(2), 0);
  EXPECT_EQ(round_robin.ranks_per_node(), (std::vector<int>{2, 2}));
  const Scenario map = parse_ok(placed("{ kind: explicit, map: [1, 1, 0, 1] }"));
  EXPECT_EQ(map.node_of_rank(0), 1);
  EXPECT_EQ(map.ranks_per_node(), (std::vector<int>{1, 3}));
}

TEST(ScenarioParser, PlacementErrors) {
  expect_error(placed("{ kind: explicit, map: [1, 1, 0] }"), 6, 35,
               "placement.map: 3 entries for a world of 4 ranks");
  expect_error(placed("{ kind: explicit, map: [0, 2, 0, 1] }"), 6, 39,
               "placement.map[1]: must be between 0 and 1, got 2");
  expect_error(placed("{ kind: explicit }"), 6, 1,
               "placement: kind 'explicit' needs a map (the node of each rank)");
  expect_error(placed("{ kind: packed, map: [0, 0, 1, 1] }"), 6, 33,
               "placement.map: only for placement kind 'explicit'");
  expect_error(placed("{ kind: explicit, map: [0, 0, 0, 1], oversubscribe: false }"), 6, 64,
               "placement.oversubscribe: node 0 gets 3 ranks but has 2 cores");
  expect_error_containing(placed("{ kind: scattered }"), 6, 20,
                          {"unknown placement 'scattered'", "round_robin"});
  // Round-robin lifts packed placement's rule that the world be a multiple of the node count.
  parse_ok(
      "name: p\npolicy: vllm-pr40150\ntopology: { nodes: 2 }\nparallel: { tensor: 3 }\n"
      "workload: { kind: tp_allreduce }\nplacement: { kind: round_robin }\n");
}

TEST(ScenarioParser, NetworkModel) {
  const std::string head = "name: n\npolicy: vllm-pr40150\n";
  const std::string tail = "parallel: { pipeline: 2 }\nworkload: { kind: pp_handoff }\n";
  EXPECT_EQ(parse_ok(head + "topology: { nodes: 2 }\n" + tail).topology.network.model, "LV08");
  EXPECT_EQ(parse_ok(head + "topology: { nodes: 2, network: { model: CM02 } }\n" + tail)
                .topology.network.model,
            "CM02");
  expect_error(head + "topology: { nodes: 2, network: { model: IB } }\n" + tail, 3, 41,
               "topology.network.model: unknown network model 'IB'; valid: LV08, CM02, SMPI");
}

TEST(ScenarioParser, CollectiveWorkload) {
  const Scenario scenario = parse_ok(collective_scenario(
      4, "collective: reduce_scatter, op: max, dtype: bf16, count: 4000, root: 3, steps: 2"));
  const CollectiveSpec& spec = scenario.workload.collective;
  EXPECT_EQ(scenario.workload.kind, "collective");
  EXPECT_EQ(spec.collective, Collective::kReduceScatter);
  EXPECT_EQ(spec.op, comm::ReduceOp::kMax);
  EXPECT_EQ(spec.dtype, DType::kBF16);
  EXPECT_EQ(spec.count, 4000);
  EXPECT_EQ(spec.root, 3);
  EXPECT_EQ(per_rank_count(spec, 4), 1000);
  EXPECT_FALSE(spec.phantom);
  EXPECT_FALSE(spec.through_communicator);
}

TEST(ScenarioParser, CollectiveWorkloadErrorsNameTheKey) {
  expect_error(
      kMinimal.substr(0, kMinimal.find("workload")) + "workload: { kind: pp_handoff, count: 4 }\n",
      5, 38, "workload.count: only for workload kind 'collective'");
  expect_error(collective_scenario(4, "collective: broadcast, root: 4"), 5, 60,
               "workload.root: root 4 is not a rank of the TP group (size 4)");
  expect_error(collective_scenario(4, "collective: gather, algorithm: ring"), 5, 62,
               "workload.algorithm: only all_reduce has a choice of algorithm");
  expect_error(collective_scenario(4, "collective: reduce_scatter, op: max, via: communicator"), 5,
               73, "workload.via: the communicator path reduces with op sum only");
  parse_ok(collective_scenario(4, "collective: gather, via: communicator"));
  expect_error(collective_scenario(300, "dtype: bf16"), 5, 38,
               "workload.dtype: a sum over 300 ranks cannot be exact in bfloat16 (integers are "
               "exact up to 256); use f32, max or min");
  // Phantom data is not checked, so any size goes.
  parse_ok(collective_scenario(300, "dtype: bf16, phantom: true"));
  expect_error_containing(collective_scenario(2, "collective: alltoall"), 5, 43,
                          {"unknown collective 'alltoall'", "all_reduce", "send_recv"});
}

TEST(ScenarioParser, Faults) {
  const ParseResult result =
      parse_scenario_text(kMinimal +
                              "faults:\n"
                              "  - { kind: link_down, node: 0, at: 1ms }\n"
                              "  - { kind: slow_node, node: 0, factor: 0.25 }\n"
                              "  - { kind: message_delay, rank: 1, delay: 5us }\n",
                          "inline.yaml");
  ASSERT_TRUE(result.scenario.has_value()) << result.errors.front().to_string();
  const auto& faults = result.scenario->faults;
  ASSERT_EQ(faults.size(), 3u);
  EXPECT_EQ(faults[0].kind, Fault::Kind::kLinkDown);
  EXPECT_DOUBLE_EQ(faults[0].at, 1e-3);
  EXPECT_DOUBLE_EQ(faults[1].factor, 0.25);
  EXPECT_EQ(faults[2].rank, 1);
  EXPECT_DOUBLE_EQ(faults[2].delay, 5e-6);
}

TEST(ScenarioParserErrors, FaultsTakeExactlyTheKeysOfTheirKind) {
  expect_error(kMinimal + "faults: [ { kind: link_down, node: 0 } ]\n", 6, 11,
               "faults[0]: a link_down fault needs 'at'");
  expect_error(kMinimal + "faults: [ { kind: host_crash, node: 0, at: 1ms, rank: 1 } ]\n", 6, 49,
               "faults[0].rank: a host_crash fault takes no 'rank'");
  expect_error(kMinimal + "faults: [ { kind: slow_node, node: 0, factor: 2 } ]\n", 6, 47,
               "faults[0].factor: must be from 0.000001 to 1, got 2");
  expect_error(kMinimal + "faults: [ { kind: meltdown, node: 0 } ]\n", 6, 19,
               "faults[0].kind: unknown fault kind 'meltdown'; valid: link_down, link_up, "
               "host_crash, slow_node, message_delay");
}

TEST(ScenarioParserErrors, StaleSegmentsMustBeAListOfNames) {
  const ParseResult result = parse_scenario_text(kMinimal.substr(0, kMinimal.find("workload")) +
                                                     "nodes: { node0: { stale_shm: 3 } }\n" +
                                                     kMinimal.substr(kMinimal.find("workload")),
                                                 "inline.yaml");
  ASSERT_FALSE(result.errors.empty());
  EXPECT_NE(result.errors.front().message.find("expected a list of names"), std::string::npos)
      << result.errors.front().message;
}

TEST(ScenarioParserErrors, ExtrasKeyMustNotRepeatATensorName) {
  expect_error(kMinimal.substr(0, kMinimal.find("workload")) + R"(workload:
  tensors: { x: { shape: [1] } }
  extras: { x: 1 }
)",
               7, 13,
               "workload.extras.x: 'x' is already a tensor name; TensorDict keys are unique");
}

// ----- ranks -----

TEST(ScenarioParserErrors, RankKeyOutOfRange) {
  expect_error(
      kMinimal + "expect: { vllm-pr40150: { ranks: { 2: { outcome: ok } } } }\n", 6, 36,
      "expect.vllm-pr40150.ranks: rank 2 is out of range; ranks are 0 .. 1 (world size 2)");
}

TEST(ScenarioParserErrors, NegativeRankKey) {
  expect_error(kMinimal + "expect: { vllm-pr40150: { ranks: { -1: { outcome: ok } } } }\n", 6, 36,
               "expect.vllm-pr40150.ranks: rank -1 is out of range; ranks are 0 .. 1 (world size "
               "2)");
}

TEST(ScenarioParserErrors, RankKeyThatIsNeitherANumberNorAll) {
  expect_error(kMinimal + "expect: { vllm-pr40150: { ranks: { first: { outcome: ok } } } }\n", 6,
               36, "expect.vllm-pr40150.ranks: rank key 'first' must be a rank number or 'all'");
}

// ----- node overrides and placement -----

TEST(ScenarioParserErrors, NodeOverrideKeyMustBeANodeName) {
  expect_error(kMinimal + "nodes:\n  worker1: { arch: aarch64 }\n", 7, 3,
               "nodes: 'worker1' is not a node name; expected nodeN, e.g. node0");
}

TEST(ScenarioParserErrors, NodeOverrideKeyWithLeadingZeroIsNotANodeName) {
  expect_error_containing(kMinimal + "nodes:\n  node01: {}\n", 7, 3,
                          {"'node01' is not a node name"});
}

TEST(ScenarioParserErrors, NodeOverrideOutOfRange) {
  expect_error(R"(name: n
policy: vllm-pr40150
topology: { nodes: 2 }
parallel: { pipeline: 2 }
workload: {}
nodes:
  node1: { threads: 4 }
  node2: { threads: 4 }
)",
               8, 3, "nodes: 'node2' does not exist; topology has 2 nodes (node0 .. node1)");
}

TEST(ScenarioParserErrors, NodeOverrideWithUnknownKeySuggests) {
  expect_error(kMinimal + "nodes:\n  node0: { thread: 4 }\n", 7, 12,
               "unknown key 'thread' in nodes.node0 (did you mean 'threads'?)");
}

TEST(ScenarioParserErrors, WorldSizeMustBeAMultipleOfTheNodeCount) {
  expect_error(R"(name: n
policy: vllm-pr40150
topology: { nodes: 2 }
parallel: { pipeline: 3 }
workload: {}
)",
               4, 1,
               "parallel: world size 3 (tensor 1 x pipeline 3 x data 1) must be a multiple of "
               "topology.nodes (2): ranks are placed packed, world / nodes per node");
}

TEST(ScenarioParserErrors, WorldSizeMustNotBeSmallerThanTheNodeCount) {
  expect_error_containing(R"(name: n
policy: vllm-pr40150
topology: { nodes: 4 }
parallel: { pipeline: 2 }
workload: {}
)",
                          4, 1, {"world size 2", "topology.nodes (4)"});
}

// ----- YAML syntax, many errors, files -----

TEST(ScenarioParserErrors, YamlSyntaxErrorHasItsPosition) {
  expect_error(R"(name: broken
policy: vllm-pr40150
topology: { nodes: [1, 2 }
)",
               3, 26, "YAML syntax error: illegal flow end");
}

TEST(ScenarioParserErrors, BadIndentationIsASyntaxError) {
  expect_error_containing("name: a\n  policy: b\n", 2, 9, {"YAML syntax error"});
}

TEST(ScenarioParserErrors, AllErrorsAreCollectedInFileOrder) {
  const ParseResult result = parse(R"(name: many
policy: vllm-9
topology:
  nodes: 0
  node: { arch: sparc, cores: many }
  network: { bandwith: 1Gbps, latency: 5 }
parallel: { tensor: 0 }
workload:
  steps: -3
  tensors:
    x: { dtype: f8, shape: [-1] }
expect:
  nobody: {}
  vllm-pr40150:
    ranks: { all: { outcome: maybe } }
)");
  EXPECT_FALSE(result.scenario.has_value());
  const std::vector<std::pair<int, int>> positions = {{2, 9},   {4, 10},  {5, 17}, {5, 31},
                                                      {6, 14},  {6, 40},  {7, 21}, {9, 10},
                                                      {11, 17}, {11, 29}, {13, 3}, {15, 30}};
  ASSERT_EQ(result.errors.size(), positions.size()) << all_errors(result);
  for (std::size_t i = 0; i < positions.size(); ++i) {
    EXPECT_EQ(result.errors[i].pos.line, positions[i].first) << result.errors[i].to_string();
    EXPECT_EQ(result.errors[i].pos.column, positions[i].second) << result.errors[i].to_string();
  }
}

// ----- topology kinds, presets and NIC limits -----

// kMinimal with `topology` (one line) in place of its topology line.
std::string with_topology(const std::string& topology) {
  std::string text = kMinimal;
  text.replace(text.find("topology: { nodes: 1 }"), 22, topology);
  return text + "placement: { kind: round_robin }\n";
}

TEST(ScenarioParserTopology, GeneratedKindsTakeTheirNodeCountFromTheShape) {
  const Scenario fat_tree = parse_ok(with_topology(
      "topology: { kind: fat_tree, fat_tree: { levels: 2, down: [4, 3], up: [1, 2], links: [1, "
      "1] } }"));
  EXPECT_EQ(fat_tree.topology.nodes, 12);
  EXPECT_EQ(fat_tree.topology.fat_tree.up, (std::vector<int>{1, 2}));
  const Scenario torus =
      parse_ok(with_topology("topology: { kind: torus, torus: { dimensions: "
                             "[2, 3, 2] } }"));
  EXPECT_EQ(torus.topology.nodes, 12);
  const Scenario dragonfly = parse_ok(
      with_topology("topology: { kind: dragonfly, dragonfly: { groups: [3, 4], chassis: [4, 3], "
                    "routers: [5, 1], nodes: 2 } }"));
  EXPECT_EQ(dragonfly.topology.nodes, 120);
  EXPECT_EQ(dragonfly.topology.dragonfly.chassis, (std::pair<int, int>{4, 3}));
  const Scenario single = parse_ok(with_topology("topology: { kind: single_node }"));
  EXPECT_EQ(single.topology.nodes, 1);
}

TEST(ScenarioParserTopology, ShapeErrors) {
  expect_error(with_topology("topology: { kind: torus }"), 3, 1,
               "topology: kind 'torus' needs a 'torus' section");
  expect_error(with_topology("topology: { nodes: 2, torus: { dimensions: [2] } }"), 3, 23,
               "topology.torus: only for topology kind 'torus' (kind is 'cluster')");
  expect_error(with_topology("topology: { kind: fat_tree, fat_tree: { levels: 2, down: [4], up: "
                             "[1, 2], links: [1, 1] } }"),
               3, 58, "topology.fat_tree.down: 1 entries for 2 levels; one per level");
  expect_error(
      with_topology("topology: { kind: torus, nodes: 6, torus: { dimensions: [2, 2] } }"), 3, 33,
      "topology.nodes: 6 but the torus has 4 nodes; leave 'nodes' out, the shape gives it");
  expect_error(with_topology("topology: { kind: dragonfly, dragonfly: { groups: [2], chassis: [1, "
                             "1], routers: [1, 1], nodes: 1 } }"),
               3, 51, "topology.dragonfly.groups: expected [count, links], got 1 entries");
  expect_error(with_topology("topology: { kind: dragonfly, dragonfly: { groups: [3, 1], chassis: "
                             "[1, 1], routers: [2, 1], nodes: 1 } }"),
               3, 51,
               "topology.dragonfly.groups: 3 groups but 2 routers per chassis; SimGrid's dragonfly "
               "joins group g through router g, so there can be at most as many groups as routers "
               "per chassis");
  expect_error(with_topology("topology: { kind: torus, torus: { dimensions: [4, 1] } }"), 3, 47,
               "topology.torus.dimensions: a dimension of 1 adds nothing to a torus of several "
               "dimensions (and SimGrid cannot build it); leave it out");
  expect_error(with_topology("topology: { kind: fat_tree, fat_tree: { levels: 2, down: [2, 2], "
                             "up: [2000, 2000], links: [1, 1] } }"),
               3, 29,
               "topology.fat_tree: more than 1048576 switches and nodes, or 4194304 links; make "
               "'up' or 'links' smaller");
  expect_error(with_topology("topology: { kind: torus, torus: { dimensions: [2, 0] } }"), 3, 51,
               "topology.torus.dimensions[1]: must be between 1 and 16384, got 0");
}

TEST(ScenarioParserTopology, PresetsFillTheHardwareAndKeysBesideThemWin) {
  const Scenario scenario = parse_ok(with_topology(
      "topology: { nodes: 2, node: { preset: arm-server, cores: 48 } }\nnodes: { node1: { "
      "preset: x86-server, nic_limit: 10Gbps } }"));
  const NodeSpec arm = scenario.node(0);
  EXPECT_EQ(arm.preset, "arm-server");
  EXPECT_EQ(arm.arch, Arch::kArm);
  EXPECT_EQ(arm.hardware.cores, 48);
  EXPECT_EQ(arm.hardware.core_flops, 83.2e9);
  EXPECT_EQ(arm.hardware.memory_bandwidth, 307.2e9);
  const NodeSpec x86 = scenario.node(1);
  EXPECT_EQ(x86.preset, "x86-server");
  EXPECT_EQ(x86.arch, Arch::kX86);
  EXPECT_EQ(x86.hardware.cores, 112);
  EXPECT_FALSE(scenario.nic_limit(0).has_value());
  EXPECT_EQ(scenario.nic_limit(1), 10e9 / 8);
  expect_error(with_topology("topology: { node: { preset: laptop } }"), 3, 29,
               "topology.node.preset: unknown node preset 'laptop'; valid: x86-server, "
               "arm-server, this-machine");
}

TEST(ScenarioParserTopology, XmlPlatformsNeedTheSimulatorToRead) {
  expect_error(with_topology("topology: { kind: xml, xml: { file: p.xml } }"), 3, 37,
               "topology.xml.file: reading SimGrid platform files needs the simulator; parse the "
               "scenario through commsim");
}

TEST(ScenarioParserTopology, XmlPlatformsTakeTheirNodesFromTheReader) {
  std::vector<std::string> asked;  // path and node unit of each read
  PlatformFileReader reader = [&asked](const std::string& path, const std::string& unit) {
    asked.push_back(path + " " + unit);
    PlatformFileNodes found;
    found.nodes.push_back(PlatformNode{"a", {"a0", "a1"}, 8, 2e9, {{"arch", "aarch64"}}});
    found.nodes.push_back(
        PlatformNode{"b", {"b0"}, 4, 1e9, {{"preset", "x86-server"}, {"env:X", "1"}}});
    return found;
  };
  const std::string text = with_topology(
      "topology: { kind: xml, xml: { file: platforms/p.xml, nodes: zones } }\nnodes: { node1: { "
      "threads: 3 } }");
  const ParseResult result = parse_scenario_text(text, "dir/s.yaml", reader);
  ASSERT_TRUE(result.errors.empty()) << all_errors(result);
  EXPECT_EQ(asked, std::vector<std::string>{"dir/platforms/p.xml zones"});  // beside the scenario
  const Scenario& scenario = *result.scenario;
  EXPECT_EQ(scenario.topology.nodes, 2);
  EXPECT_EQ(scenario.node_name(1), "b");
  EXPECT_EQ(scenario.node(0).arch, Arch::kArm);
  EXPECT_EQ(scenario.node(0).hardware.cores, 8);
  // The preset fills what the file does not say; the file's cores and speed win.
  EXPECT_EQ(scenario.node(1).hardware.cores, 4);
  EXPECT_EQ(scenario.node(1).hardware.memory_bandwidth, 614.4e9);
  EXPECT_EQ(scenario.node(1).environment.at("X"), "1");
  EXPECT_EQ(scenario.node(1).num_threads, 3);  // the scenario's nodes: section wins over both

  const ParseResult hardware = parse_scenario_text(
      with_topology(
          "topology: { kind: xml, xml: { file: p.xml } }\nnodes: { node0: { cores: 4 } }"),
      "s.yaml", reader);
  EXPECT_NE(all_errors(hardware).find("nodes.node0.cores: an xml platform's hosts give their own "
                                      "cores and speed; change the file instead"),
            std::string::npos)
      << all_errors(hardware);

  const ParseResult bad = parse_scenario_text(
      with_topology("topology: { kind: xml, xml: { file: p.xml }, network: { latency: 1us } }"),
      "s.yaml", reader);
  EXPECT_NE(all_errors(bad).find("topology.network.latency: an xml platform's links are the "
                                 "file's own; only 'model' and 'crosstraffic' apply"),
            std::string::npos)
      << all_errors(bad);
}

TEST(ScenarioErrorToString, FormatsFileLineColumnAndMessage) {
  EXPECT_EQ((ScenarioError{SourcePos{"a.yaml", 3, 7}, "bad"}).to_string(), "a.yaml:3:7: bad");
  EXPECT_EQ((ScenarioError{SourcePos{"a.yaml", 0, 0}, "bad"}).to_string(), "a.yaml: bad");
  EXPECT_EQ((ScenarioError{SourcePos{"", 0, 0}, "bad"}).to_string(), "bad");
}

TEST(ScenarioParserFile, UnreadableFileGivesOneErrorNamingTheFile) {
  const std::string path = "no-such-dir/missing-scenario.yaml";
  const ParseResult result = parse_scenario_file(path);
  EXPECT_FALSE(result.scenario.has_value());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].pos.file, path);
  EXPECT_EQ(result.errors[0].pos.line, 0);
  EXPECT_EQ(result.errors[0].to_string(),
            path + ": cannot read scenario file: No such file or directory");
}

TEST(ScenarioParserFile, DirectoryIsNotAScenarioFile) {
  const ParseResult result = parse_scenario_file("scenarios");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].message.find("directory"), std::string::npos);
}

TEST(ScenarioParserFile, ErrorsInAFileNameThatFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "commsim_scenario_parser_test.yaml";
  {
    std::ofstream out(path);
    out << "name: x\npolicy: nope\n";
  }
  const ParseResult result = parse_scenario_file(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(result.errors.empty());
  for (const ScenarioError& error : result.errors) EXPECT_EQ(error.pos.file, path.string());
}

// ----- kind: model -----

std::string model_scenario(const std::string& parallel, const std::string& workload_lines,
                           const std::string& expect = "") {
  return "name: m\npolicy: vllm-pr40150\ntopology: { kind: cluster }\nparallel: " + parallel +
         "\nworkload:\n  kind: model\n" + workload_lines + expect;
}

TEST(ModelWorkload, ReadsAShapeAndItsRunKeys) {
  const Scenario scenario = parse_ok(model_scenario(
      "{ tensor: 2, pipeline: 2 }",
      "  model: { layers: 4, hidden: 256, heads: 8, kv_heads: 4, intermediate: 512, vocab: 1024,\n"
      "           dtype: bf16, comm_dtype: f32, rope_theta: 500000, rms_eps: 1e-6 }\n"
      "  batch: 3\n  prompt: 16\n  steps: 5\n",
      "expect:\n  vllm-pr40150:\n    model: { steps: 6, tokens_match_reference: true }\n"));
  const auto& model = scenario.workload.model;
  EXPECT_EQ(model.layers, 4);
  EXPECT_EQ(model.head_dim(), 32);
  EXPECT_EQ(model.dtype, DType::kBF16);
  EXPECT_EQ(model.rope_theta, 500000);
  EXPECT_EQ(model.rms_eps, 1e-6);
  EXPECT_EQ(scenario.workload.batch, 3);
  EXPECT_EQ(scenario.workload.prompt, 16);
  EXPECT_EQ(scenario.workload.data, "real");
  EXPECT_EQ(scenario.expect.at("vllm-pr40150").model->steps, 6);
}

TEST(ModelWorkload, APresetNameGivesTheWholeShape) {
  const Scenario scenario = parse_ok(
      model_scenario("{ tensor: 8, pipeline: 2 }", "  model: llama-70b\n  data: phantom\n"));
  EXPECT_EQ(scenario.workload.model.preset, "llama-70b");
  EXPECT_EQ(scenario.workload.model.layers, 80);
  EXPECT_EQ(scenario.workload.model.kv_heads, 8);
  EXPECT_EQ(scenario.workload.model.dtype, DType::kBF16);
  // Keys beside a preset win over it.
  const Scenario smaller = parse_ok(model_scenario(
      "{ tensor: 2 }", "  model: { preset: llama-7b, layers: 2 }\n  data: phantom\n"));
  EXPECT_EQ(smaller.workload.model.layers, 2);
  EXPECT_EQ(smaller.workload.model.hidden, 4096);
}

TEST(ModelWorkload, TensorParallelThatDoesNotDivideTheHeadsIsAnError) {
  expect_error(model_scenario("{ tensor: 3 }",
                              "  model: { layers: 2, hidden: 256, heads: 8, kv_heads: 4, "
                              "intermediate: 384, vocab: 1536 }\n"),
               7, 10,
               "workload.model: Total number of attention heads (8) must be divisible by tensor "
               "parallel size (3).");
}

TEST(ModelWorkload, PositionsAndPrefillTokensAreBounded) {
  expect_error(model_scenario("{ tensor: 1 }",
                              "  model: llama-7b\n  data: phantom\n  prompt: "
                              "1048576\n  steps: 1\n"),
               6, 3, "workload: prompt + steps is 1048577 positions; at most 1048576");
  expect_error(model_scenario("{ tensor: 1 }",
                              "  model: llama-7b\n  data: phantom\n  batch: 4096\n  prompt: "
                              "8192\n"),
               6, 3, "workload: batch x prompt is 33554432 tokens; at most 16777216");
}

TEST(ModelWorkload, ShapeAndSizeErrorsNameTheKey) {
  expect_error_containing(model_scenario("{ tensor: 1 }", "  model: llama-13b\n"), 7, 10,
                          {"unknown model preset 'llama-13b'", "llama-7b, llama-70b"});
  expect_error(model_scenario("{ tensor: 1 }", "  model: { dtype: f16 }\n"), 7, 19,
               "workload.model.dtype: model dtypes are f32 or bf16, got f16");
  expect_error_containing(model_scenario("{ tensor: 2 }", "  model: llama-7b\n"), 5, 1,
                          {"workload: real tensors would take about 25.1 GiB",
                           "copies of the model's weights (12.6 GiB)", "use `data: phantom`"});
  expect_error(model_scenario("{ tensor: 1 }", "  data: phantom\n"), 6, 3,
               "workload: kind 'model' needs a `model:` (a preset name, e.g. llama-7b, or "
               "layers, hidden, heads, ...)");
  expect_error(
      "name: m\npolicy: vllm-pr40150\ntopology: { kind: cluster }\nparallel: { tensor: 1 }\n"
      "workload: { kind: tp_allreduce, batch: 2, tensors: { x: { dtype: f32, shape: [4] } } }\n",
      5, 33, "workload.batch: only for workload kind 'model'");
}

// ----- preset files -----

// A preset file with every key; `measured:` is free-form and not read.
const std::string kPresetFile = R"(# a test host
preset:
  name: test-host
  summary: "a test host"
  arch: aarch64
  cores: 6
  core_gflops: 12.5
  memory_bandwidth: 20GBps
  memory_latency: 80ns
  kernels: { efficiency: 0.8, bf16_speedup: 1.5, call_overhead: 2us }
measured: { anything: [1, 2] }
)";

// A directory of its own under the temporary directory, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to `relative` (its directories made); returns the file's path.
  std::filesystem::path write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// kPresetFile with the first `from` replaced by `to`.
std::string preset_file_with(const std::string& from, const std::string& to) {
  std::string text = kPresetFile;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

void expect_file_hardware(const NodeSpec& node) {
  EXPECT_EQ(node.arch, Arch::kArm);
  EXPECT_EQ(node.hardware.cores, 6);
  EXPECT_DOUBLE_EQ(node.hardware.core_flops, 12.5e9);
  EXPECT_DOUBLE_EQ(node.hardware.memory_bandwidth, 20e9);
  EXPECT_DOUBLE_EQ(node.hardware.memory_latency, 80e-9);
  EXPECT_DOUBLE_EQ(node.hardware.kernels.efficiency, 0.8);
  EXPECT_DOUBLE_EQ(node.hardware.kernels.bf16_speedup, 1.5);
  EXPECT_DOUBLE_EQ(node.hardware.kernels.call_overhead, 2e-6);
}

TEST(ScenarioParserPresetFile, AppliesToTheTopologyNodeRelativeToTheScenario) {
  const TempDir dir("commsim-preset-node");
  // The scenario's tree: the directory above it holding .git (scenarios/input_file.h).
  std::filesystem::create_directories(dir.path() / ".git");
  const std::string preset = dir.write("presets/host.yaml", kPresetFile).string();
  const std::string scenario_path = (dir.path() / "scenarios" / "s.yaml").string();
  const ParseResult result = parse_scenario_text(
      with_topology("topology: { nodes: 2, node: { preset: ../presets/host.yaml, threads: 3 } }"),
      scenario_path);
  ASSERT_TRUE(result.errors.empty()) << all_errors(result);
  for (int index : {0, 1}) {
    const NodeSpec node = result.scenario->node(index);
    EXPECT_EQ(node.preset, std::filesystem::path(preset).lexically_normal().string());
    expect_file_hardware(node);
    EXPECT_EQ(node.num_threads, 3);
  }
  const NodePreset* registered = find_node_preset(result.scenario->node(0).preset);
  ASSERT_NE(registered, nullptr);
  EXPECT_EQ(registered->summary, "a test host");
  EXPECT_NE(registered->source.find("test-host"), std::string_view::npos) << registered->source;
}

TEST(ScenarioParserPresetFile, AppliesToOneNodeAndKeysBesideItWin) {
  const TempDir dir("commsim-preset-override");
  dir.write("host.yml", kPresetFile);
  const ParseResult result = parse_scenario_text(
      with_topology("topology: { nodes: 2, node: { preset: x86-server } }\nnodes: { node1: { "
                    "preset: ./host.yml, memory_latency: 1us } }"),
      (dir.path() / "s.yaml").string());
  ASSERT_TRUE(result.errors.empty()) << all_errors(result);
  const Scenario& scenario = *result.scenario;
  EXPECT_EQ(scenario.node(0).preset, "x86-server");
  EXPECT_EQ(scenario.node(0).hardware.cores, 112);
  const NodeSpec node1 = scenario.node(1);
  EXPECT_EQ(node1.preset, (dir.path() / "host.yml").string());
  EXPECT_EQ(node1.hardware.cores, 6);
  EXPECT_DOUBLE_EQ(node1.hardware.core_flops, 12.5e9);
  EXPECT_DOUBLE_EQ(node1.hardware.kernels.call_overhead, 2e-6);
  EXPECT_DOUBLE_EQ(node1.hardware.memory_latency, 1e-6);  // the key beside the preset wins
}

// Parses a scenario naming `preset` (beside the scenario in `dir`) as topology.node.preset and
// returns its errors, each expected at the preset value (line 3, column 29) of the scenario.
std::vector<std::string> preset_errors(const TempDir& dir, const std::string& preset) {
  const std::string scenario_path = (dir.path() / "s.yaml").string();
  const ParseResult result = parse_scenario_text(
      with_topology("topology: { node: { preset: " + preset + " } }"), scenario_path);
  EXPECT_FALSE(result.scenario.has_value());
  std::vector<std::string> messages;
  for (const ScenarioError& error : result.errors) {
    EXPECT_EQ(error.pos.file, scenario_path);
    EXPECT_EQ(error.pos.line, 3) << error.to_string();
    EXPECT_EQ(error.pos.column, 29) << error.to_string();
    messages.push_back(error.message);
  }
  return messages;
}

TEST(ScenarioParserPresetFile, AMissingFileIsOneErrorAtThePresetValue) {
  const TempDir dir("commsim-preset-missing");
  const std::string file = (dir.path() / "nowhere.yaml").string();
  EXPECT_EQ(preset_errors(dir, "nowhere.yaml"),
            std::vector<std::string>{"topology.node.preset: " + file +
                                     ": cannot read preset file: No such file or directory"});
}

TEST(ScenarioParserPresetFile, ProblemsInTheFileNameTheirPositionInIt) {
  const TempDir dir("commsim-preset-bad");
  const std::string file =
      dir.write("p.yaml", preset_file_with("  cores: 6", "  cors: 6")).string();
  EXPECT_EQ(preset_errors(dir, "p.yaml"),
            (std::vector<std::string>{
                "topology.node.preset: " + file + ":2:1: missing required key 'cores' in preset",
                "topology.node.preset: " + file +
                    ":6:3: unknown key 'cors' in preset (did you mean 'cores'?)"}));

  dir.write("p.yaml", preset_file_with("core_gflops: 12.5", "core_gflops: fast"));
  EXPECT_EQ(preset_errors(dir, "p.yaml"),
            std::vector<std::string>{
                "topology.node.preset: " + file +
                ":7:16: preset.core_gflops: expected GFLOP/s per core as a number (e.g. 100) or a "
                "speed with a unit (e.g. 100Gf), got 'fast'"});

  dir.write("p.yaml", preset_file_with("efficiency: 0.8", "efficiency: 1.5"));
  EXPECT_EQ(
      preset_errors(dir, "p.yaml"),
      std::vector<std::string>{"topology.node.preset: " + file +
                               ":10:26: preset.kernels.efficiency: must be from 0.000001 to 1, got "
                               "1.5"});

  dir.write("p.yaml", "preset: { arch: [x86_64\n");
  const std::vector<std::string> syntax = preset_errors(dir, "p.yaml");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_NE(syntax[0].find(file + ":2:1: YAML syntax error"), std::string::npos) << syntax[0];

  dir.write("p.yaml", "name: not-a-preset\n");
  EXPECT_EQ(preset_errors(dir, "p.yaml"),
            (std::vector<std::string>{
                "topology.node.preset: " + file +
                    ":1:1: unknown key 'name' at the top level; valid keys: preset, measured",
                "topology.node.preset: " + file + ":1:1: missing required key 'preset'"}));
}

TEST(ScenarioParserPresetFile, ANodeOverrideErrorIsAtItsOwnPresetValue) {
  const TempDir dir("commsim-preset-override-bad");
  const std::string scenario_path = (dir.path() / "s.yaml").string();
  const ParseResult result = parse_scenario_text(
      with_topology("topology: { nodes: 2 }\nnodes: { node1: { preset: gone.yml } }"),
      scenario_path);
  ASSERT_EQ(result.errors.size(), 1u) << all_errors(result);
  EXPECT_EQ(result.errors[0].to_string(),
            scenario_path + ":4:27: nodes.node1.preset: " + (dir.path() / "gone.yml").string() +
                ": cannot read preset file: No such file or directory");
}

}  // namespace
}  // namespace commsim::scenario
