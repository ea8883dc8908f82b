// JUnit XML: one testcase per run, failures with expected and actual, unchecked runs skipped.
#include "results/junit.h"

#include <gtest/gtest.h>

#include <sstream>

namespace commsim::results {
namespace {

RunRecord run(const std::string& name, Verdict verdict) {
  RunRecord record;
  record.scenario = name;
  record.scenario_path = "scenarios/" + name + ".yaml";
  record.policy = "vllm-pr40150";
  record.verdict = verdict;
  record.sim_time_s = 0.5;
  return record;
}

TEST(JunitTest, FailuresAndSkipsAreCountedAndEscaped) {
  RunRecord failed = run("a<b", Verdict::kFail);
  failed.mismatches = {
      {"rank 0 error.type", "AttributeError", "\"none\" & more", {"f.yaml", 3, 7}}};
  std::ostringstream out;
  write_junit(out, "commsim",
              {run("ok", Verdict::kPass), failed, run("free", Verdict::kUnchecked)});
  const std::string xml = out.str();
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"1.500000000\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"a&lt;b [vllm-pr40150]\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("f.yaml:3:7: rank 0 error.type: expected AttributeError, got &quot;none&quot; "
                     "&amp; more"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"no expectations for policy vllm-pr40150\"/>"),
            std::string::npos)
      << xml;
}

TEST(JunitTest, AFailedSimulationIsAnErrorWithWhy) {
  RunRecord died = run("crash", Verdict::kFail);
  died.sim_time_s = 0;
  died.simulation_failure = "Assertion to_->is_on() failed (killed by signal 6 (Aborted))";
  died.mismatches = {{"simulation", "a run to its end", "failed: " + died.simulation_failure, {}}};
  std::ostringstream out;
  write_junit(out, "commsim", {run("ok", Verdict::kPass), died});
  const std::string xml = out.str();
  EXPECT_NE(xml.find("tests=\"2\" failures=\"0\" errors=\"1\" skipped=\"0\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<error message=\"the simulation failed\">Assertion to_-&gt;is_on() failed "
                     "(killed by signal 6 (Aborted))</error>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<failure"), std::string::npos) << xml;
}

}  // namespace
}  // namespace commsim::results
