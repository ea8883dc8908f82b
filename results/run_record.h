// RunRecord: everything one run of one scenario under one policy produced.
//
// The simulator fills it; writers turn it into the terminal summary and JSON; the verdict is
// computed from it and the scenario's expectations (verdict.h). Vectors are kept in a stable order
// (groups by first rank then name, ranks by rank) so output is byte-identical between runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::results {

struct ErrorInfo {
  std::string type;     // Python exception type, e.g. "AttributeError"
  std::string message;  // exact message text
  std::string op;       // outermost operation, e.g. "send_tensor_dict"
  std::string group;    // group of that operation, e.g. "pp:0" ("" if none)
  std::string where;    // the whole operation stack, e.g. "send_tensor_dict(pp:0) > ..."
};

// Where a hung rank is blocked.
struct WaitInfo {
  std::string op;  // innermost operation, e.g. "all_gather_object"
  std::string group;
  int peer = -1;  // world rank it waits for, -1 if unknown
};

struct ProbeRecord {
  std::string op;  // e.g. "CpuCommunicator.send_tensor_dict"
  std::string group;
  scenario::Outcome outcome = scenario::Outcome::kOk;
  std::optional<ErrorInfo> error;
};

struct LogRecord {
  double time = 0;    // simulated seconds
  std::string level;  // "INFO", ...
  std::string logger;
  std::string text;
};

struct RankRecord {
  int rank = 0;
  int node = 0;
  scenario::Outcome outcome = scenario::Outcome::kOk;
  std::optional<ErrorInfo> error;   // set when outcome == kError or kTimeout
  std::optional<WaitInfo> waiting;  // set when outcome == kHang
  double end_time = 0;              // simulated seconds when it finished, failed or blocked
  std::vector<ProbeRecord> probes;
  std::vector<LogRecord> logs;
};

struct GroupRecord {
  std::string name;        // e.g. "pp:0"
  std::vector<int> ranks;  // global ranks in group order
  // "shm" or "torch.distributed" when every member decided so (once the selection predicate is
  // settled, even if the backend then fails to start); "mixed" when members decided differently
  // or only some decided; "undecided" when no member decided.
  std::string backend;
  std::string reason;  // the selection condition that failed, or "" for shm
  bool supports_tensor_dict = false;
  bool use_cpu_custom_send_recv = false;
  std::vector<std::string> logs;  // distinct INFO lines logged for this group, in order
};

struct DataRecord {
  int dicts_sent = 0;
  int dicts_delivered = 0;         // received, summed over receiving ranks
  int dicts_mismatched = 0;        // received but not bit-identical to what was sent
  int collectives = 0;             // all-reduces completed, summed over ranks
  int collectives_mismatched = 0;  // all-reduce results that differ from the exact sum
  // `collective` workload: elements of the last results that differ from the exact ones.
  std::int64_t wrong_elements = 0;
  // Simulated seconds of one all-reduce: for each, the slowest rank's time; then the mean.
  double collective_time_s = 0;
  // Worst errors of the all-reduce results against a float64 sum of the inputs.
  // (kind: model: of the logits against the single-rank reference.)
  double max_rel_l2 = 0;
  double max_abs_error = 0;
  // kind: model, as the last pipeline stage's first TP rank saw it.
  int model_steps = 0;               // steps (the prefill, then each decode) whose logits came out
  int token_mismatches = 0;          // steps whose greedy tokens differ from the reference's
  bool reference_checked = false;    // real data: logits and tokens were compared
  std::vector<double> step_times_s;  // simulated seconds of each step
  std::vector<std::vector<std::int64_t>> tokens;  // each step's greedy token per sequence
};

// One failed expectation.
struct Mismatch {
  std::string what;  // e.g. "rank 0 error.type"
  std::string expected;
  std::string actual;
  scenario::SourcePos pos;  // where the expectation is written
};

enum class Verdict { kPass, kFail, kUnchecked };

// kind: model: the prefill's simulated seconds, and the mean of the decode steps'; nullopt when
// the run did not get that far.
inline std::optional<double> prefill_time_s(const DataRecord& data) {
  if (data.step_times_s.empty()) return std::nullopt;
  return data.step_times_s.front();
}
inline std::optional<double> mean_decode_step_s(const DataRecord& data) {
  if (data.step_times_s.size() < 2) return std::nullopt;
  double total = 0;
  for (std::size_t i = 1; i < data.step_times_s.size(); ++i) total += data.step_times_s[i];
  return total / static_cast<double>(data.step_times_s.size() - 1);
}

struct RunRecord {
  std::string scenario;  // scenario name
  std::string scenario_path;
  std::string policy;
  Verdict verdict = Verdict::kUnchecked;
  std::vector<Mismatch> mismatches;
  double sim_time_s = 0;  // simulated time when the run ended
  bool deadlock = false;  // SimGrid found every remaining rank blocked
  // Why the simulation did not run to its end (its process died: SimGrid aborted, a signal), or
  // "" when it did. Such a record knows only the scenario: no groups, no data, simulated time 0,
  // every rank's outcome kUnknown; its verdict is kFail whatever the expectations say.
  std::string simulation_failure;
  std::vector<GroupRecord> groups;
  std::vector<RankRecord> ranks;
  DataRecord data;
};

}  // namespace commsim::results
