// The command line end to end, as a user and CI run it: vLLM #37933 under both profiles, the JSON
// record, exit codes, one-line errors for unusable input, and commsim calibrate's preset file.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "communicators/rank_env.h"
#include "scenarios/scenario_parser.h"
#include "scenarios/units.h"
#include "tests/support/run_commsim.h"

namespace {

using commsim::testing::Result;
using commsim::testing::run_commsim;
using commsim::testing::temp_path;

constexpr const char* kScenario = "scenarios/regressions/vllm-37933-interpp.yaml";

nlohmann::json run_json(const std::string& policy, const std::string& scenario = kScenario) {
  const auto path = temp_path("commsim-" + policy);
  const Result result =
      run_commsim("run " + scenario + " --policy " + policy + " --json " + path.string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::ifstream in(path);
  nlohmann::json record = nlohmann::json::parse(in);
  std::filesystem::remove(path);
  return record;
}

const nlohmann::json& group_named(const nlohmann::json& record, const std::string& name) {
  for (const auto& group : record.at("groups")) {
    if (group.at("name") == name) return group;
  }
  throw std::runtime_error("no group " + name);
}

TEST(Cli, Issue37933FailsAtTheHandOffUnderV0180) {
  const nlohmann::json record = run_json("vllm-0.18.0");
  EXPECT_EQ(record.at("scenario"), "vllm-37933-interpp");
  EXPECT_EQ(record.at("policy"), "vllm-0.18.0");
  EXPECT_EQ(record.at("verdict"), "pass");
  const auto& pp = group_named(record, "pp:0");
  EXPECT_EQ(pp.at("ranks"), nlohmann::json::array({0, 1}));
  EXPECT_EQ(pp.at("backend"), "torch.distributed");
  EXPECT_EQ(pp.at("use_cpu_custom_send_recv"), true);
  EXPECT_EQ(pp.at("supports_tensor_dict"), false);
  const auto& ranks = record.at("ranks");
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_EQ(ranks[0].at("node"), 0);
  EXPECT_EQ(ranks[1].at("node"), 1);
  EXPECT_EQ(ranks[0].at("outcome"), "error");
  EXPECT_EQ(ranks[0].at("error").at("type"), "AttributeError");
  EXPECT_EQ(ranks[0].at("error").at("message"),
            "module 'torch.distributed' has no attribute 'send_tensor_dict'");
  EXPECT_EQ(ranks[0].at("error").at("op"), "isend_tensor_dict");
  EXPECT_EQ(ranks[1].at("outcome"), "error");
  EXPECT_EQ(ranks[1].at("error").at("type"), "AttributeError");
  EXPECT_EQ(ranks[1].at("error").at("message"),
            "module 'torch.distributed' has no attribute 'recv_tensor_dict'");
  EXPECT_EQ(ranks[1].at("error").at("op"), "irecv_tensor_dict");
  EXPECT_EQ(record.at("data").at("dicts_delivered"), 0);
}

TEST(Cli, Issue37933DeliversBitIdenticalDictsAfterPr40150) {
  const nlohmann::json record = run_json("vllm-pr40150");
  EXPECT_EQ(record.at("verdict"), "pass");
  const auto& pp = group_named(record, "pp:0");
  EXPECT_EQ(pp.at("backend"), "torch.distributed");
  EXPECT_EQ(pp.at("use_cpu_custom_send_recv"), false);
  EXPECT_EQ(pp.at("supports_tensor_dict"), false);
  for (const auto& rank : record.at("ranks")) EXPECT_EQ(rank.at("outcome"), "ok");
  EXPECT_EQ(record.at("data").at("dicts_delivered"), 3);
  EXPECT_EQ(record.at("data").at("dicts_mismatched"), 0);
  const auto& probe = record.at("ranks")[0].at("probes")[0];
  EXPECT_EQ(probe.at("error").at("type"), "NotImplementedError");
  EXPECT_EQ(probe.at("error").at("message"),
            "CpuCommunicator does not support tensor dict fastpath with torch.distributed "
            "backend.");
  EXPECT_GT(record.at("sim_time_s").get<double>(), 0.0);
}

// The merged #40150 keeps the gate X86 or ARM: a ppc64le rank in a PP group with an x86 rank
// splits the name check, as an aarch64 rank would under the unmerged x86-only revision. Both
// ranks wait in gloo receives until the process group's timeout (30 minutes).
TEST(Cli, MixedArchitecturesOutsideTheGateWaitUntilTheTimeout) {
  for (const auto& [policy, scenario] :
       {std::pair{"vllm-pr40150", "scenarios/regressions/mixed-arch-ppc64le-pp-hang.yaml"},
        std::pair{"vllm-pr40150-x86-revision", "scenarios/regressions/mixed-arch-pp-hang.yaml"}}) {
    SCOPED_TRACE(policy);
    const nlohmann::json record = run_json(policy, scenario);
    EXPECT_EQ(record.at("deadlock"), false);
    EXPECT_EQ(group_named(record, "pp:0").at("backend"), "mixed");
    const auto& ranks = record.at("ranks");
    ASSERT_EQ(ranks.size(), 2u);
    // The other rank skipped the name check and waits for the hand-off's metadata object; it
    // started waiting first, so it times out first, at 1800 s.
    EXPECT_EQ(ranks[1].at("outcome"), "timeout");
    EXPECT_EQ(ranks[1].at("error").at("type"), "RuntimeError");
    EXPECT_EQ(ranks[1].at("error").at("message"),
              "[../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting "
              "1800000ms for recv operation to complete");
    EXPECT_EQ(ranks[1].at("error").at("where"), "irecv_tensor_dict(pp:0) > recv_object(pp:0)");
    EXPECT_DOUBLE_EQ(ranks[1].at("end_time_s").get<double>(), 1800);
    // The x86 rank waits in the name check for it, and sees its connection close: the end of
    // stream crosses two 10 us hops under LV08 (13.01 x 20 us).
    EXPECT_EQ(ranks[0].at("outcome"), "error");
    EXPECT_EQ(ranks[0].at("error").at("message"),
              "[../third_party/gloo/gloo/transport/tcp/pair.cc:598] Connection closed by peer "
              "[rank 1]");
    EXPECT_EQ(ranks[0].at("error").at("where"),
              "GroupCoordinator.__init__(pp:0) > CpuCommunicator.__init__(pp:0) > "
              "all_gather_object(pp:0)");
    const double expected = 1800 + 13.01 * 20e-6;
    EXPECT_NEAR(record.at("sim_time_s").get<double>(), expected, 1e-12 * expected);
    EXPECT_NEAR(ranks[0].at("end_time_s").get<double>(), expected, 1e-12 * expected);
  }
}

// With cross-traffic off, the gloo ring all-reduce over P nodes behind one switch takes exactly
// the alpha-beta time of Thakur, Rabenseifner and Gropp under LV08:
// 2 (P - 1) (13.01 x two hops' latency + (n / P) / (0.97 x bandwidth)).
TEST(Cli, SameRunGivesByteIdenticalRecords) {
  EXPECT_EQ(run_json("vllm-pr40150").dump(), run_json("vllm-pr40150").dump());
}

TEST(Cli, CompareShowsBothPoliciesAndPasses) {
  const Result result =
      run_commsim(std::string("compare ") + kScenario + " --policies vllm-0.18.0,vllm-pr40150");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("vllm-0.18.0"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("vllm-pr40150"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("AttributeError"), std::string::npos) << result.output;
}

TEST(Cli, AFailedExpectationExitsOneAndShowsExpectedAndActual) {
  // Under the later main the same scenario has no expectations: unchecked, exit 0.
  const Result unchecked =
      run_commsim(std::string("run ") + kScenario + " --policy vllm-main-2026-05-21");
  EXPECT_EQ(unchecked.exit_code, 0) << unchecked.output;
  // An edited copy that expects the pre-fix failure under the fixed profile must fail.
  std::ifstream in(kScenario);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "    data: { dicts_delivered: 3, bit_identical: true }";
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "    data: { dicts_delivered: 2 }");
  const auto path = temp_path("commsim-edited").replace_extension(".yaml");
  std::ofstream(path) << text;
  const Result failed = run_commsim("run " + path.string() + " --policy vllm-pr40150");
  std::filesystem::remove(path);
  EXPECT_EQ(failed.exit_code, 1) << failed.output;
  EXPECT_NE(failed.output.find("expected 2"), std::string::npos) << failed.output;
  EXPECT_NE(failed.output.find("3"), std::string::npos) << failed.output;
}

TEST(Cli, UnusableInputIsOneLineAndExitTwo) {
  const Result unknown_option = run_commsim(std::string("run ") + kScenario + " --bogus");
  EXPECT_EQ(unknown_option.exit_code, 2);
  EXPECT_NE(unknown_option.output.find("--bogus"), std::string::npos) << unknown_option.output;

  const Result unknown_policy = run_commsim(std::string("run ") + kScenario + " --policy nope");
  EXPECT_EQ(unknown_policy.exit_code, 2);
  EXPECT_NE(unknown_policy.output.find("unknown policy 'nope'"), std::string::npos);

  const Result missing = run_commsim("run no/such/file.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("no/such/file.yaml"), std::string::npos) << missing.output;

  const auto path = temp_path("commsim-broken").replace_extension(".yaml");
  std::ofstream(path) << "name: broken\npolicy: vllm-pr40150\ntopology:\n  nodes: 2\n  bogus: 1\n";
  const Result broken = run_commsim("run " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.output.find(path.string() + ":5:3:"), std::string::npos) << broken.output;
  EXPECT_EQ(broken.output.find("terminate"), std::string::npos) << broken.output;

  const Result no_command = run_commsim("");
  EXPECT_EQ(no_command.exit_code, 2);
}

// --version: commsim's version and git revision, and the SimGrid and oneDNN it runs with.
TEST(Cli, VersionSaysWhichCommsimAndWhichLibraries) {
  const Result result = run_commsim("--version");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.rfind("commsim 0.1.0 (", 0), 0u) << result.output;
  EXPECT_NE(result.output.find("\nSimGrid 3.32."), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("\noneDNN 2.6."), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 3) << result.output;
}

TEST(Cli, RunTakesDirectoriesAndGlobsAndWritesJunit) {
  const auto junit = temp_path("commsim-junit").replace_extension(".xml");
  const Result result = run_commsim(
      "run scenarios/regressions 'scenarios/benchmarks/*.yaml' --junit " + junit.string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::ifstream in(junit);
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(junit);
  EXPECT_NE(xml.find("<testsuite name=\"commsim\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("failures=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"vllm-37933-interpp [vllm-pr40150]\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("classname=\"scenarios/benchmarks/shm-node-2ranks.yaml\""), std::string::npos);

  const Result empty = run_commsim("run 'scenarios/none-*.yaml'");
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.output.find("pattern matches no file"), std::string::npos) << empty.output;
}

TEST(Cli, JsonIsNotWrittenForUnusableInput) {
  const auto path = temp_path("commsim-never");
  run_commsim("run no/such/file.yaml --json " + path.string());
  EXPECT_FALSE(std::filesystem::exists(path));
}

// commsim calibrate --quick writes a preset file that a scenario can name, and the node gets
// exactly the file's figures.
TEST(Cli, CalibrateWritesAPresetFileThatAScenarioCanName) {
  const auto dir = temp_path("commsim-calibrate").replace_extension("");
  std::filesystem::create_directories(dir);
  const std::string preset_path = (dir / "p.yaml").string();
  const Result result = run_commsim("calibrate --quick --threads 1 --out " + preset_path);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("matmul f32"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("wrote " + preset_path), std::string::npos) << result.output;

  const YAML::Node preset = YAML::LoadFile(preset_path)["preset"];
  EXPECT_EQ(preset["name"].as<std::string>(), "calibrated-host");
  std::ofstream(dir / "s.yaml") << "name: calibrated\npolicy: vllm-pr40150\n"
                                   "topology: { kind: single_node, node: { preset: ./p.yaml } }\n"
                                   "parallel: { pipeline: 2 }\nworkload: { kind: pp_handoff }\n";
  const commsim::scenario::ParseResult parsed =
      commsim::scenario::parse_scenario_file((dir / "s.yaml").string());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(parsed.scenario.has_value())
      << (parsed.errors.empty() ? "" : parsed.errors[0].to_string());
  const commsim::scenario::NodeSpec node = parsed.scenario->node(0);
  EXPECT_EQ(node.preset, preset_path);
  EXPECT_EQ(node.arch, commsim::comm::parse_arch(preset["arch"].as<std::string>()));
  const auto& hardware = node.hardware;
  EXPECT_EQ(hardware.cores, preset["cores"].as<int>());
  EXPECT_GE(hardware.cores, 1);
  EXPECT_DOUBLE_EQ(hardware.core_flops, preset["core_gflops"].as<double>() * 1e9);
  EXPECT_GT(hardware.core_flops, 0);
  EXPECT_DOUBLE_EQ(
      hardware.memory_bandwidth,
      *commsim::scenario::parse_bandwidth(preset["memory_bandwidth"].as<std::string>()).value);
  EXPECT_DOUBLE_EQ(hardware.memory_latency, 100e-9);
  const YAML::Node kernels = preset["kernels"];
  EXPECT_DOUBLE_EQ(hardware.kernels.efficiency, 1.0);
  EXPECT_DOUBLE_EQ(hardware.kernels.bf16_speedup, kernels["bf16_speedup"].as<double>());
  EXPECT_DOUBLE_EQ(
      hardware.kernels.call_overhead,
      *commsim::scenario::parse_time(kernels["call_overhead"].as<std::string>()).value);
}

TEST(Cli, CalibrateRefusesBadOptionsBeforeMeasuring) {
  const auto out = temp_path("commsim-calibrate-bad").replace_extension(".yaml");
  const Result zero = run_commsim("calibrate --quick --threads 0 --out " + out.string());
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  EXPECT_NE(zero.output.find("--threads"), std::string::npos) << zero.output;
  EXPECT_EQ(zero.output.find("matmul"), std::string::npos) << zero.output;
  EXPECT_FALSE(std::filesystem::exists(out));

  const Result unwritable = run_commsim("calibrate --quick --out no/such/dir/p.yaml");
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.output;
  EXPECT_NE(unwritable.output.find("--out"), std::string::npos) << unwritable.output;
  EXPECT_EQ(unwritable.output.find("matmul"), std::string::npos) << unwritable.output;

  const Result not_yaml = run_commsim("calibrate --quick --out p.json");
  EXPECT_EQ(not_yaml.exit_code, 2) << not_yaml.output;
  EXPECT_NE(not_yaml.output.find("--out"), std::string::npos) << not_yaml.output;
}

}  // namespace

namespace {

// commsim profiles: every profile with the vLLM commit it reproduces and how it differs from the
// one before; the x86-only gate only as the unmerged revision.
TEST(CliProfiles, ListsEachProfileWithItsCommitAndDifferences) {
  const Result result = run_commsim("profiles");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* line :
       {"vllm-pre-34169\n  vLLM 8311f083b (2026-01-29)",
        "vllm-0.18.0\n  vLLM cbd361fd4 (2026-03-02)",
        "vllm-pr40150\n  vLLM 2aab9acf4 (2026-04-20): #40150 merged\n  switches: arch_allow "
        "[x86_64, aarch64]",
        "vllm-pr40150-x86-revision\n  unmerged: a revision of #40150",
        "  switches: arch_allow [x86_64], ", "vllm-main-2026-05-21\n  vLLM 0a54df284 (2026-05-21)",
        "  differs from vllm-pr40150:\n    - architecture gate X86 only",
        "cpu_communicator.py:31-35 @ 2aab9acf4"}) {
    EXPECT_NE(result.output.find(line), std::string::npos) << line << "\n" << result.output;
  }

  const auto path = temp_path("commsim-profiles").replace_extension(".json");
  ASSERT_EQ(run_commsim("profiles --json " + path.string()).exit_code, 0);
  std::ifstream in(path);
  const nlohmann::json profiles = nlohmann::json::parse(in).at("profiles");
  std::filesystem::remove(path);
  ASSERT_EQ(profiles.size(), 5u);
  EXPECT_EQ(profiles[2].at("name"), "vllm-pr40150");
  EXPECT_EQ(profiles[2].at("vllm_commit"), "2aab9acf4");
  EXPECT_EQ(profiles[2].at("switches").at("arch_allow"), nlohmann::json({"x86_64", "aarch64"}));
  EXPECT_EQ(profiles[3].at("merged"), false);
  EXPECT_TRUE(profiles[3].at("vllm_commit").is_null());
  EXPECT_EQ(profiles[3].at("compared_with"), "vllm-pr40150");
  EXPECT_EQ(profiles[4].at("compared_with"), "vllm-pr40150");

  const Result bad = run_commsim("profiles scenarios/regressions/mixed-arch-pp-hang.yaml");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.output, "commsim: commsim profiles: takes no scenario file\n");
}

}  // namespace
