// `commsim explain` end to end: what it predicts for the regression scenarios, its one-line errors,
// and a cross-check that keeps it honest: for every scenario and every policy the scenario states
// expectations for, each group's predicted backend, reason, flags and INFO lines equal what the
// simulation records, and every rank it predicts to fail or wait while the groups are created
// does so in the run.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/run_commsim.h"

namespace {

using commsim::testing::Result;
using commsim::testing::run_commsim;
using commsim::testing::temp_path;
using nlohmann::json;

constexpr const char* kArm = "scenarios/regressions/arm-single-node-tp.yaml";
constexpr const char* kMixedArch = "scenarios/regressions/mixed-arch-pp-hang.yaml";
constexpr const char* kMissingOp = "scenarios/regressions/misleading-info-missing-op.yaml";
constexpr const char* kMixedBuild = "scenarios/regressions/mixed-build-missing-op.yaml";
constexpr const char* kIdenticalIdents = "scenarios/regressions/vllm-46716-identical-idents.yaml";
constexpr const char* kUnsetIdent = "scenarios/regressions/unset-dist-ident-one-rank.yaml";

struct Explained {
  Result result;  // the text report and the exit code
  json report;    // --json
};

Explained explain(const std::string& scenario, const std::string& policy) {
  const auto path = temp_path("commsim-explain-" + policy);
  Explained explained;
  explained.result =
      run_commsim("explain " + scenario + " --policy " + policy + " --json " + path.string());
  EXPECT_EQ(explained.result.exit_code, 0) << explained.result.output;
  std::ifstream in(path);
  explained.report = json::parse(in);
  std::filesystem::remove(path);
  return explained;
}

json run_record(const std::string& scenario, const std::string& policy) {
  const auto path = temp_path("commsim-explain-run-" + policy);
  const Result result =
      run_commsim("run " + scenario + " --policy " + policy + " --json " + path.string());
  EXPECT_NE(result.exit_code, 2) << result.output;
  std::ifstream in(path);
  json record = json::parse(in);
  std::filesystem::remove(path);
  return record;
}

const json& group_named(const json& report, const std::string& name) {
  for (const json& group : report.at("groups")) {
    if (group.at("name") == name) return group;
  }
  throw std::runtime_error("no group " + name);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Explain, ArmNodesFallBackOnArchitectureUnderTheX86OnlyRevision) {
  const Explained x86_only = explain(kArm, "vllm-pr40150-x86-revision");
  const json& tp = group_named(x86_only.report, "tp:0");
  EXPECT_EQ(tp.at("backend"), "torch.distributed");
  EXPECT_EQ(tp.at("reason"), "architecture");
  for (const json& member : tp.at("members")) {
    EXPECT_EQ(member.at("arch"), "aarch64");
    EXPECT_EQ(member.at("failed"), "architecture");
  }
  EXPECT_TRUE(contains(x86_only.result.output, "architecture: ranks 0, 1"))
      << x86_only.result.output;
  // The INFO line blames the group name, though the cause is the architecture.
  EXPECT_TRUE(contains(x86_only.result.output, "ranks do not share the same SHM group name"));

  // The merged #40150 keeps ARM in the gate.
  const Explained arm = explain(kArm, "vllm-pr40150");
  EXPECT_EQ(group_named(arm.report, "tp:0").at("backend"), "shm");
  EXPECT_EQ(group_named(arm.report, "tp:0").at("reason"), "");
  EXPECT_TRUE(contains(arm.result.output, "SHM start   ok on every member")) << arm.result.output;
}

TEST(Explain, NodesAndPlacementAreListed) {
  const Explained explained = explain(kMixedArch, "vllm-pr40150");
  const json& nodes = explained.report.at("nodes");
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("hostname"), "node0");
  EXPECT_EQ(nodes[0].at("arch"), "x86_64");
  EXPECT_EQ(nodes[1].at("arch"), "aarch64");
  EXPECT_EQ(nodes[1].at("ranks"), json::array({1}));
  // The launch model: each node's executor port as the OS picks it, odd and ephemeral, distinct.
  const int port = std::stoi(nodes[1].at("dist_ident").get<std::string>());
  EXPECT_TRUE(port >= 32768 && port <= 60999 && port % 2 == 1) << port;
  EXPECT_NE(nodes[0].at("dist_ident"), nodes[1].at("dist_ident"));
  EXPECT_EQ(nodes[1].at("dist_ident_source"), "launcher");
  EXPECT_EQ(explained.report.at("placement").at("kind"), "packed");
  EXPECT_EQ(explained.report.at("placement").at("node_of_rank"), json::array({0, 1}));
  EXPECT_TRUE(contains(explained.result.output,
                       "1     node1  -       aarch64  yes               32     100           200"))
      << explained.result.output;
  EXPECT_TRUE(contains(explained.result.output, "ranks  0 -> node0, 1 -> node1"));
  // The network as SimGrid builds it: a cluster's two NIC hops between the PP pair's nodes.
  EXPECT_TRUE(contains(explained.result.output, "  kind    cluster 2 nodes\n"));
  EXPECT_TRUE(contains(explained.result.output, "  counts  2 hosts, 6 links\n"));
  EXPECT_TRUE(contains(explained.result.output,
                       "  route   node0 -> node1: 2 links, 20 us, narrowest 3.125 GB/s: nic0_UP "
                       "nic1_DOWN\n"))
      << explained.result.output;
}

