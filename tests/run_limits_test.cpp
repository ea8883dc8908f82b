// The limits of one run (README.md, "Limits"): quantities past their range, worlds, steps and real
// tensors past the budget are refused with a position and a reason, never accepted or crashed on.
#include "scenarios/run_limits.h"

#include <gtest/gtest.h>

#include <string>

#include "scenarios/scenario_parser.h"
#include "scenarios/units.h"

namespace commsim::scenario {
namespace {

std::string only_error(const std::string& text) {
  const ParseResult result = parse_scenario_text(text, "t.yaml");
  EXPECT_FALSE(result.scenario.has_value());
  std::string all;
  for (const ScenarioError& error : result.errors) all += error.to_string() + "\n";
  EXPECT_EQ(result.errors.size(), 1u) << all;
  return result.errors.empty() ? "" : result.errors.front().to_string();
}

TEST(QuantityRanges, ValuesPastTheRangeOfTheirKindAreOutOfRange) {
  EXPECT_EQ(parse_time("1e308s").error,
            "'1e308s' is out of range; a time must be 0 or from 1ns to 1000000s");
  EXPECT_EQ(parse_time("1e400s").error,
            "'1e400s' is out of range; a time must be 0 or from 1ns to 1000000s");
  EXPECT_EQ(parse_time("0.1ns").error,
            "'0.1ns' is out of range; a time must be 0 or from 1ns to 1000000s");
  EXPECT_EQ(parse_bandwidth("1e-9Bps").error,
            "'1e-9Bps' is out of range; a bandwidth must be 0 or from 1bps to 1000PBps");
  EXPECT_EQ(parse_flops("2000Pf").error,
            "'2000Pf' is out of range; a computing speed must be 0 or from 1f to 1000Pf");
  EXPECT_EQ(parse_bytes("2PiB").error,
            "'2PiB' is out of range; a size must be 0 or from 1B to 1PiB");
}

TEST(QuantityRanges, TheBoundsThemselvesAndZeroAreAccepted) {
  EXPECT_DOUBLE_EQ(*parse_time("1ns").value, 1e-9);
  EXPECT_DOUBLE_EQ(*parse_time("1000000s").value, 1e6);
  EXPECT_DOUBLE_EQ(*parse_time("0s").value, 0);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1bps").value, 1.0 / 8);
  EXPECT_DOUBLE_EQ(*parse_bandwidth("1000PBps").value, 1e18);
  EXPECT_DOUBLE_EQ(*parse_flops("1f").value, 1);
  EXPECT_DOUBLE_EQ(*parse_bytes("1PiB").value, 1024.0 * 1024 * 1024 * 1024 * 1024);
}

const std::string kHead = "name: l\npolicy: vllm-pr40150\ntopology: { nodes: 1 }\n";

TEST(RunLimits, AHugeDelayIsAPositionedErrorNotAnInternalOne) {
  EXPECT_EQ(only_error(kHead + "parallel: { pipeline: 2 }\nworkload: { kind: pp_handoff }\n"
                               "faults:\n  - { kind: message_delay, rank: 1, delay: 1e308s }\n"),
            "t.yaml:7:44: faults[0].delay: '1e308s' is out of range; a time must be 0 or from "
            "1ns to 1000000s");
}

TEST(RunLimits, AWaitingPeerMustBeARankOfTheWorld) {
  EXPECT_EQ(only_error(kHead +
                       "parallel: { tensor: 2 }\nworkload: { kind: tp_allreduce }\n"
                       "expect: { vllm-pr40150: { ranks: { 0: { waiting: { peer: 1000 } } } } }\n"),
            "t.yaml:6:58: expect.vllm-pr40150.ranks.0.waiting.peer: must be between -1 and 1, "
            "got 1000");
}

TEST(RunLimits, AnIntegerPastItsTypeIsAtMostNotAtLeast) {
  EXPECT_EQ(only_error("name: l\npolicy: vllm-pr40150\n"
                       "topology: { nodes: 1, node: { cores: 2147483648 } }\n"
                       "parallel: { tensor: 2 }\nworkload: { kind: tp_allreduce }\n"),
            "t.yaml:3:38: topology.node.cores: must be at most 2147483647, got 2147483648");
}

TEST(RunLimits, TheWorldIsBoundedAndTheMessageSaysWhere) {
  EXPECT_EQ(only_error("name: l\npolicy: vllm-pr40150\ntopology: { nodes: 4096 }\n"
                       "parallel: { tensor: 8, pipeline: 2, data: 2048 }\n"
                       "workload: { kind: tp_allreduce }\n"),
            "t.yaml:4:1: parallel: world size 32768 (tensor 8 x pipeline 2 x data 2048) is over "
            "the limit of 16384 "
            "ranks per run (README.md, 'Limits')");
  EXPECT_TRUE(parse_scenario_text("name: l\npolicy: vllm-pr40150\ntopology: { nodes: 4096 }\n"
                                  "parallel: { tensor: 8, pipeline: 2, data: 1024 }\n"
                                  "workload: { kind: tp_allreduce }\n",
                                  "t.yaml")
                  .scenario.has_value())
      << "16384 ranks are the limit itself";
}

TEST(RunLimits, StepsAreBounded) {
  EXPECT_EQ(only_error(kHead + "parallel: { pipeline: 2 }\n"
                               "workload: { kind: pp_handoff, steps: 100001 }\n"),
            "t.yaml:5:38: workload.steps: must be between 0 and 100000, got 100001");
}

TEST(RunLimits, RealTensorsPastTheBudgetAskForPhantomData) {
  // An 8 GiB tensor all-reduced by 2 ranks: its copies on every rank, not one tensor, count.
  EXPECT_EQ(only_error(kHead + "parallel: { tensor: 2 }\n"
                               "workload: { kind: tp_allreduce, tensors: { x: { dtype: f32, shape: "
                               "[2147483648] } } }\n"),
            "t.yaml:5:1: workload: real tensors would take about 64.0 GiB (4 copies of the largest "
            "tensor (8.0 GiB) on each of 2 ranks), over the budget of 4.0 GiB per run; use smaller "
            "tensors, or time sizes like these with a `collective` workload and `phantom: true`");
  EXPECT_EQ(only_error(kHead + "parallel: { tensor: 2 }\n"
                               "workload: { kind: collective, collective: all_reduce, dtype: f32, "
                               "count: 2147483648 }\n")
                .rfind("t.yaml:5:1: workload: real tensors would take about 32.0 GiB", 0),
            0u);
}

TEST(RunLimits, PhantomTensorsOfTheSameSizeAreAccepted) {
  const ParseResult result = parse_scenario_text(
      kHead +
          "parallel: { tensor: 2 }\n"
          "workload: { kind: collective, collective: all_reduce, phantom: true, dtype: f32, "
          "count: 2147483648 }\n",
      "t.yaml");
  EXPECT_TRUE(result.scenario.has_value())
      << (result.errors.empty() ? "" : result.errors.front().to_string());
}

TEST(RunLimits, SizesAreWrittenInBinaryUnits) {
  EXPECT_EQ(binary_size_text(800), "800 B");
  EXPECT_EQ(binary_size_text(1536), "1.5 KiB");
  EXPECT_EQ(binary_size_text(4.0 * 1024 * 1024 * 1024), "4.0 GiB");
}

}  // namespace
}  // namespace commsim::scenario
