#include "results/verdict.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace commsim::results {
namespace {

using scenario::ErrorExpectation;
using scenario::Expectations;
using scenario::GroupExpectation;
using scenario::Outcome;
using scenario::RankExpectation;
using scenario::Scenario;
using scenario::SourcePos;

constexpr char kPolicy[] = "vllm-pr40150";

SourcePos at(int line, int column = 5) { return {"s.yaml", line, column}; }

// The vllm-37933 run under PR #40150: PP falls back to torch.distributed, the hand-off works and
// the fast-path probe raises NotImplementedError on both ranks.
RunRecord make_record() {
  RunRecord record;
  record.scenario = "vllm-37933-interpp";
  record.policy = kPolicy;
  record.sim_time_s = 0.004;
  record.groups = {
      {"tp:0", {0}, "shm", "", true, false, {}},
      {"tp:1", {1}, "shm", "", true, false, {}},
      {"pp:0",
       {0, 1},
       "torch.distributed",
       "SHM group names differ",
       false,
       false,
       {"CPU SHM communicator disabled for group pp:0 (names differ)"}},
  };
  for (int rank = 0; rank < 2; ++rank) {
    RankRecord record_rank;
    record_rank.rank = rank;
    record_rank.node = rank;
    record_rank.outcome = Outcome::kOk;
    const std::string op =
        rank == 0 ? "CpuCommunicator.send_tensor_dict" : "CpuCommunicator.recv_tensor_dict";
    record_rank.probes = {{op, "pp:0", Outcome::kError,
                           ErrorInfo{"NotImplementedError",
                                     "CpuCommunicator does not support tensor dict fastpath with "
                                     "torch.distributed backend.",
                                     op, "pp:0", op + "(pp:0)"}}};
    record.ranks.push_back(record_rank);
  }
  record.data = {3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, false, {}, {}};
  return record;
}

Scenario with(const Expectations& expectations, const std::string& policy = kPolicy) {
  Scenario scenario;
  scenario.name = "vllm-37933-interpp";
  scenario.expect[policy] = expectations;
  return scenario;
}

// Applies `expectations` to `record` and returns the mismatches.
std::vector<Mismatch> check(RunRecord& record, const Expectations& expectations) {
  apply_expectations(record, with(expectations));
  EXPECT_EQ(record.verdict, record.mismatches.empty() ? Verdict::kPass : Verdict::kFail);
  return record.mismatches;
}

std::vector<Mismatch> check(const Expectations& expectations) {
  RunRecord record = make_record();
  return check(record, expectations);
}

ErrorExpectation error_expectation(std::optional<std::string> type,
                                   std::optional<std::string> message,
                                   std::optional<std::string> op) {
  ErrorExpectation error;
  error.type = std::move(type);
  error.message = std::move(message);
  error.op = std::move(op);
  return error;
}

TEST(VerdictTest, UncheckedWhenPolicyHasNoExpectations) {
  RunRecord record = make_record();
  record.verdict = Verdict::kFail;
  record.mismatches = {{"stale", "a", "b", {}}};
  Expectations other;
  other.data = scenario::DataExpectation{at(1), 99, std::nullopt, std::nullopt, std::nullopt};
  apply_expectations(record, with(other, "vllm-0.18.0"));
  EXPECT_EQ(record.verdict, Verdict::kUnchecked);
  EXPECT_TRUE(record.mismatches.empty());
}

TEST(VerdictTest, AFailedSimulationFailsWithOneMismatchWhateverIsExpected) {
  RunRecord record = make_record();
  record.simulation_failure = "killed by signal 9 (Killed)";
  // Expectations for another policy (the run would be unchecked) and none at all.
  Expectations other;
  other.data = scenario::DataExpectation{at(1), 99, std::nullopt, std::nullopt, std::nullopt};
  for (const Scenario& scenario : {with(other, "vllm-0.18.0"), with(Expectations{}, kPolicy)}) {
    apply_expectations(record, scenario);
    EXPECT_EQ(record.verdict, Verdict::kFail);
    ASSERT_EQ(record.mismatches.size(), 1u);
    EXPECT_EQ(record.mismatches[0].what, "simulation");
    EXPECT_EQ(record.mismatches[0].expected, "a run to its end");
    EXPECT_EQ(record.mismatches[0].actual, "failed: killed by signal 9 (Killed)");
  }
}

TEST(VerdictTest, EmptyExpectationsPass) {
  RunRecord record = make_record();
  record.mismatches = {{"stale", "a", "b", {}}};
  apply_expectations(record, with(Expectations{}));
  EXPECT_EQ(record.verdict, Verdict::kPass);
  EXPECT_TRUE(record.mismatches.empty());
}

// The expectations of the example scenario for vllm-pr40150, all of which hold.
Expectations pr40150_expectations() {
  Expectations expectations;
  GroupExpectation pp;
  pp.pos = at(50);
  pp.backend = "torch.distributed";
  pp.supports_tensor_dict = false;
  pp.use_cpu_custom_send_recv = false;
  pp.log = "CPU SHM communicator disabled for group pp:0";
  expectations.groups["pp:0"] = pp;
  RankExpectation all;
  all.pos = at(56);
  all.outcome = Outcome::kOk;
  expectations.ranks[-1] = all;
  for (int rank = 0; rank < 2; ++rank) {
    RankExpectation own;
    own.pos = at(57 + rank * 7);
    own.probe_outcome = Outcome::kError;
    own.probe_error = error_expectation(
        "NotImplementedError", "does not support tensor dict fastpath",
        rank == 0 ? "CpuCommunicator.send_tensor_dict" : "CpuCommunicator.recv_tensor_dict");
    expectations.ranks[rank] = own;
  }
  expectations.data = scenario::DataExpectation{at(71), 3, true, std::nullopt, std::nullopt};
  expectations.sim_time = scenario::TimeExpectation{at(72), std::nullopt, 0.010};
  return expectations;
}

TEST(VerdictTest, ExampleExpectationsPass) {
  RunRecord record = make_record();
  EXPECT_TRUE(check(record, pr40150_expectations()).empty());
  EXPECT_EQ(record.verdict, Verdict::kPass);
}

TEST(VerdictTest, GroupExactFieldsFail) {
  Expectations expectations;
  GroupExpectation pp;
  pp.pos = at(10, 7);
  pp.backend = "shm";
  pp.supports_tensor_dict = true;
  pp.use_cpu_custom_send_recv = true;
  expectations.groups["pp:0"] = pp;
  const auto mismatches = check(expectations);
  ASSERT_EQ(mismatches.size(), 3u);
  EXPECT_EQ(mismatches[0].what, "group pp:0 backend");
  EXPECT_EQ(mismatches[0].expected, "shm");
  EXPECT_EQ(mismatches[0].actual, "torch.distributed");
  EXPECT_EQ(mismatches[0].pos.file, "s.yaml");
  EXPECT_EQ(mismatches[0].pos.line, 10);
  EXPECT_EQ(mismatches[0].pos.column, 7);
  EXPECT_EQ(mismatches[1].what, "group pp:0 supports_tensor_dict");
  EXPECT_EQ(mismatches[1].expected, "true");
  EXPECT_EQ(mismatches[1].actual, "false");
  EXPECT_EQ(mismatches[2].what, "group pp:0 use_cpu_custom_send_recv");
  EXPECT_EQ(mismatches[2].expected, "true");
  EXPECT_EQ(mismatches[2].actual, "false");
}

TEST(VerdictTest, GroupExpectationAppliesToEveryGroupWithThatName) {
  RunRecord record = make_record();
  record.groups.push_back({"pp:0", {2, 3}, "shm", "", true, false, {}});
  Expectations expectations;
  GroupExpectation pp;
  pp.pos = at(3);
  pp.backend = "torch.distributed";
  expectations.groups["pp:0"] = pp;
  const auto mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "group pp:0 [2, 3] backend");
  EXPECT_EQ(mismatches[0].actual, "shm");
}

