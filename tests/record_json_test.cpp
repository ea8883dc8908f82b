#include "results/record_json.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "results/verdict.h"
#include "scenarios/outcome.h"

// Field-by-field equality, for the round-trip checks (the record structs define none).
namespace commsim::scenario {
static bool operator==(const SourcePos& a, const SourcePos& b) {
  return a.file == b.file && a.line == b.line && a.column == b.column;
}
}  // namespace commsim::scenario

namespace commsim::results {
static bool operator==(const ErrorInfo& a, const ErrorInfo& b) {
  return a.type == b.type && a.message == b.message && a.op == b.op && a.group == b.group &&
         a.where == b.where;
}
static bool operator==(const WaitInfo& a, const WaitInfo& b) {
  return a.op == b.op && a.group == b.group && a.peer == b.peer;
}
static bool operator==(const ProbeRecord& a, const ProbeRecord& b) {
  return a.op == b.op && a.group == b.group && a.outcome == b.outcome && a.error == b.error;
}
static bool operator==(const LogRecord& a, const LogRecord& b) {
  return a.time == b.time && a.level == b.level && a.logger == b.logger && a.text == b.text;
}
static bool operator==(const RankRecord& a, const RankRecord& b) {
  return a.rank == b.rank && a.node == b.node && a.outcome == b.outcome && a.error == b.error &&
         a.waiting == b.waiting && a.end_time == b.end_time && a.probes == b.probes &&
         a.logs == b.logs;
}
static bool operator==(const GroupRecord& a, const GroupRecord& b) {
  return a.name == b.name && a.ranks == b.ranks && a.backend == b.backend && a.reason == b.reason &&
         a.supports_tensor_dict == b.supports_tensor_dict &&
         a.use_cpu_custom_send_recv == b.use_cpu_custom_send_recv && a.logs == b.logs;
}
static bool operator==(const Mismatch& a, const Mismatch& b) {
  return a.what == b.what && a.expected == b.expected && a.actual == b.actual && a.pos == b.pos;
}
static bool operator==(const RunRecord& a, const RunRecord& b) {
  return a.scenario == b.scenario && a.scenario_path == b.scenario_path && a.policy == b.policy &&
         a.verdict == b.verdict && a.mismatches == b.mismatches && a.sim_time_s == b.sim_time_s &&
         a.deadlock == b.deadlock && a.simulation_failure == b.simulation_failure &&
         a.groups == b.groups && a.ranks == b.ranks && a.data.dicts_sent == b.data.dicts_sent &&
         a.data.dicts_delivered == b.data.dicts_delivered &&
         a.data.dicts_mismatched == b.data.dicts_mismatched;
}
}  // namespace commsim::results

