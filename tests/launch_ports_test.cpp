// The launch model (scenarios/launch_ports.h): each node's VLLM_DIST_IDENT as vLLM's executor gets
// it from get_open_port() (network_utils.py:150-222 @ 2aab9acf4), and the scenario keys behind it.
#include "scenarios/launch_ports.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "scenarios/rank_facts.h"
#include "scenarios/scenario_parser.h"

namespace commsim::scenario {
namespace {

// Two x86 nodes, TP=2, `extra` appended (top-level keys).
std::string two_nodes(const std::string& node_line, const std::string& extra = "") {
  return "name: launch\npolicy: vllm-pr40150\ntopology:\n  kind: cluster\n  nodes: 3\n  node: " +
         node_line + "\nparallel: { tensor: 3 }\nworkload: { kind: tp_allreduce, seed: 7 }\n" +
         extra;
}

Scenario parsed(const std::string& text) {
  const ParseResult result = parse_scenario_text(text, "launch.yaml");
  EXPECT_TRUE(result.errors.empty()) << (result.errors.empty() ? "" : result.errors[0].message);
  return result.scenario.value_or(Scenario{});
}

TEST(LaunchPorts, TheOsPicksDistinctOddEphemeralPortsFromTheSeed) {
  const Scenario scenario = parsed(two_nodes("{ arch: x86_64 }"));
  const std::vector<LaunchIdent> idents = launch_idents(scenario);
  ASSERT_EQ(idents.size(), 3u);
  std::set<std::string> distinct;
  for (const LaunchIdent& ident : idents) {
    EXPECT_EQ(ident.source, IdentSource::kOsPick);
    const int port = std::stoi(ident.ident);
    EXPECT_GE(port, kEphemeralFirst);
    EXPECT_LE(port, kEphemeralLast);
    EXPECT_EQ(port % 2, 1) << port;
    distinct.insert(ident.ident);
  }
  EXPECT_EQ(distinct.size(), 3u);
  // Deterministic, and another launch seed gives other ports.
  EXPECT_EQ(launch_idents(scenario)[0].ident, idents[0].ident);
  const Scenario reseeded = parsed(two_nodes("{ arch: x86_64 }", "launch: { seed: 8 }\n"));
  EXPECT_NE(launch_idents(reseeded)[0].ident, idents[0].ident);
  // Every rank of a node sees its node's identifier.
  const comm::NodeFacts facts = rank_facts(scenario, 1, 1, 1, idents);
  EXPECT_EQ(facts.environment.at("VLLM_DIST_IDENT"), idents[1].ident);
}

TEST(LaunchPorts, VllmPortScansUpPastThePortsTakenOnTheNode) {
  const Scenario scenario =
      parsed(two_nodes("{ arch: x86_64, env: { VLLM_PORT: \"29600\" } }",
                       "nodes:\n  node1: { ports_in_use: [29600, 29601] }\n"
                       "  node2: { env: { VLLM_DIST_IDENT: \"custom\" } }\n"));
  const std::vector<LaunchIdent> idents = launch_idents(scenario);
  EXPECT_EQ(idents[0].ident, "29600");
  EXPECT_EQ(idents[0].source, IdentSource::kVllmPort);
  EXPECT_EQ(idents[1].ident, "29602");
  EXPECT_EQ(idents[2].ident, "custom");  // an explicit identifier wins
  EXPECT_EQ(idents[2].source, IdentSource::kEnvironment);
}

TEST(LaunchPorts, TheSameVllmPortGivesTheSameIdentOnEveryNode) {
  const std::vector<LaunchIdent> idents =
      launch_idents(parsed(two_nodes("{ arch: x86_64, env: { VLLM_PORT: \"29600\" } }")));
  for (const LaunchIdent& ident : idents) EXPECT_EQ(ident.ident, "29600");
}

TEST(LaunchPorts, BadPortsAreNamedAtTheirPosition) {
  const ParseResult bad = parse_scenario_text(
      two_nodes("{ arch: x86_64, env: { VLLM_PORT: \"http://x:1\" } }"), "launch.yaml");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].pos.line, 6);
  EXPECT_EQ(bad.errors[0].message,
            "topology.node.env.VLLM_PORT: 'http://x:1' is not a port; expected a whole number "
            "0..65535");
  const ParseResult taken = parse_scenario_text(
      two_nodes("{ arch: x86_64 }", "nodes:\n  node0: { ports_in_use: [65536] }\n"), "launch.yaml");
  ASSERT_EQ(taken.errors.size(), 1u);
  EXPECT_EQ(taken.errors[0].message,
            "nodes.node0.ports_in_use[0]: must be between 0 and 65535, got 65536");
}

TEST(LaunchPorts, UnmodelledFeaturesAreRefusedAtTheKey) {
  const std::string base =
      "name: x\npolicy: vllm-pr40150\ntopology: { nodes: 1 }\n"
      "parallel: { pipeline: 2 }\n";
  const ParseResult moe = parse_scenario_text(base + "workload: { kind: moe }\n", "launch.yaml");
  ASSERT_EQ(moe.errors.size(), 1u);
  EXPECT_EQ(moe.errors[0].pos.line, 5);
  EXPECT_NE(moe.errors[0].message.find("'moe' is not modelled"), std::string::npos);
  const ParseResult dispatch = parse_scenario_text(
      base + "workload: { kind: collective, collective: dispatch }\n", "launch.yaml");
  ASSERT_EQ(dispatch.errors.size(), 1u);
  EXPECT_NE(dispatch.errors[0].message.find("'dispatch' is not modelled"), std::string::npos);
  const ParseResult sp = parse_scenario_text(
      base + "workload: { kind: model, sequence_parallel: true }\n", "launch.yaml");
  bool refused = false;
  for (const ScenarioError& error : sp.errors) {
    refused = refused || error.message.find("sequence parallelism is not modelled in the model") !=
                             std::string::npos;
  }
  EXPECT_TRUE(refused);
  const ParseResult handoff = parse_scenario_text(
      base + "workload: { kind: pp_handoff, sequence_parallel: true }\n", "launch.yaml");
  ASSERT_TRUE(handoff.errors.empty());
  EXPECT_TRUE(handoff.scenario->workload.sequence_parallel);
}

}  // namespace
}  // namespace commsim::scenario