TEST(VerdictTest, GroupNotFoundListsPresentNames) {
  Expectations expectations;
  GroupExpectation pp;
  pp.pos = at(4);
  pp.backend = "shm";
  expectations.groups["pp:1"] = pp;
  const auto mismatches = check(expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "group pp:1");
  EXPECT_EQ(mismatches[0].expected, "present");
  EXPECT_EQ(mismatches[0].actual, "not found (groups: tp:0, tp:1, pp:0)");
  EXPECT_EQ(mismatches[0].pos.line, 4);
}

TEST(VerdictTest, GroupLogIsASubstringOfSomeLine) {
  Expectations holds;
  holds.groups["pp:0"].log = "disabled for group pp:0";
  EXPECT_TRUE(check(holds).empty());

  Expectations fails;
  fails.groups["pp:0"].log = "enabled for group pp:0";
  auto mismatches = check(fails);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "group pp:0 log");
  EXPECT_EQ(mismatches[0].expected, "a line containing \"enabled for group pp:0\"");
  EXPECT_EQ(mismatches[0].actual,
            "no such line (1 line: \"CPU SHM communicator disabled for group pp:0 (names "
            "differ)\")");

  Expectations none;
  none.groups["tp:0"].log = "anything";
  mismatches = check(none);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].actual, "no lines");
}

