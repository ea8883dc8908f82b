// Baselines: committed run records compared with new runs (results/baseline.h), and the command
// line around them (commsim run --baseline / --record-baseline).
#include "results/baseline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/run_commsim.h"

namespace {

using commsim::results::compare_with_baseline;
using commsim::results::Drift;
using commsim::results::RunRecord;
using commsim::testing::run_commsim;

RunRecord sample() {
  RunRecord record;
  record.scenario = "s";
  record.policy = "vllm-pr40150";
  record.sim_time_s = 0.0125;
  record.groups.push_back(
      {"pp:0", {0, 1}, "torch.distributed", "name_agreement", false, false, {}});
  commsim::results::RankRecord rank;
  rank.rank = 1;
  rank.outcome = commsim::scenario::Outcome::kError;
  rank.error =
      commsim::results::ErrorInfo{"AttributeError", "no attribute", "send_tensor_dict", "pp:0", ""};
  rank.end_time = 0.01;
  record.ranks.push_back(rank);
  record.data.dicts_delivered = 3;
  return record;
}

TEST(Baseline, AnIdenticalRunHasNoDrift) {
  EXPECT_TRUE(compare_with_baseline(sample(), sample(), 1e-9).empty());
}

TEST(Baseline, TimesDriftBeyondTheRelativeTolerance) {
  RunRecord now = sample();
  now.sim_time_s *= 1 + 1e-12;
  EXPECT_TRUE(compare_with_baseline(sample(), now, 1e-9).empty());
  now.sim_time_s = 0.0126;
  const auto drifts = compare_with_baseline(sample(), now, 1e-9);
  ASSERT_EQ(drifts.size(), 1u);
  EXPECT_EQ(drifts[0].what, "sim_time_s");
  EXPECT_EQ(drifts[0].baseline, "0.0125");
  EXPECT_EQ(drifts[0].now, "0.0126");
  EXPECT_TRUE(compare_with_baseline(sample(), now, 0.01).empty());
}

TEST(Baseline, ZeroAndNonFiniteValues) {
  RunRecord before = sample();
  RunRecord now = sample();
  before.data.collective_time_s = 0;
  now.data.collective_time_s = 1e-12;
  EXPECT_EQ(compare_with_baseline(before, now, 1e-9).size(), 1u);  // from nothing to something
  now.data.collective_time_s = 0;
  before.data.max_rel_l2 = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(compare_with_baseline(before, now, 1e-9).size(), 1u);
  now.data.max_rel_l2 = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(compare_with_baseline(before, now, 1e-9).empty());
}

TEST(Baseline, FileNamesStayInTheirDirectory) {
  EXPECT_EQ(commsim::results::baseline_file_name("fat-tree_1.x", "vllm-pr40150"),
            "fat-tree_1.x@vllm-pr40150.json");
  EXPECT_EQ(commsim::results::baseline_file_name("../../escape me", "p"), "_._.._escape_me@p.json");
}

TEST(Baseline, DecisionsOutcomesAndDataDrift) {
  RunRecord now = sample();
  now.groups[0].backend = "shm";
  now.groups[0].reason = "";
  now.ranks[0].error->message = "other";
  now.data.dicts_delivered = 2;
  const auto drifts = compare_with_baseline(sample(), now, 1e-9);
  std::vector<std::string> what;
  for (const Drift& drift : drifts) what.push_back(drift.what);
  EXPECT_EQ(what, (std::vector<std::string>{"group pp:0 [0, 1] backend", "group pp:0 [0, 1] reason",
                                            "rank 1 error.message", "data.dicts_delivered"}));
  EXPECT_EQ(drifts[0].baseline, "'torch.distributed'");
  EXPECT_EQ(drifts[0].now, "'shm'");
}

class BaselineCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("commsim-baseline-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::filesystem::copy_file("scenarios/topologies/fat-tree-tp2-pp4.yaml", dir_ / "s.yaml");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string scenario() const { return (dir_ / "s.yaml").string(); }
  std::string baselines() const { return (dir_ / "baselines").string(); }

  std::filesystem::path dir_;
};

TEST_F(BaselineCli, RecordThenCompareThenDrift) {
  const auto recorded = run_commsim("run " + scenario() + " --record-baseline " + baselines());
  ASSERT_EQ(recorded.exit_code, 0) << recorded.output;
  EXPECT_NE(recorded.output.find("baseline: recorded 1 run in " + baselines()), std::string::npos);
  ASSERT_TRUE(std::filesystem::exists(dir_ / "baselines" / "fat-tree-tp2-pp4@vllm-pr40150.json"));

  const auto same = run_commsim("run " + scenario() + " --baseline " + baselines());
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("baseline: as "), std::string::npos);

  // Slower links: the hand-off takes longer, and the run says by how much, and fails.
  std::ifstream in(scenario());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("bandwidth: 100Gbps"), 18, "bandwidth: 10Gbps");
  std::ofstream(scenario()) << text;
  const auto record = dir_ / "record.json";
  const auto drifted = run_commsim("run " + scenario() + " --baseline " + baselines() + " --json " +
                                   record.string());
  EXPECT_EQ(drifted.exit_code, 1) << drifted.output;
  // The record says so too (and so does JUnit, which is written from the same verdict).
  std::ifstream record_in(record);
  const auto json = nlohmann::json::parse(record_in);
  EXPECT_EQ(json.at("verdict"), "fail");
  EXPECT_EQ(json.at("mismatches").at(0).at("what"), "baseline sim_time_s");
  EXPECT_NE(drifted.output.find("drift"), std::string::npos) << drifted.output;
  EXPECT_NE(drifted.output.find("  sim_time_s: "), std::string::npos) << drifted.output;
  EXPECT_NE(drifted.output.find("1 drifted from their baseline"), std::string::npos);
}

TEST_F(BaselineCli, MissingBaselinesAndBadOptions) {
  std::filesystem::create_directories(dir_ / "baselines");
  const auto missing = run_commsim("run " + scenario() + " --baseline " + baselines());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("baseline: no " + baselines() +
                                "/fat-tree-tp2-pp4@vllm-pr40150.json (record it with "
                                "--record-baseline " +
                                baselines() + ")"),
            std::string::npos)
      << missing.output;
  const auto both = run_commsim("run " + scenario() + " --baseline " + baselines() +
                                " --record-baseline " + baselines());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.output.find("--baseline and --record-baseline: give one"), std::string::npos);
  const auto twice =
      run_commsim("run " + scenario() + " " + scenario() + " --baseline " + baselines());
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.output.find("would both be fat-tree-tp2-pp4@vllm-pr40150.json"),
            std::string::npos)
      << twice.output;
  const auto nodir = run_commsim("run " + scenario() + " --baseline /no/such/dir");
  EXPECT_EQ(nodir.exit_code, 2);
  EXPECT_NE(nodir.output.find("--baseline: '/no/such/dir' is not a directory"), std::string::npos);
  std::ofstream(dir_ / "baselines" / "fat-tree-tp2-pp4@vllm-pr40150.json") << "{ not json";
  const auto broken = run_commsim("run " + scenario() + " --baseline " + baselines());
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.output.find("is not a run record"), std::string::npos) << broken.output;
}

}  // namespace
