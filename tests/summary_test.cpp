#include "results/summary.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "results/verdict.h"

namespace commsim::results {
namespace {

using scenario::Outcome;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool contains_line(const std::string& text, const std::string& line) {
  for (const auto& candidate : lines_of(text)) {
    if (candidate == line) return true;
  }
  return false;
}

// vllm-37933 under vllm-0.18.0: both PP ranks fail in the hand-off.
RunRecord old_record() {
  RunRecord record;
  record.scenario = "vllm-37933-interpp";
  record.policy = "vllm-0.18.0";
  record.sim_time_s = 0.0012345674;
  record.groups = {
      {"pp:0",
       {0, 1},
       "torch.distributed",
       "SHM group names differ",
       false,
       true,
       {"CPU SHM communicator disabled for group pp:0"}},
  };
  const char* ops[] = {"send_tensor_dict", "recv_tensor_dict"};
  for (int rank = 0; rank < 2; ++rank) {
    RankRecord r;
    r.rank = rank;
    r.node = rank;
    r.outcome = Outcome::kError;
    r.error =
        ErrorInfo{"AttributeError",
                  std::string("module 'torch.distributed' has no attribute '") + ops[rank] + "'",
                  ops[rank], "pp:0", std::string(ops[rank]) + "(pp:0)"};
    r.end_time = 0.001 * (rank + 1);
    r.logs = {
        {0.0005, "INFO", "vllm.cpu_communicator", "CPU SHM communicator disabled for group pp:0"},
        {0.0006, "DEBUG", "vllm", "not shown"}};
    record.ranks.push_back(r);
  }
  record.data = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, {}, {}};
  record.verdict = Verdict::kFail;
  record.mismatches = {
      {"rank 0 outcome", "ok", "error", {"scenarios/regressions/x.yaml", 56, 12}},
      {"data.dicts_delivered", "3", "0", {"scenarios/regressions/x.yaml", 71, 11}},
  };
  return record;
}

// vllm-37933 under vllm-pr40150: the hand-off works, the probe raises.
RunRecord new_record() {
  RunRecord record;
  record.scenario = "vllm-37933-interpp";
  record.policy = "vllm-pr40150";
  record.sim_time_s = 0.004;
  record.groups = {
      {"pp:0",
       {0, 1},
       "torch.distributed",
       "SHM group names differ",
       false,
       false,
       {"CPU SHM communicator disabled for group pp:0"}},
  };
  for (int rank = 0; rank < 2; ++rank) {
    RankRecord r;
    r.rank = rank;
    r.node = rank;
    r.end_time = 0.004;
    r.probes = {{"CpuCommunicator.send_tensor_dict", "pp:0", Outcome::kError,
                 ErrorInfo{"NotImplementedError", "no fast path",
                           "CpuCommunicator.send_tensor_dict", "pp:0", ""}}};
    record.ranks.push_back(r);
  }
  record.data = {3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, {}, {}};
  record.verdict = Verdict::kPass;
  return record;
}

std::string summary_of(const RunRecord& record) {
  std::ostringstream out;
  write_summary(out, record);
  return out.str();
}

TEST(SummaryTest, HeaderTablesAndFailureLines) {
  const std::string text = summary_of(old_record());
  EXPECT_EQ(lines_of(text).front(), "scenario vllm-37933-interpp \u00b7 policy vllm-0.18.0");
  EXPECT_NE(text.find("pp:0  [0, 1]  torch.distributed  false"), std::string::npos) << text;
  EXPECT_NE(text.find("SHM group names differ"), std::string::npos);
  // The INFO line once, with both ranks; DEBUG lines are not shown.
  EXPECT_TRUE(contains_line(text, "  [0, 1]  CPU SHM communicator disabled for group pp:0"))
      << text;
  EXPECT_EQ(text.find("not shown"), std::string::npos);
  EXPECT_NE(text.find("AttributeError: module 'torch.distributed' has no attribute "
                      "'send_tensor_dict' (in send_tensor_dict)"),
            std::string::npos);
  EXPECT_TRUE(contains_line(text, "data: 1 dicts sent, 0 delivered, 0 mismatched"));
  EXPECT_TRUE(contains_line(text, "simulated time: 1.234567 ms"));
  EXPECT_TRUE(contains_line(text, "verdict: FAIL"));
  EXPECT_TRUE(contains_line(
      text, "  scenarios/regressions/x.yaml:56:12: rank 0 outcome: expected ok, got error"))
      << text;
  EXPECT_TRUE(contains_line(
      text, "  scenarios/regressions/x.yaml:71:11: data.dicts_delivered: expected 3, got 0"));
  for (const auto& line : lines_of(text)) {
    EXPECT_TRUE(line.empty() || line.back() != ' ') << "trailing space: " << line;
  }
}

TEST(SummaryTest, MismatchLineFromApplyExpectations) {
  RunRecord record = old_record();
  scenario::Scenario scenario;
  scenario::Expectations expectations;
  expectations.ranks[1].pos = {"s.yaml", 9, 3};
  expectations.ranks[1].error = scenario::ErrorExpectation{"TypeError", std::nullopt, std::nullopt};
  scenario.expect["vllm-0.18.0"] = expectations;
  apply_expectations(record, scenario);
  EXPECT_TRUE(
      contains_line(summary_of(record),
                    "  s.yaml:9:3: rank 1 error.type: expected TypeError, got AttributeError"));
}

TEST(SummaryTest, HangProbeAndPass) {
  RunRecord record = new_record();
  record.ranks[1].outcome = Outcome::kHang;
  record.ranks[1].waiting = WaitInfo{"all_gather_object", "pp:0", 0};
  record.deadlock = true;
  const std::string text = summary_of(record);
  EXPECT_NE(text.find("waiting in all_gather_object on pp:0, for rank 0"), std::string::npos)
      << text;
  EXPECT_NE(text.find("probe CpuCommunicator.send_tensor_dict on pp:0: error "
                      "NotImplementedError: no fast path (in CpuCommunicator.send_tensor_dict)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("simulated time: 4.000000 ms (deadlock"), std::string::npos);
  EXPECT_TRUE(contains_line(text, "verdict: PASS"));
}

TEST(SummaryTest, AFailedSimulationSaysWhyAndShowsUnknownRanks) {
  RunRecord record;
  record.scenario = "host-crash-tp";
  record.policy = "vllm-pr40150";
  record.simulation_failure = "killed by signal 9 (Killed)";
  record.ranks = {RankRecord{0, 0, Outcome::kUnknown, {}, {}, 0, {}, {}},
                  RankRecord{1, 1, Outcome::kUnknown, {}, {}, 0, {}, {}}};
  record.verdict = Verdict::kFail;
  record.mismatches = {
      {"simulation", "a run to its end", "failed: killed by signal 9 (Killed)", {}}};
  const std::string text = summary_of(record);
  EXPECT_TRUE(contains_line(text, "simulation failed: killed by signal 9 (Killed)")) << text;
  EXPECT_TRUE(contains_line(text, "  1     1     unknown  0.000000 ms  -")) << text;
  EXPECT_TRUE(contains_line(text, "verdict: FAIL")) << text;
  EXPECT_TRUE(contains_line(
      text, "  simulation: expected a run to its end, got failed: killed by signal 9 (Killed)"))
      << text;
  // Nothing the run did not produce is shown as if it had: no data, no simulated time.
  EXPECT_EQ(text.find("data:"), std::string::npos) << text;
  EXPECT_EQ(text.find("simulated time"), std::string::npos) << text;
  std::ostringstream comparison;
  write_comparison(comparison, {new_record(), record});
  EXPECT_NE(comparison.str().find("FAIL (simulation failed)"), std::string::npos)
      << comparison.str();
}

TEST(SummaryTest, Unchecked) {
  RunRecord record = new_record();
  record.verdict = Verdict::kUnchecked;
  EXPECT_TRUE(contains_line(summary_of(record),
                            "verdict: UNCHECKED (no expectations for policy vllm-pr40150)"));
}

TEST(SummaryTest, IdenticalRecordsGiveIdenticalBytes) {
  EXPECT_EQ(summary_of(old_record()), summary_of(old_record()));
  std::ostringstream a;
  std::ostringstream b;
  write_comparison(a, {old_record(), new_record()});
  write_comparison(b, {old_record(), new_record()});
  EXPECT_EQ(a.str(), b.str());
}

TEST(SummaryTest, ComparisonColumnsAreAligned) {
  std::ostringstream out;
  write_comparison(out, {old_record(), new_record()});
  const std::string text = out.str();
  const auto lines = lines_of(text);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "scenario vllm-37933-interpp \u00b7 2 policies");
  EXPECT_EQ(lines[1], "");

  // The header row names the policies; every row's cells start at the same columns.
  const std::string& header = lines[2];
  const std::size_t first = header.find("vllm-0.18.0");
  const std::size_t second = header.find("vllm-pr40150");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  const std::vector<std::string> labels = {"policy",
                                           "group pp:0 backend",
                                           "group pp:0 supports_tensor_dict",
                                           "group pp:0 use_cpu_custom_send_recv",
                                           "rank 0 outcome",
                                           "rank 1 outcome",
                                           "dicts delivered",
                                           "simulated time",
                                           "verdict"};
  ASSERT_EQ(lines.size(), 2 + labels.size()) << text;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& line = lines[2 + i];
    EXPECT_EQ(line.rfind(labels[i], 0), 0u) << line;
    ASSERT_GT(line.size(), second) << line;
    EXPECT_EQ(line.substr(first - 2, 2), "  ") << line;
    EXPECT_NE(line[first], ' ') << line;
    EXPECT_EQ(line.substr(second - 2, 2), "  ") << line;
    EXPECT_NE(line[second], ' ') << line;
    EXPECT_NE(line.back(), ' ') << line;
  }
  // The label column is as wide as its widest label.
  EXPECT_EQ(first, std::string("group pp:0 use_cpu_custom_send_recv").size() + 2);

  EXPECT_NE(lines[3].find("torch.distributed"), std::string::npos);
  EXPECT_EQ(lines[5].substr(first, 4), "true");
  EXPECT_EQ(lines[5].substr(second), "false");
  EXPECT_EQ(lines[6].substr(first, 21), "error AttributeError:");
  EXPECT_NE(lines[6].find("..."), std::string::npos) << "long message is shortened: " << lines[6];
  EXPECT_EQ(lines[6].substr(second), "ok");
  EXPECT_EQ(lines[8].substr(first, 1), "0");
  EXPECT_EQ(lines[8].substr(second), "3");
  EXPECT_EQ(lines[9].substr(first, 11), "1.234567 ms");
  EXPECT_EQ(lines[9].substr(second), "4.000000 ms");
  EXPECT_EQ(lines[10].substr(first, 19), "FAIL (2 mismatches)");
  EXPECT_EQ(lines[10].substr(second), "PASS");
}

TEST(SummaryTest, ComparisonMarksMissingGroupsAndRanks) {
  RunRecord smaller = new_record();
  smaller.groups.clear();
  smaller.ranks.pop_back();
  std::ostringstream out;
  write_comparison(out, {old_record(), smaller});
  const auto lines = lines_of(out.str());
  for (const auto& line : lines) {
    if (line.rfind("group pp:0 backend", 0) == 0 || line.rfind("rank 1 outcome", 0) == 0) {
      EXPECT_EQ(line.back(), '-') << line;
    }
  }
}

TEST(SummaryTest, ComparisonOfNothing) {
  std::ostringstream out;
  write_comparison(out, {});
  EXPECT_EQ(out.str(), "no runs\n");
}

}  // namespace
}  // namespace commsim::results