TEST(VerdictTest, GroupNoLog) {
  Expectations holds;
  holds.groups["tp:0"].no_log = true;
  holds.groups["pp:0"].no_log = false;
  EXPECT_TRUE(check(holds).empty());

  Expectations fails;
  fails.groups["pp:0"].no_log = true;
  fails.groups["tp:1"].no_log = false;
  const auto mismatches = check(fails);
  ASSERT_EQ(mismatches.size(), 2u);
  EXPECT_EQ(mismatches[0].what, "group pp:0 no_log");
  EXPECT_EQ(mismatches[0].expected, "no lines");
  EXPECT_EQ(mismatches[0].actual,
            "1 line: \"CPU SHM communicator disabled for group pp:0 (names differ)\"");
  EXPECT_EQ(mismatches[1].what, "group tp:1 no_log");
  EXPECT_EQ(mismatches[1].expected, "at least one line");
  EXPECT_EQ(mismatches[1].actual, "no lines");
}

TEST(VerdictTest, RankOutcome) {
  Expectations holds;
  holds.ranks[1].outcome = Outcome::kOk;
  EXPECT_TRUE(check(holds).empty());

  Expectations fails;
  fails.ranks[1].pos = at(20);
  fails.ranks[1].outcome = Outcome::kHang;
  const auto mismatches = check(fails);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "rank 1 outcome");
  EXPECT_EQ(mismatches[0].expected, "hang");
  EXPECT_EQ(mismatches[0].actual, "ok");
  EXPECT_EQ(mismatches[0].pos.line, 20);
}

RunRecord failing_record() {
  RunRecord record = make_record();
  record.ranks[0].outcome = Outcome::kError;
  record.ranks[0].error =
      ErrorInfo{"AttributeError", "module 'torch.distributed' has no attribute 'send_tensor_dict'",
                "send_tensor_dict", "pp:0", "send_tensor_dict(pp:0)"};
  record.ranks[0].probes.clear();
  return record;
}

TEST(VerdictTest, RankErrorFields) {
  Expectations holds;
  holds.ranks[0].outcome = Outcome::kError;
  holds.ranks[0].error = error_expectation("AttributeError", "has no attribute 'send_tensor_dict'",
                                           "send_tensor_dict");
  RunRecord record = failing_record();
  EXPECT_TRUE(check(record, holds).empty());

  Expectations fails;
  fails.ranks[0].pos = at(30);
  fails.ranks[0].error =
      error_expectation("TypeError", "has no attribute 'recv_tensor_dict'", "send_object");
  record = failing_record();
  const auto mismatches = check(record, fails);
  ASSERT_EQ(mismatches.size(), 3u);
  EXPECT_EQ(mismatches[0].what, "rank 0 error.type");
  EXPECT_EQ(mismatches[0].expected, "TypeError");
  EXPECT_EQ(mismatches[0].actual, "AttributeError");
  EXPECT_EQ(mismatches[1].what, "rank 0 error.message");
  EXPECT_EQ(mismatches[1].expected, "containing \"has no attribute 'recv_tensor_dict'\"");
  EXPECT_EQ(mismatches[1].actual,
            "\"module 'torch.distributed' has no attribute 'send_tensor_dict'\"");
  EXPECT_EQ(mismatches[2].what, "rank 0 error.op");
  EXPECT_EQ(mismatches[2].expected, "send_object");
  EXPECT_EQ(mismatches[2].actual, "send_tensor_dict");
  for (const auto& mismatch : mismatches) EXPECT_EQ(mismatch.pos.line, 30);
}