TEST(Explain, NetworkOfAGeneratedTopologyAndAPlatformFile) {
  const auto fat_tree = run_commsim("explain scenarios/topologies/fat-tree-tp2-pp4.yaml");
  ASSERT_EQ(fat_tree.exit_code, 0) << fat_tree.output;
  EXPECT_TRUE(contains(fat_tree.output, "  kind    fat_tree 2;2,2;1,2;1,1\n"));
  EXPECT_TRUE(contains(fat_tree.output, "  counts  4 hosts, 24 links\n"));
  // Stage 1 -> 2 crosses the top of the tree: up twice, down twice, and both NIC limiters.
  EXPECT_TRUE(contains(fat_tree.output, "  route   node1 -> node2: 6 links, 4 us"))
      << fat_tree.output;
  const auto zones = run_commsim("explain scenarios/topologies/xml-multicpu-zones-tp2-pp2.yaml");
  ASSERT_EQ(zones.exit_code, 0) << zones.output;
  EXPECT_TRUE(contains(zones.output, "  0     nodeA  -       x86_64"));
  // Inside a node of two sockets: from the first socket to the second.
  EXPECT_TRUE(contains(zones.output,
                       "  route   nodeA -> nodeA: 2 links, 0.2 us, narrowest 50 GB/s: "
                       "nodeA-cpu0-link_UP nodeA-cpu1-link_DOWN\n"))
      << zones.output;
}

TEST(Explain, AModelShowsItsStagesAndWhatARankHolds) {
  const auto result = run_commsim("explain scenarios/models/llama-70b-phantom-64-ranks.yaml");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output,
                       "  per rank  8 query heads, 1 KV head, intermediate 3584, "
                       "vocabulary 4000\n"))
      << result.output;
  // 80 layers over 8 stages; 70B bf16 parameters over 64 ranks: about 2 GiB each.
  EXPECT_TRUE(contains(result.output, "  stages    0: layers 0-9 + embedding; 2.05 GiB"));
  EXPECT_TRUE(
      contains(result.output, "            7: layers 70-79 + final norm, LM head; 2.05 GiB"));
  const auto uneven = run_commsim("explain scenarios/models/tp2-pp2-llama-two-nodes.yaml");
  ASSERT_EQ(uneven.exit_code, 0) << uneven.output;
  EXPECT_TRUE(contains(uneven.output, "  per rank  4 query heads, 2 KV heads, intermediate 256"));
}

TEST(Explain, MixedArchitecturesPredictTheNameCheckWaitUnderTheX86OnlyRevision) {
  const Explained explained = explain(kMixedArch, "vllm-pr40150-x86-revision");
  const json& pp = group_named(explained.report, "pp:0");
  EXPECT_EQ(pp.at("backend"), "mixed");
  EXPECT_EQ(pp.at("name_check").at("returns"), false);
  EXPECT_EQ(pp.at("members")[0].at("fate"), "waits_in_agreement");
  EXPECT_EQ(pp.at("members")[1].at("failed"), "architecture");
  ASSERT_EQ(pp.at("stops").size(), 1u);
  EXPECT_EQ(pp.at("stops")[0].at("rank"), 0);
  EXPECT_EQ(pp.at("stops")[0].at("outcome"), "error or timeout");
  EXPECT_EQ(pp.at("stops")[0].at("op"), "all_gather_object");
  EXPECT_TRUE(contains(explained.result.output,
                       "wait        rank 0 waits in the name-agreement all_gather_object; rank 1 "
                       "skips it (failed architecture); the wait fails with gloo's error when an "
                       "awaited peer's process exits, or at the process group's timeout"))
      << explained.result.output;

  // The merged code allows ARM: both ranks call the check, see different names and fall back.
  const Explained arm = explain(kMixedArch, "vllm-pr40150");
  const json& allowed = group_named(arm.report, "pp:0");
  EXPECT_EQ(allowed.at("backend"), "torch.distributed");
  EXPECT_EQ(allowed.at("reason"), "name_agreement");
  EXPECT_EQ(allowed.at("name_check").at("names_agree"), false);
  EXPECT_TRUE(allowed.at("stops").empty());
}

