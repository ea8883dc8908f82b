// run_isolated's record when the simulation's child process dies: the record says why, every rank
// is there with outcome unknown, and nothing is thrown (a batch goes on with its next run).
#include "sim/child_record.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "results/record_json.h"
#include "scenarios/outcome.h"
#include "scenarios/scenario_parser.h"

namespace commsim::sim {
namespace {

using scenario::Outcome;

// TP=2 x PP=2 on two nodes, two ranks on each.
scenario::Scenario two_nodes() {
  const auto parsed = scenario::parse_scenario_text(
      "name: two-nodes\npolicy: vllm-pr40150\n"
      "topology: { kind: cluster, nodes: 2 }\n"
      "parallel: { tensor: 2, pipeline: 2 }\n"
      "workload: { kind: pp_handoff }\n",
      "two-nodes.yaml");
  if (!parsed.errors.empty()) ADD_FAILURE() << parsed.errors.front().to_string();
  return parsed.scenario.value_or(scenario::Scenario{});
}

void expect_unknown_ranks(const results::RunRecord& record) {
  ASSERT_EQ(record.ranks.size(), 4u);
  for (int rank = 0; rank < 4; ++rank) {
    const results::RankRecord& got = record.ranks[static_cast<std::size_t>(rank)];
    EXPECT_EQ(got.rank, rank);
    EXPECT_EQ(got.node, rank / 2);
    EXPECT_EQ(got.outcome, Outcome::kUnknown);
    EXPECT_FALSE(got.error.has_value());
  }
}

TEST(ChildRecordTest, AChildKilledByASignalGivesAFailedRecord) {
  const scenario::Scenario scenario = two_nodes();
  const ChildOutput output = run_in_child([]() -> std::string {
    std::raise(SIGKILL);
    return "";
  });
  ASSERT_FALSE(output.completed);
  const results::RunRecord record = record_from_child(output, scenario, "vllm-0.18.0");
  EXPECT_EQ(record.scenario, "two-nodes");
  EXPECT_EQ(record.scenario_path, "two-nodes.yaml");
  EXPECT_EQ(record.policy, "vllm-0.18.0");
  EXPECT_EQ(record.simulation_failure, "killed by signal 9 (Killed)");
  EXPECT_EQ(record.sim_time_s, 0);
  EXPECT_TRUE(record.groups.empty());
  expect_unknown_ranks(record);
}

TEST(ChildRecordTest, SimGridsLastMessageComesFirstInWhy) {
  const scenario::Scenario scenario = two_nodes();
  const ChildOutput output = run_in_child([]() -> std::string {
    std::fprintf(stderr,
                 "[0.000010] src/kernel/activity/CommImpl.cpp:144: [root/CRITICAL] "
                 "Assertion to_->is_on() failed\nBacktrace (displayed in actor rank0):\n"
                 "  ->  #0 xbt_backtrace_display_current\n");
    std::fflush(stderr);
    std::abort();
  });
  const results::RunRecord record = record_from_child(output, scenario, "vllm-pr40150");
  EXPECT_EQ(record.simulation_failure,
            "Assertion to_->is_on() failed (killed by signal 6 (Aborted))");
  expect_unknown_ranks(record);
}

TEST(ChildRecordTest, ARecordThatCannotBeReadIsAFailure) {
  const scenario::Scenario scenario = two_nodes();
  const ChildOutput output = run_in_child([] { return std::string("{\"scenario\": 1}"); });
  ASSERT_TRUE(output.completed);
  const results::RunRecord record = record_from_child(output, scenario, "vllm-pr40150");
  EXPECT_EQ(record.simulation_failure.rfind("its record cannot be read: ", 0), 0u)
      << record.simulation_failure;
  expect_unknown_ranks(record);
}

TEST(ChildRecordTest, AReturnedRecordIsTakenAsItIs) {
  const scenario::Scenario scenario = two_nodes();
  results::RunRecord sent;
  sent.scenario = "two-nodes";
  sent.policy = "vllm-pr40150";
  sent.sim_time_s = 0.25;
  sent.ranks = {results::RankRecord{0, 0, Outcome::kKilled, {}, {}, 1e-5, {}, {}}};
  const ChildOutput output = run_in_child([&] { return results::to_json(sent).dump(); });
  const results::RunRecord record = record_from_child(output, scenario, "vllm-pr40150");
  EXPECT_EQ(record.simulation_failure, "");
  EXPECT_EQ(record.sim_time_s, 0.25);
  ASSERT_EQ(record.ranks.size(), 1u);
  EXPECT_EQ(record.ranks[0].outcome, Outcome::kKilled);
}

}  // namespace
}  // namespace commsim::sim
