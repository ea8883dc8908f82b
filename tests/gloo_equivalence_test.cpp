// commsim's own collectives against the real gloo library under the same simulation: for every op
// the torch.distributed fallback uses, on every topology kind, group sizes 1 to 17 and sizes on
// both sides of gloo's 1 MiB ring segment, `commsim bench --impl commsim` and `--impl gloo` give
// the same simulated time to 1e-9 relative (commsim's collectives send what gloo sends; see
// docs/CONFORMANCE.md). results/gloo-vs-commsim/run.sh runs the full grid.
#include <gtest/gtest.h>

#include <cmath>
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

// The simulated time of every row of `commsim bench ARGS --impl IMPL`, in row order.
std::vector<double> bench_times(const std::string& args, const std::string& impl) {
  const auto path = temp_path("commsim-equivalence");
  const Result result =
      run_commsim("bench " + args + " --impl " + impl + " --json " + path.string());
  EXPECT_EQ(result.exit_code, 0) << args << " --impl " << impl << "\n" << result.output;
  std::ifstream in(path);
  const nlohmann::json json = in ? nlohmann::json::parse(in) : nlohmann::json::object();
  std::filesystem::remove(path);
  std::vector<double> times;
  for (const auto& row : json.value("rows", nlohmann::json::array())) {
    times.push_back(row.at("time_s").get<double>());
  }
  return times;
}

void expect_same_times(const std::string& args) {
  const std::vector<double> gloo = bench_times(args, "gloo");
  const std::vector<double> own = bench_times(args, "commsim");
  ASSERT_EQ(gloo.size(), own.size()) << args;
  ASSERT_FALSE(gloo.empty()) << args;
  for (std::size_t i = 0; i < gloo.size(); ++i) {
    EXPECT_NEAR(own[i], gloo[i], 1e-9 * std::abs(gloo[i])) << args << " row " << i;
  }
}

const std::vector<std::string> kCollectives = {"all_reduce", "all_gather", "reduce_scatter",
                                               "broadcast",  "gather",     "barrier"};
// 4 KiB, 64 KiB and 1 MiB + 64 KiB (more than one ring segment per rank at small groups).
const std::string kSizes = "--sizes 4KiB:1088KiB --step-factor 16";

class GlooEquivalence : public ::testing::TestWithParam<std::string> {};

TEST_P(GlooEquivalence, OnAClusterOf1To17Ranks) {
  for (int ranks : {1, 2, 3, 5, 8, 13, 17}) {
    expect_same_times("--collective " + GetParam() + " --nodes " + std::to_string(ranks) +
                      " --network-model CM02 --bandwidth 10Gbps --latency 5us --root " +
                      std::to_string(ranks / 2) + " " + kSizes);
  }
}

TEST_P(GlooEquivalence, OnFatTreeTorusAndDragonflyWithOneOrTwoRanksPerNode) {
  for (const char* topology : {"fat-tree-tp2-pp4", "torus-tp2-pp4", "dragonfly-tp2-pp4"}) {
    for (int per_node : {1, 2}) {
      expect_same_times("--collective " + GetParam() + " scenarios/topologies/" + topology +
                        ".yaml --ranks-per-node " + std::to_string(per_node) + " --root 1 " +
                        kSizes);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Collectives, GlooEquivalence, ::testing::ValuesIn(kCollectives),
                         [](const auto& test) { return test.param; });

}  // namespace