TEST(VerdictTest, ErrorExpectedButRankHasNone) {
  Expectations expectations;
  expectations.ranks[1].error =
      error_expectation("AttributeError", std::nullopt, "recv_tensor_dict");
  auto mismatches = check(expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "rank 1 error");
  EXPECT_EQ(mismatches[0].expected, "AttributeError, op recv_tensor_dict");
  EXPECT_EQ(mismatches[0].actual, "no error (outcome ok)");

  Expectations any_error;
  any_error.ranks[1].error = ErrorExpectation{};
  mismatches = check(any_error);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].expected, "an error");
}

TEST(VerdictTest, ProbeOutcomeAndError) {
  Expectations holds = pr40150_expectations();
  EXPECT_TRUE(check(holds).empty());

  Expectations fails;
  fails.ranks[0].pos = at(40);
  fails.ranks[0].probe_outcome = Outcome::kOk;
  fails.ranks[1].probe_error =
      error_expectation("NotImplementedError", "unsupported", std::nullopt);
  const auto mismatches = check(fails);
  ASSERT_EQ(mismatches.size(), 2u);
  EXPECT_EQ(mismatches[0].what, "rank 0 probe.outcome");
  EXPECT_EQ(mismatches[0].expected, "ok");
  EXPECT_EQ(mismatches[0].actual, "error");
  EXPECT_EQ(mismatches[0].pos.line, 40);
  EXPECT_EQ(mismatches[1].what, "rank 1 probe.error.message");
  EXPECT_EQ(mismatches[1].expected, "containing \"unsupported\"");
}

TEST(VerdictTest, ProbeErrorExpectedButProbeSucceeded) {
  RunRecord record = make_record();
  record.ranks[0].probes[0].outcome = Outcome::kOk;
  record.ranks[0].probes[0].error.reset();
  Expectations expectations;
  expectations.ranks[0].probe_error =
      error_expectation("NotImplementedError", std::nullopt, std::nullopt);
  const auto mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "rank 0 probe.error");
  EXPECT_EQ(mismatches[0].actual, "no error (outcome ok)");
}

TEST(VerdictTest, ProbeNotRun) {
  RunRecord record = failing_record();  // rank 0 has no probe
  Expectations expectations;
  expectations.ranks[0].pos = at(44);
  expectations.ranks[0].probe_outcome = Outcome::kError;
  const auto mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "rank 0 probe");
  EXPECT_EQ(mismatches[0].expected, "outcome error");
  EXPECT_EQ(mismatches[0].actual, "not run");
  EXPECT_EQ(mismatches[0].pos.line, 44);
}

TEST(VerdictTest, OnlyTheFirstProbeIsChecked) {
  RunRecord record = make_record();
  record.ranks[0].probes.push_back({"second", "pp:0", Outcome::kOk, std::nullopt});
  Expectations expectations;
  expectations.ranks[0].probe_outcome = Outcome::kError;
  EXPECT_TRUE(check(record, expectations).empty());
}

TEST(VerdictTest, AllAppliesToEveryRankAndRankOverridesFieldByField) {
  RunRecord record = failing_record();  // rank 0 error, rank 1 ok
  Expectations expectations;
  expectations.ranks[-1].pos = at(60);
  expectations.ranks[-1].outcome = Outcome::kOk;
  expectations.ranks[-1].error = error_expectation("AttributeError", std::nullopt, std::nullopt);
  expectations.ranks[0].pos = at(61);
  expectations.ranks[0].outcome = Outcome::kError;
  expectations.ranks[0].error = error_expectation(std::nullopt, "send_tensor_dict", std::nullopt);
  // Rank 0: outcome error (own), error.type AttributeError ("all") and message (own) hold.
  // Rank 1: outcome ok holds; the error expectation from "all" fails.
  auto mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "rank 1 error");
  EXPECT_EQ(mismatches[0].pos.line, 60);

  // Without the override, "all" applies to rank 0 as well.
  expectations.ranks.erase(0);
  record = failing_record();
  mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 2u);
  EXPECT_EQ(mismatches[0].what, "rank 0 outcome");
  EXPECT_EQ(mismatches[0].expected, "ok");
  EXPECT_EQ(mismatches[0].actual, "error");
  EXPECT_EQ(mismatches[0].pos.line, 60);
  EXPECT_EQ(mismatches[1].what, "rank 1 error");

  // An inherited field keeps the position of "all", an overridden one takes the rank's.
  expectations.ranks[0].pos = at(62);
  expectations.ranks[0].error = error_expectation(std::nullopt, "recv", std::nullopt);
  record = failing_record();
  mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 3u);
  EXPECT_EQ(mismatches[0].what, "rank 0 outcome");
  EXPECT_EQ(mismatches[0].pos.line, 60);
  EXPECT_EQ(mismatches[1].what, "rank 0 error.message");
  EXPECT_EQ(mismatches[1].pos.line, 62);
  EXPECT_EQ(mismatches[2].what, "rank 1 error");
}