TEST(Explain, AMissingOpIsNamedInitShmManager) {
  const Explained one_node = explain(kMissingOp, "vllm-pr40150");
  const json& pp = group_named(one_node.report, "pp:0");
  EXPECT_EQ(pp.at("backend"), "torch.distributed");
  EXPECT_EQ(pp.at("reason"), "init_shm_manager");
  EXPECT_EQ(pp.at("use_cpu_custom_send_recv"), false);
  EXPECT_TRUE(pp.at("name_check").is_null());  // no member gets as far as the name check
  EXPECT_TRUE(contains(one_node.result.output, "init_shm_manager: ranks 0, 1"))
      << one_node.result.output;

  const Explained mixed = explain(kMixedBuild, "vllm-0.18.0");
  EXPECT_EQ(group_named(mixed.report, "tp:0").at("backend"), "mixed");
  EXPECT_TRUE(contains(mixed.result.output,
                       "rank 0 waits in the name-agreement all_gather_object; rank 1 skips it "
                       "(failed init_shm_manager)"))
      << mixed.result.output;
}

TEST(Explain, IdenticalIdentsPickShmAcrossNodesAndFailToJoin) {
  const Explained explained = explain(kIdenticalIdents, "vllm-pr40150");
  const json& tp = group_named(explained.report, "tp:0");
  EXPECT_EQ(tp.at("backend"), "shm");
  EXPECT_EQ(tp.at("name_check").at("names_agree"), true);
  EXPECT_EQ(tp.at("members")[0].at("shm_group_name"), "29500-tp:0-[0-1]-cpushm");
  EXPECT_EQ(tp.at("members")[1].at("shm_group_name"), "29500-tp:0-[0-1]-cpushm");
  ASSERT_EQ(tp.at("stops").size(), 2u);
  for (const json& stop : tp.at("stops")) {
    EXPECT_EQ(stop.at("outcome"), "error");
    EXPECT_EQ(stop.at("error").at("message"), "open shm in SHMManager failed. errno: 2");
    EXPECT_EQ(stop.at("op"), "join_shm_manager");
  }
}

TEST(Explain, AnUnsetDistIdentRaisesKeyErrorAndItsPeerWaitsInGloo) {
  const Explained explained = explain(kUnsetIdent, "vllm-pr40150");
  const json& tp = group_named(explained.report, "tp:0");
  EXPECT_EQ(tp.at("backend"), "undecided");
  EXPECT_TRUE(tp.at("members")[1].at("shm_group_name").is_null());
  ASSERT_EQ(tp.at("stops").size(), 2u);
  EXPECT_EQ(tp.at("stops")[0].at("outcome"), "error or timeout");
  EXPECT_EQ(tp.at("stops")[0].at("op"), "all_gather_object");
  EXPECT_EQ(tp.at("stops")[1].at("outcome"), "error");
  EXPECT_EQ(tp.at("stops")[1].at("error").at("type"), "KeyError");
  EXPECT_EQ(tp.at("stops")[1].at("error").at("message"), "'VLLM_DIST_IDENT'");
  EXPECT_TRUE(contains(explained.result.output, "rank 1 raises KeyError: 'VLLM_DIST_IDENT'"))
      << explained.result.output;
}

TEST(Explain, DefaultsToTheScenariosPolicyAndIsDeterministic) {
  const Result first = run_commsim(std::string("explain ") + kMixedArch);
  const Result second = run_commsim(std::string("explain ") + kMixedArch);
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output, second.output);
  EXPECT_TRUE(contains(first.output, "policy    vllm-pr40150")) << first.output;
}

