#include "results/verdict.h"

#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include "results/text_format.h"
#include "scenarios/outcome.h"

namespace commsim::results {
namespace {

using scenario::SourcePos;

// One expectation field after merging "all" with a rank's own block: its value and the position
// of the block it came from.
template <typename T>
struct Field {
  std::optional<T> value;
  SourcePos pos;

  void merge(const std::optional<T>& other, const SourcePos& other_pos) {
    if (other) {
      value = other;
      pos = other_pos;
    }
  }
};

struct ErrorCheck {
  bool stated = false;  // an error (possibly with no fields) is expected
  SourcePos pos;        // the most specific block that stated it
  Field<std::string> type;
  Field<std::string> message;
  Field<std::string> op;

  void merge(const std::optional<scenario::ErrorExpectation>& other, const SourcePos& other_pos) {
    if (!other) return;
    stated = true;
    pos = other_pos;
    type.merge(other->type, other_pos);
    message.merge(other->message, other_pos);
    op.merge(other->op, other_pos);
  }

  // "AttributeError, message containing "...", op send_tensor_dict"; "an error" with no fields.
  std::string describe() const {
    std::vector<std::string> parts;
    if (type.value) parts.push_back(*type.value);
    if (message.value) parts.push_back("message containing " + text::quoted(*message.value));
    if (op.value) parts.push_back("op " + *op.value);
    return parts.empty() ? "an error" : text::join(parts, ", ");
  }
};

struct RankCheck {
  Field<scenario::Outcome> outcome;
  ErrorCheck error;
  Field<scenario::Outcome> probe_outcome;
  ErrorCheck probe_error;
  Field<std::string> waiting_op;
  Field<std::string> waiting_group;
  Field<int> waiting_peer;

  void merge(const scenario::RankExpectation& expectation) {
    outcome.merge(expectation.outcome, expectation.pos);
    error.merge(expectation.error, expectation.pos);
    probe_outcome.merge(expectation.probe_outcome, expectation.pos);
    probe_error.merge(expectation.probe_error, expectation.pos);
    if (expectation.waiting) {
      waiting_op.merge(expectation.waiting->op, expectation.pos);
      waiting_group.merge(expectation.waiting->group, expectation.pos);
      waiting_peer.merge(expectation.waiting->peer, expectation.pos);
    }
  }
};

std::string text_of(std::string value) { return value; }
std::string text_of_int(int value) { return std::to_string(value); }

// Collects mismatches into a record's list.
class Checker {
 public:
  explicit Checker(std::vector<Mismatch>& mismatches) : mismatches_(mismatches) {}

  void fail(std::string what, std::string expected, std::string actual, const SourcePos& pos) {
    mismatches_.push_back({std::move(what), std::move(expected), std::move(actual), pos});
  }

  // If `field` is stated and differs from `actual`: a mismatch, both values printed by `name`.
  template <typename T>
  void exact(const std::string& what, const Field<T>& field, const T& actual,
             std::string (*name)(T)) {
    if (field.value && !(*field.value == actual)) {
      fail(what, name(*field.value), name(actual), field.pos);
    }
  }