TEST(VerdictTest, RankNotInRecord) {
  Expectations expectations;
  expectations.ranks[5].pos = at(70);
  expectations.ranks[5].outcome = Outcome::kOk;
  const auto mismatches = check(expectations);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "rank 5");
  EXPECT_EQ(mismatches[0].actual, "not found (ranks: [0, 1])");
}

TEST(VerdictTest, DictsDelivered) {
  Expectations holds;
  holds.data = scenario::DataExpectation{at(80), 3, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_TRUE(check(holds).empty());

  Expectations fails;
  fails.data = scenario::DataExpectation{at(81), 0, std::nullopt, std::nullopt, std::nullopt};
  const auto mismatches = check(fails);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "data.dicts_delivered");
  EXPECT_EQ(mismatches[0].expected, "0");
  EXPECT_EQ(mismatches[0].actual, "3");
  EXPECT_EQ(mismatches[0].pos.line, 81);
}

TEST(VerdictTest, BitIdentical) {
  auto run = [](bool expected, int delivered, int mismatched) {
    RunRecord record = make_record();
    record.data = {delivered, delivered, mismatched, 0, 0, 0, 0, 0, 0, 0, 0, false, {}, {}};
    Expectations expectations;
    expectations.data =
        scenario::DataExpectation{at(90), std::nullopt, expected, std::nullopt, std::nullopt};
    return check(record, expectations);
  };
  EXPECT_TRUE(run(true, 3, 0).empty());
  EXPECT_TRUE(run(false, 3, 1).empty());

  auto mismatches = run(true, 3, 1);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "data.bit_identical");
  EXPECT_EQ(mismatches[0].expected, "true");
  EXPECT_EQ(mismatches[0].actual, "false (1 of 3 delivered mismatched)");

  mismatches = run(true, 0, 0);  // nothing delivered is not "bit identical"
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].actual, "no dicts delivered");

  mismatches = run(false, 3, 0);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].expected, "false");
  EXPECT_EQ(mismatches[0].actual, "true");

  EXPECT_EQ(run(false, 0, 0).size(), 1u);
}

TEST(VerdictTest, SimTimeBoundsAreInclusive) {
  auto run = [](double sim_time, std::optional<double> min, std::optional<double> max) {
    RunRecord record = make_record();
    record.sim_time_s = sim_time;
    Expectations expectations;
    expectations.sim_time = scenario::TimeExpectation{at(95), min, max};
    return check(record, expectations);
  };
  EXPECT_TRUE(run(0.010, std::nullopt, 0.010).empty());
  EXPECT_TRUE(run(0.001, 0.001, 0.010).empty());
  EXPECT_TRUE(run(0.004, 0.001, 0.010).empty());

  auto mismatches = run(0.0125, std::nullopt, 0.010);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].what, "sim_time");
  EXPECT_EQ(mismatches[0].expected, "<= 10 ms");
  EXPECT_EQ(mismatches[0].actual, "12.5 ms");
  EXPECT_EQ(mismatches[0].pos.line, 95);

  mismatches = run(0.0001234567, 0.001, std::nullopt);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].expected, ">= 1 ms");
  EXPECT_EQ(mismatches[0].actual, "0.123457 ms");

  // Just over the bound: more digits so that expected and actual do not read the same.
  mismatches = run(0.0100000001, std::nullopt, 0.010);
  ASSERT_EQ(mismatches.size(), 1u);
  EXPECT_EQ(mismatches[0].actual, "10.000000100 ms");
}