TEST(Explain, UnusableInputIsOneLineAndExitTwo) {
  const auto one_line = [](const Result& result) {
    return std::count(result.output.begin(), result.output.end(), '\n') == 1;
  };
  const Result missing = run_commsim("explain no/such/file.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(one_line(missing)) << missing.output;
  EXPECT_TRUE(contains(missing.output, "no/such/file.yaml")) << missing.output;

  const Result unknown_option = run_commsim(std::string("explain ") + kArm + " --bogus");
  EXPECT_EQ(unknown_option.exit_code, 2);
  EXPECT_TRUE(one_line(unknown_option)) << unknown_option.output;
  EXPECT_TRUE(contains(unknown_option.output, "--bogus")) << unknown_option.output;

  const Result unknown_policy = run_commsim(std::string("explain ") + kArm + " --policy nope");
  EXPECT_EQ(unknown_policy.exit_code, 2);
  EXPECT_TRUE(one_line(unknown_policy)) << unknown_policy.output;
  EXPECT_TRUE(contains(unknown_policy.output, "unknown policy 'nope' for --policy"));

  const Result two = run_commsim(std::string("explain ") + kArm + " " + kMixedArch);
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_TRUE(one_line(two)) << two.output;

  const auto path = temp_path("commsim-explain-broken").replace_extension(".yaml");
  std::ofstream(path) << "name: broken\npolicy: vllm-pr40150\ntopology:\n  nodes: 2\n  bogus: 1\n";
  const Result broken = run_commsim("explain " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_TRUE(contains(broken.output, path.string() + ":5:3:")) << broken.output;
}

// The scenario files the cross-check covers: every *.yaml under scenarios/ except those with
// faults, which explain does not model (they act at simulated times during the run).
std::vector<std::string> cross_checked_scenarios() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator("scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    if (YAML::LoadFile(entry.path().string())["faults"]) continue;
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// The policies a scenario states expectations for; its own policy when it states none.
std::vector<std::string> expected_policies(const std::string& path) {
  const YAML::Node scenario = YAML::LoadFile(path);
  std::vector<std::string> policies;
  if (const YAML::Node expect = scenario["expect"]) {
    for (const auto& entry : expect) policies.push_back(entry.first.as<std::string>());
  }
  if (policies.empty()) policies.push_back(scenario["policy"].as<std::string>());
  return policies;
}

json record_fields(const json& group) {
  json fields;
  for (const char* key : {"name", "ranks", "backend", "reason", "supports_tensor_dict",
                          "use_cpu_custom_send_recv", "logs"}) {
    fields[key] = group.at(key);
  }
  return fields;
}

TEST(Explain, PredictionsMatchTheSimulationForEveryScenarioAndPolicy) {
  const std::vector<std::string> paths = cross_checked_scenarios();
  ASSERT_FALSE(paths.empty());
  std::size_t regressions = 0;
  for (const std::string& path : paths) {
    regressions += contains(path, "regressions/");
    for (const std::string& policy : expected_policies(path)) {
      SCOPED_TRACE(path + " under " + policy);
      const json predicted = explain(path, policy).report;
      const json record = run_record(path, policy);

      std::vector<json> predicted_groups;
      std::vector<json> recorded_groups;
      for (const json& group : predicted.at("groups")) {
        predicted_groups.push_back(record_fields(group));
      }
      for (const json& group : record.at("groups")) recorded_groups.push_back(record_fields(group));
      EXPECT_EQ(json(predicted_groups), json(recorded_groups));

      std::vector<bool> stop_predicted(record.at("ranks").size(), false);
      for (const json& group : predicted.at("groups")) {
        for (const json& stop : group.at("stops")) {
          const int rank = stop.at("rank").get<int>();
          stop_predicted.at(static_cast<std::size_t>(rank)) = true;
          if (stop.value("workload_dependent", false)) continue;
          const json& actual = record.at("ranks").at(static_cast<std::size_t>(rank));
          SCOPED_TRACE("rank " + std::to_string(rank) + ": " + actual.dump());
          EXPECT_EQ(actual.at("outcome"), stop.at("outcome"));
          if (actual.at("outcome") != stop.at("outcome")) continue;
          if (stop.at("outcome") == "error") {
            EXPECT_EQ(actual.at("error").at("type"), stop.at("error").at("type"));
            EXPECT_EQ(actual.at("error").at("message"), stop.at("error").at("message"));
          } else if (actual.contains("waiting")) {
            EXPECT_EQ(actual.at("waiting").at("op"), stop.at("op"));
          }
        }
      }
      // A rank that raises while its groups are created was predicted to stop there. (A gloo
      // wait that fails, a timeout or a closed connection, follows from another rank's stop:
      // explain predicts the waits it can see, not where the others end.)
      for (const json& rank : record.at("ranks")) {
        if (!rank.contains("error") || rank.at("outcome") == "timeout") continue;
        if (contains(rank.at("error").at("message").get<std::string>(),
                     "] Connection closed by peer ")) {
          continue;
        }
        if (!contains(rank.at("error").at("where").get<std::string>(), "GroupCoordinator.__init__"))
          continue;
        EXPECT_TRUE(stop_predicted.at(rank.at("rank").get<std::size_t>())) << rank.dump();
      }
    }
  }
  EXPECT_GE(regressions, 10u);  // scenarios/regressions/ is covered
}

}  // namespace