 private:
  std::vector<Mismatch>& mismatches_;
};

std::string string_name(std::string value) { return value; }

// "no lines", or the count and the lines quoted: `1 line: "text"`.
std::string lines_text(const std::vector<std::string>& lines) {
  if (lines.empty()) return "no lines";
  std::vector<std::string> quoted;
  for (const auto& line : lines) quoted.push_back(text::quoted(line));
  return std::to_string(lines.size()) + (lines.size() == 1 ? " line: " : " lines: ") +
         text::join(quoted, "; ");
}

void check_group(Checker& check, const std::string& label,
                 const scenario::GroupExpectation& expectation, const GroupRecord& group) {
  const SourcePos& pos = expectation.pos;
  if (expectation.backend && *expectation.backend != group.backend) {
    check.fail(label + " backend", *expectation.backend, group.backend, pos);
  }
  if (expectation.supports_tensor_dict &&
      *expectation.supports_tensor_dict != group.supports_tensor_dict) {
    check.fail(label + " supports_tensor_dict", text::bool_text(*expectation.supports_tensor_dict),
               text::bool_text(group.supports_tensor_dict), pos);
  }
  if (expectation.use_cpu_custom_send_recv &&
      *expectation.use_cpu_custom_send_recv != group.use_cpu_custom_send_recv) {
    check.fail(label + " use_cpu_custom_send_recv",
               text::bool_text(*expectation.use_cpu_custom_send_recv),
               text::bool_text(group.use_cpu_custom_send_recv), pos);
  }
  if (expectation.log) {
    bool found = false;
    for (const auto& line : group.logs)
      found = found || line.find(*expectation.log) != std::string::npos;
    if (!found) {
      check.fail(label + " log", "a line containing " + text::quoted(*expectation.log),
                 group.logs.empty() ? "no lines" : "no such line (" + lines_text(group.logs) + ")",
                 pos);
    }
  }
  if (expectation.no_log && *expectation.no_log != group.logs.empty()) {
    check.fail(label + " no_log", *expectation.no_log ? "no lines" : "at least one line",
               lines_text(group.logs), pos);
  }
}

void check_groups(Checker& check, const scenario::Expectations& expectations,
                  const RunRecord& record) {
  for (const auto& [name, expectation] : expectations.groups) {
    std::vector<const GroupRecord*> matches;
    for (const auto& group : record.groups) {
      if (group.name == name) matches.push_back(&group);
    }
    if (matches.empty()) {
      std::vector<std::string> present;
      for (const auto& group : record.groups) present.push_back(group.name);
      check.fail("group " + name, "present",
                 present.empty() ? "not found (no groups)"
                                 : "not found (groups: " + text::join(present, ", ") + ")",
                 expectation.pos);
      continue;
    }
    for (const GroupRecord* group : matches) {
      // Name the members only when the name alone does not say which group failed.
      std::string label = "group " + name;
      if (matches.size() > 1) {
        label += ' ';
        label += text::int_list(group->ranks);
      }
      check_group(check, label, expectation, *group);
    }
  }
}

// Checks `error` (and the outcome it came with) against `expected`; `what` is e.g. "rank 0 error".
void check_error(Checker& check, const std::string& what, const ErrorCheck& expected,
                 const std::optional<ErrorInfo>& error, scenario::Outcome outcome) {
  if (!expected.stated) return;
  if (!error) {
    check.fail(what, expected.describe(), "no error (outcome " + outcome_name(outcome) + ")",
               expected.pos);
    return;
  }
  check.exact(what + ".type", expected.type, error->type, string_name);
  if (expected.message.value && error->message.find(*expected.message.value) == std::string::npos) {
    check.fail(what + ".message", "containing " + text::quoted(*expected.message.value),
               text::quoted(error->message), expected.message.pos);
  }
  check.exact(what + ".op", expected.op, error->op, string_name);
}

void check_rank(Checker& check, const RankCheck& expected, const RankRecord& rank) {
  const std::string label = "rank " + std::to_string(rank.rank);
  check.exact(label + " outcome", expected.outcome, rank.outcome, scenario::outcome_name);
  check_error(check, label + " error", expected.error, rank.error, rank.outcome);
  if (expected.waiting_op.value || expected.waiting_group.value || expected.waiting_peer.value) {
    if (!rank.waiting) {
      const SourcePos& pos = expected.waiting_op.value      ? expected.waiting_op.pos
                             : expected.waiting_group.value ? expected.waiting_group.pos
                                                            : expected.waiting_peer.pos;
      check.fail(label + " waiting", "blocked",
                 "not blocked (outcome " + outcome_name(rank.outcome) + ")", pos);
    } else {
      check.exact(label + " waiting.op", expected.waiting_op, rank.waiting->op, text_of);
      check.exact(label + " waiting.group", expected.waiting_group, rank.waiting->group, text_of);
      check.exact(label + " waiting.peer", expected.waiting_peer, rank.waiting->peer, text_of_int);
    }
  }

  if (!expected.probe_outcome.value && !expected.probe_error.stated) return;
  if (rank.probes.empty()) {
    std::vector<std::string> parts;
    if (expected.probe_outcome.value) {
      parts.push_back("outcome " + outcome_name(*expected.probe_outcome.value));
    }
    if (expected.probe_error.stated) parts.push_back(expected.probe_error.describe());
    check.fail(
        label + " probe", text::join(parts, ", "), "not run",
        expected.probe_outcome.value ? expected.probe_outcome.pos : expected.probe_error.pos);
    return;
  }
  const ProbeRecord& probe = rank.probes.front();
  check.exact(label + " probe.outcome", expected.probe_outcome, probe.outcome,
              scenario::outcome_name);
  check_error(check, label + " probe.error", expected.probe_error, probe.error, probe.outcome);
}

void check_ranks(Checker& check, const scenario::Expectations& expectations,
                 const RunRecord& record) {
  const auto all = expectations.ranks.find(-1);
  if (all != expectations.ranks.end() && record.ranks.empty()) {
    check.fail("ranks", "at least one rank (for \"all\")", "no ranks", all->second.pos);
  }
  std::set<int> numbers;
  for (const auto& rank : record.ranks) numbers.insert(rank.rank);
  for (const auto& [number, expectation] : expectations.ranks) {
    if (number >= 0) numbers.insert(number);
  }
  for (const int number : numbers) {
    const RankRecord* rank = nullptr;
    for (const auto& candidate : record.ranks) {
      if (candidate.rank == number) {
        rank = &candidate;
        break;
      }
    }
    const auto own = expectations.ranks.find(number);
    if (rank == nullptr) {
      std::vector<int> present;
      for (const auto& candidate : record.ranks) present.push_back(candidate.rank);
      check.fail("rank " + std::to_string(number), "present",
                 "not found (ranks: " + text::int_list(present) + ")", own->second.pos);
      continue;
    }
    RankCheck merged;
    if (all != expectations.ranks.end()) merged.merge(all->second);
    if (own != expectations.ranks.end()) merged.merge(own->second);
    check_rank(check, merged, *rank);
  }
}

std::string bit_identical_text(const DataRecord& data) {
  if (data.dicts_mismatched > 0) {
    return "false (" + std::to_string(data.dicts_mismatched) + " of " +
           std::to_string(data.dicts_delivered) + " delivered mismatched)";
  }
  if (data.dicts_delivered > 0) return "true";
  return "no dicts delivered";
}

void check_data(Checker& check, const scenario::DataExpectation& expected, const DataRecord& data) {
  if (expected.dicts_delivered && *expected.dicts_delivered != data.dicts_delivered) {
    check.fail("data.dicts_delivered", std::to_string(*expected.dicts_delivered),
               std::to_string(data.dicts_delivered), expected.pos);
  }
  if (expected.bit_identical) {
    const bool holds = *expected.bit_identical
                           ? data.dicts_mismatched == 0 && data.dicts_delivered > 0
                           : data.dicts_mismatched > 0;
    if (!holds) {
      check.fail("data.bit_identical", text::bool_text(*expected.bit_identical),
                 bit_identical_text(data), expected.pos);
    }
  }
  if (expected.collectives && *expected.collectives != data.collectives) {
    check.fail("data.collectives", std::to_string(*expected.collectives),
               std::to_string(data.collectives), expected.pos);
  }
  if (expected.collectives_exact) {
    const bool holds = *expected.collectives_exact
                           ? data.collectives_mismatched == 0 && data.collectives > 0
                           : data.collectives_mismatched > 0;
    if (!holds) {
      check.fail("data.collectives_exact", text::bool_text(*expected.collectives_exact),
                 data.collectives == 0 ? std::string("no all-reduces completed")
                                       : std::to_string(data.collectives_mismatched) + " of " +
                                             std::to_string(data.collectives) + " inexact",
                 expected.pos);
    }
  }
}

std::string scientific(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

void check_numerics(Checker& check, const scenario::NumericsExpectation& expected,
                    const DataRecord& data, bool model) {
  if (!expected.rel_l2 && !expected.max_abs) return;
  if (model) {
    if (!data.reference_checked) {
      check.fail("numerics", "logits compared with the reference",
                 data.model_steps == 0 ? "no step completed" : "no reference (phantom data)",
                 expected.pos);
      return;
    }
  } else if (data.collectives == 0) {
    check.fail("numerics", "all-reduce results to compare", "no all-reduces completed",
               expected.pos);
    return;
  }
  if (expected.rel_l2 && data.max_rel_l2 > *expected.rel_l2) {
    check.fail("numerics.rel_l2", "<= " + scientific(*expected.rel_l2), scientific(data.max_rel_l2),
               expected.pos);
  }
  if (expected.max_abs && data.max_abs_error > *expected.max_abs) {
    check.fail("numerics.max_abs", "<= " + scientific(*expected.max_abs),
               scientific(data.max_abs_error), expected.pos);
  }
}

void check_model(Checker& check, const scenario::ModelExpectation& expected,
                 const DataRecord& data) {
  if (expected.steps && data.model_steps != *expected.steps) {
    check.fail("model.steps", std::to_string(*expected.steps), std::to_string(data.model_steps),
               expected.pos);
  }
  if (expected.tokens_match_reference) {
    const bool matches =
        data.reference_checked && data.model_steps > 0 && data.token_mismatches == 0;
    if (matches != *expected.tokens_match_reference) {
      check.fail("model.tokens_match_reference", text::bool_text(*expected.tokens_match_reference),
                 data.model_steps == 0 ? std::string("no step completed")
                                       : std::to_string(data.token_mismatches) + " of " +
                                             std::to_string(data.model_steps) + " steps differ",
                 expected.pos);
    }
  }
}

// `actual` in ms, with more digits when the short form would read the same as the bound.
std::string time_against(double actual, double bound) {
  std::string text = text::ms_short(actual);
  if (text == text::ms_short(bound)) text = text::ms_fixed(actual, 9);
  return text;
}

void check_time(Checker& check, const scenario::TimeExpectation& expected, double actual) {
  if (expected.min && !(actual >= *expected.min)) {
    check.fail("sim_time", ">= " + text::ms_short(*expected.min),
               time_against(actual, *expected.min), expected.pos);
  }
  if (expected.max && !(actual <= *expected.max)) {
    check.fail("sim_time", "<= " + text::ms_short(*expected.max),
               time_against(actual, *expected.max), expected.pos);
  }
}

}  // namespace

std::string verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "fail";
    case Verdict::kUnchecked:
      return "unchecked";
  }
  return "unknown";
}