TEST(VerdictTest, MismatchOrderIsGroupsRanksDataTime) {
  RunRecord record = failing_record();
  Expectations expectations = pr40150_expectations();
  expectations.data->dicts_delivered = 0;
  record.sim_time_s = 0.02;
  const auto mismatches = check(record, expectations);
  ASSERT_EQ(mismatches.size(), 4u);
  EXPECT_EQ(mismatches[0].what, "rank 0 outcome");
  EXPECT_EQ(mismatches[1].what, "rank 0 probe");
  EXPECT_EQ(mismatches[2].what, "data.dicts_delivered");
  EXPECT_EQ(mismatches[3].what, "sim_time");
}

}  // namespace
}  // namespace commsim::results

namespace commsim::results {
namespace {

TEST(VerdictTest, WaitingHoldsAndFailsFieldByField) {
  RunRecord record = make_record();
  record.ranks[1].outcome = Outcome::kHang;
  record.ranks[1].waiting = WaitInfo{"all_gather_object", "tp:0", 0};

  Expectations holds;
  RankExpectation rank1;
  rank1.pos = at(40);
  rank1.outcome = Outcome::kHang;
  rank1.waiting = scenario::WaitExpectation{"all_gather_object", "tp:0", 0};
  holds.ranks[1] = rank1;
  EXPECT_TRUE(check(record, holds).empty());

  Expectations fails;
  rank1.waiting = scenario::WaitExpectation{"barrier", std::nullopt, 1};
  fails.ranks[1] = rank1;
  RunRecord again = make_record();
  again.ranks[1].outcome = Outcome::kHang;
  again.ranks[1].waiting = WaitInfo{"all_gather_object", "tp:0", 0};
  const auto mismatches = check(again, fails);
  ASSERT_EQ(mismatches.size(), 2u);
  EXPECT_EQ(mismatches[0].what, "rank 1 waiting.op");
  EXPECT_EQ(mismatches[0].expected, "barrier");
  EXPECT_EQ(mismatches[0].actual, "all_gather_object");
  EXPECT_EQ(mismatches[1].what, "rank 1 waiting.peer");
  EXPECT_EQ(mismatches[1].expected, "1");
  EXPECT_EQ(mismatches[1].actual, "0");

  Expectations not_blocked;
  RankExpectation rank0;
  rank0.pos = at(41);
  rank0.waiting = scenario::WaitExpectation{"barrier", std::nullopt, std::nullopt};
  not_blocked.ranks[0] = rank0;
  const auto ok_rank = check(not_blocked);
  ASSERT_EQ(ok_rank.size(), 1u);
  EXPECT_EQ(ok_rank[0].what, "rank 0 waiting");
  EXPECT_EQ(ok_rank[0].actual, "not blocked (outcome ok)");
}

}  // namespace
}  // namespace commsim::results

namespace commsim::results {
namespace {

TEST(VerdictTest, NumericsAndCollectivesHoldAndFail) {
  RunRecord record = make_record();
  record.data.collectives = 8;
  record.data.collectives_mismatched = 2;
  record.data.max_rel_l2 = 2.7e-3;
  record.data.max_abs_error = 0.02;

  Expectations holds;
  holds.numerics = scenario::NumericsExpectation{at(60), 1e-2, 0.05};
  holds.data = scenario::DataExpectation{at(61), std::nullopt, std::nullopt, 8, false};
  EXPECT_TRUE(check(record, holds).empty());

  Expectations fails;
  fails.numerics = scenario::NumericsExpectation{at(62), 1e-3, 0.01};
  fails.data = scenario::DataExpectation{at(63), std::nullopt, std::nullopt, 4, true};
  RunRecord again = record;
  const auto mismatches = check(again, fails);
  ASSERT_EQ(mismatches.size(), 4u);
  EXPECT_EQ(mismatches[0].what, "data.collectives");
  EXPECT_EQ(mismatches[1].what, "data.collectives_exact");
  EXPECT_EQ(mismatches[1].actual, "2 of 8 inexact");
  EXPECT_EQ(mismatches[2].what, "numerics.rel_l2");
  EXPECT_EQ(mismatches[2].expected, "<= 0.001");
  EXPECT_EQ(mismatches[2].actual, "0.0027");
  EXPECT_EQ(mismatches[3].what, "numerics.max_abs");

  RunRecord none = make_record();
  Expectations nothing_to_compare;
  nothing_to_compare.numerics = scenario::NumericsExpectation{at(64), 1e-2, std::nullopt};
  const auto missing = check(none, nothing_to_compare);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].actual, "no all-reduces completed");
}

}  // namespace
}  // namespace commsim::results
