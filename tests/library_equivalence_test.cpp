// Every scenario of scenarios/, under every policy it states expectations for, ends the same on
// both torch.distributed libraries: commsim's own collectives and the real gloo library
// (`torch_distributed.library`). Same decisions and INFO lines, same outcome, exception and
// operation for every rank, same data, and the same simulated times to 1e-9 relative
// (results/baseline.h compares them field by field). So the faults — exceptions, crashed hosts,
// failed links, timeouts — end a torch.distributed wait as gloo's transport ends it, whichever
// runs: a closed connection's text, the process group's timeout at that simulated time.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "results/baseline.h"
#include "scenarios/scenario_parser.h"
#include "sim/platform_file.h"
#include "sim/runtime.h"

namespace {

using commsim::comm::DistImpl;
using commsim::results::RunRecord;
using commsim::scenario::Outcome;
using commsim::scenario::Scenario;

std::vector<std::string> scenario_files() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::recursive_directory_iterator("scenarios")) {
    if (entry.path().extension() == ".yaml") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

RunRecord run_on(Scenario scenario, const std::string& policy, DistImpl library) {
  scenario.torch_distributed.library = library;
  return commsim::sim::run_isolated(scenario, *commsim::comm::find_policy(policy));
}

TEST(LibraryEquivalence, EveryScenarioEndsTheSameOnGlooAndOnCommsimsCollectives) {
  const std::vector<std::string> paths = scenario_files();
  ASSERT_GE(paths.size(), 40u);
  int runs = 0;
  int ended_by_gloo = 0;  // runs where a rank's gloo wait failed: a closed connection, a timeout
  for (const std::string& path : paths) {
    auto parsed = commsim::scenario::parse_scenario_file(path, &commsim::sim::read_platform_file);
    ASSERT_TRUE(parsed.scenario) << path << ": " << parsed.errors.front().to_string();
    const Scenario& scenario = *parsed.scenario;
    std::vector<std::string> policies;
    for (const auto& [policy, expectations] : scenario.expect) policies.push_back(policy);
    if (policies.empty()) policies.push_back(scenario.policy);
    for (const std::string& policy : policies) {
      SCOPED_TRACE(path + " under " + policy);
      const RunRecord own = run_on(scenario, policy, DistImpl::kCommsim);
      const RunRecord gloo = run_on(scenario, policy, DistImpl::kGloo);
      ASSERT_EQ(own.simulation_failure, "");
      ASSERT_EQ(gloo.simulation_failure, "");
      for (const auto& drift : commsim::results::compare_with_baseline(
               own, gloo, commsim::results::kDefaultBaselineTolerance)) {
        ADD_FAILURE() << drift.what << ": commsim " << drift.baseline << ", gloo " << drift.now;
      }
      ++runs;
      ended_by_gloo += std::any_of(gloo.ranks.begin(), gloo.ranks.end(), [](const auto& rank) {
        return rank.outcome == Outcome::kTimeout ||
               (rank.error && rank.error->message.find("] Connection closed by peer [rank ") !=
                                  std::string::npos);
      });
    }
  }
  EXPECT_GE(runs, 50);
  // The comparison covers the failures, not only runs that end well.
  EXPECT_GE(ended_by_gloo, 10);
}

}  // namespace