namespace commsim::results {
namespace {

using scenario::Outcome;
using scenario::outcome_name;
using scenario::parse_outcome;

// A record with every field set to a non-default value, including optionals in both states and
// doubles that have no short decimal form.
RunRecord full_record() {
  RunRecord record;
  record.scenario = "vllm-37933-interpp";
  record.scenario_path = "scenarios/regressions/vllm-37933-interpp.yaml";
  record.policy = "vllm-0.18.0";
  record.verdict = Verdict::kFail;
  record.mismatches = {
      {"rank 0 outcome", "ok", "error", {"scenarios/x.yaml", 41, 7}},
      {"sim_time", "<= 10 ms", "12.5 ms", {"odd:name.yaml", 3, 1}},
      {"from the command line", "a", "b", {}},
  };
  record.sim_time_s = 0.1 + 0.2;  // 0.30000000000000004
  record.deadlock = true;
  record.groups = {
      {"tp:0", {0}, "shm", "", true, true, {}},
      {"pp:0",
       {0, 1},
       "torch.distributed",
       "SHM group names differ",
       false,
       true,
       {"CPU SHM communicator disabled for group pp:0", "second \"quoted\" line \xc2\xb7 utf-8"}},
  };
  RankRecord rank0;
  rank0.rank = 0;
  rank0.node = 0;
  rank0.outcome = Outcome::kError;
  rank0.error =
      ErrorInfo{"AttributeError", "module 'torch.distributed' has no attribute 'send_tensor_dict'",
                "send_tensor_dict", "pp:0", "send_tensor_dict(pp:0) > send_object"};
  rank0.end_time = 1.0 / 3.0 * 1e-3;
  rank0.probes = {
      {"CpuCommunicator.send_tensor_dict", "pp:0", Outcome::kError,
       ErrorInfo{"NotImplementedError", "no fast path", "CpuCommunicator.send_tensor_dict", "pp:0",
                 "CpuCommunicator.send_tensor_dict(pp:0)"}},
      {"CpuCommunicator.recv_tensor_dict", "pp:0", Outcome::kOk, std::nullopt},
  };
  rank0.logs = {{1e-9 / 7, "INFO", "vllm.distributed.cpu_communicator", "line one"},
                {2.5e-6, "WARNING", "vllm", "line two"}};
  RankRecord rank1;
  rank1.rank = 1;
  rank1.node = 1;
  rank1.outcome = Outcome::kHang;
  rank1.waiting = WaitInfo{"all_gather_object", "pp:0", 0};
  rank1.end_time = 123.456789e-3;
  RankRecord rank2;
  rank2.rank = 2;
  rank2.node = 1;
  rank2.outcome = Outcome::kKilled;
  rank2.waiting = WaitInfo{"recv", "", -1};
  rank2.end_time = 0;
  record.ranks = {rank0, rank1, rank2};
  record.data = {7,
                 5,
                 2,
                 4,
                 1,
                 3,
                 0.000125,
                 2.5e-6,
                 1.5e-5,
                 3,
                 1,
                 true,
                 {0.5, 0.25, 0.125},
                 {{1, 2}, {3, 4}, {5, 6}}};
  return record;
}

TEST(RecordJsonTest, RoundTripThroughTextIsExact) {
  const RunRecord original = full_record();
  const std::string text = to_json(original).dump(2);
  const RunRecord back = record_from_json(nlohmann::json::parse(text));
  EXPECT_TRUE(back == original);
  EXPECT_EQ(back.sim_time_s, 0.1 + 0.2);
  EXPECT_EQ(back.ranks[0].end_time, 1.0 / 3.0 * 1e-3);
  EXPECT_EQ(back.ranks[0].logs[0].time, 1e-9 / 7);
  EXPECT_EQ(back.mismatches[1].pos.file, "odd:name.yaml");
  EXPECT_EQ(to_json(back).dump(2), text);
}

TEST(RecordJsonTest, DefaultRecordRoundTrips) {
  const RunRecord original;
  EXPECT_TRUE(record_from_json(to_json(original)) == original);
}

TEST(RecordJsonTest, UsesDocumentedKeysAndNames) {
  const nlohmann::json json = to_json(full_record());
  EXPECT_EQ(json.at("verdict"), "fail");
  EXPECT_EQ(json.at("mismatches")[0].at("at"), "scenarios/x.yaml:41:7");
  EXPECT_EQ(json.at("mismatches")[2].at("at"), ":0:0");
  EXPECT_EQ(json.at("groups")[1].at("ranks"), nlohmann::json::array({0, 1}));
  const auto& ranks = json.at("ranks");
  EXPECT_EQ(ranks[0].at("outcome"), "error");
  EXPECT_EQ(ranks[0].at("error").at("type"), "AttributeError");
  EXPECT_FALSE(ranks[0].contains("waiting"));
  EXPECT_EQ(ranks[0].at("probes")[0].at("error").at("op"), "CpuCommunicator.send_tensor_dict");
  EXPECT_FALSE(ranks[0].at("probes")[1].contains("error"));
  EXPECT_EQ(ranks[0].at("logs")[1].at("level"), "WARNING");
  EXPECT_TRUE(ranks[0].at("logs")[0].contains("time_s"));
  EXPECT_EQ(ranks[1].at("outcome"), "hang");
  EXPECT_FALSE(ranks[1].contains("error"));
  EXPECT_EQ(ranks[1].at("waiting").at("peer"), 0);
  EXPECT_EQ(ranks[2].at("outcome"), "killed");
  EXPECT_TRUE(ranks[2].contains("end_time_s"));
  EXPECT_EQ(json.at("data").at("dicts_mismatched"), 2);
  EXPECT_TRUE(json.at("deadlock").get<bool>());
  EXPECT_TRUE(json.contains("sim_time_s"));
}

TEST(RecordJsonTest, AFailedSimulationRoundTripsWithItsUnknownRanks) {
  RunRecord failed;
  failed.scenario = "host-crash-tp";
  failed.policy = "vllm-pr40150";
  failed.verdict = Verdict::kFail;
  failed.simulation_failure = "Assertion to_->is_on() failed (killed by signal 6 (Aborted))";
  failed.ranks = {RankRecord{0, 0, Outcome::kUnknown, {}, {}, 0, {}, {}},
                  RankRecord{1, 1, Outcome::kUnknown, {}, {}, 0, {}, {}}};
  const nlohmann::json json = to_json(failed);
  EXPECT_EQ(json.at("simulation_failure"), failed.simulation_failure);
  EXPECT_EQ(json.at("ranks")[1].at("outcome"), "unknown");
  const RunRecord back = record_from_json(nlohmann::json::parse(json.dump()));
  EXPECT_TRUE(back == failed);
  // A simulation that ran to its end says nothing of failing.
  EXPECT_FALSE(to_json(full_record()).contains("simulation_failure"));
  EXPECT_EQ(record_from_json(to_json(full_record())).simulation_failure, "");
}

TEST(RecordJsonTest, DumpIsDeterministic) {
  EXPECT_EQ(to_json(full_record()).dump(2), to_json(full_record()).dump(2));
}

TEST(RecordJsonTest, RejectsMalformedInput) {
  const nlohmann::json good = to_json(full_record());

  nlohmann::json missing = good;
  missing.erase("policy");
  EXPECT_THROW(record_from_json(missing), nlohmann::json::exception);

  nlohmann::json wrong_type = good;
  wrong_type["sim_time_s"] = "fast";
  EXPECT_THROW(record_from_json(wrong_type), nlohmann::json::exception);

  nlohmann::json bad_verdict = good;
  bad_verdict["verdict"] = "maybe";
  EXPECT_THROW(record_from_json(bad_verdict), std::invalid_argument);

  nlohmann::json bad_outcome = good;
  bad_outcome["ranks"][0]["outcome"] = "crashed";
  EXPECT_THROW(record_from_json(bad_outcome), std::invalid_argument);

  nlohmann::json bad_at = good;
  bad_at["mismatches"][0]["at"] = "file.yaml:x:1";
  EXPECT_THROW(record_from_json(bad_at), std::invalid_argument);

  nlohmann::json not_array = good;
  not_array["groups"] = nlohmann::json::object();
  EXPECT_THROW(record_from_json(not_array), std::invalid_argument);
}

TEST(OutcomeTest, NamesRoundTrip) {
  for (Outcome outcome :
       {Outcome::kOk, Outcome::kError, Outcome::kHang, Outcome::kKilled, Outcome::kTimeout}) {
    EXPECT_EQ(parse_outcome(outcome_name(outcome)), outcome);
  }
  EXPECT_EQ(outcome_name(Outcome::kHang), "hang");
  EXPECT_EQ(parse_outcome("OK"), std::nullopt);
  // Only a record can say "unknown" (its simulation failed); a scenario cannot expect it.
  EXPECT_EQ(outcome_name(Outcome::kUnknown), "unknown");
  EXPECT_EQ(parse_outcome("unknown"), std::nullopt);
  EXPECT_EQ(scenario::parse_recorded_outcome("unknown"), Outcome::kUnknown);
  EXPECT_EQ(scenario::parse_recorded_outcome("killed"), Outcome::kKilled);
  EXPECT_EQ(scenario::outcome_names(), (std::vector<std::string>{"ok", "error", "hang", "killed", "timeout"}));
  EXPECT_EQ(parse_outcome(""), std::nullopt);
}

TEST(VerdictNameTest, NamesRoundTrip) {
  for (Verdict verdict : {Verdict::kPass, Verdict::kFail, Verdict::kUnchecked}) {
    EXPECT_EQ(parse_verdict(verdict_name(verdict)), verdict);
  }
  EXPECT_EQ(parse_verdict("PASS"), std::nullopt);
}

}  // namespace
}  // namespace commsim::results