std::optional<Verdict> parse_verdict(std::string_view text) {
  if (text == "pass") return Verdict::kPass;
  if (text == "fail") return Verdict::kFail;
  if (text == "unchecked") return Verdict::kUnchecked;
  return std::nullopt;
}

void apply_expectations(RunRecord& record, const scenario::Scenario& scenario) {
  record.mismatches.clear();
  if (!record.simulation_failure.empty()) {
    // Nothing the run would have shown is known: its expectations are not checked.
    record.mismatches.push_back(
        Mismatch{"simulation", "a run to its end", "failed: " + record.simulation_failure, {}});
    record.verdict = Verdict::kFail;
    return;
  }
  const auto found = scenario.expect.find(record.policy);
  if (found == scenario.expect.end()) {
    record.verdict = Verdict::kUnchecked;
    return;
  }
  const scenario::Expectations& expectations = found->second;
  Checker check(record.mismatches);
  check_groups(check, expectations, record);
  check_ranks(check, expectations, record);
  if (expectations.data) check_data(check, *expectations.data, record.data);
  if (expectations.numerics) {
    check_numerics(check, *expectations.numerics, record.data, scenario.workload.kind == "model");
  }
  if (expectations.sim_time) check_time(check, *expectations.sim_time, record.sim_time_s);
  if (expectations.model) check_model(check, *expectations.model, record.data);
  record.verdict = record.mismatches.empty() ? Verdict::kPass : Verdict::kFail;
}

}  // namespace commsim::results
