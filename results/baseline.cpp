#include "results/baseline.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "scenarios/outcome.h"

namespace commsim::results {

namespace {

// The shortest text that reads back as `value`.
std::string number(double value) {
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), end);
}

std::string ranks_text(const std::vector<int>& ranks) {
  std::string text = "[";
  for (std::size_t i = 0; i < ranks.size(); ++i) text += (i ? ", " : "") + std::to_string(ranks[i]);
  return text + "]";
}

// [[1, 2], [3]]
std::string token_text(const std::vector<std::vector<std::int64_t>>& steps) {
  std::string text = "[";
  for (std::size_t i = 0; i < steps.size(); ++i) {
    text += i ? ", [" : "[";
    for (std::size_t j = 0; j < steps[i].size(); ++j) {
      text += (j ? ", " : "") + std::to_string(steps[i][j]);
    }
    text += "]";
  }
  return text + "]";
}

class Comparison {
 public:
  explicit Comparison(double tolerance) : tolerance_(tolerance) {}

  // Within `tolerance` of each other, relative to the larger; values that are not finite
  // (NaN, infinities) must be the same.
  void time(const std::string& what, double baseline, double now) {
    const bool finite = std::isfinite(baseline) && std::isfinite(now);
    const bool close = finite ? std::abs(baseline - now) <=
                                    tolerance_ * std::max(std::abs(baseline), std::abs(now))
                              : (std::isnan(baseline) && std::isnan(now)) || baseline == now;
    if (!close) drifts_.push_back(Drift{what, number(baseline), number(now)});
  }

  template <typename T>
  void same(const std::string& what, const T& baseline, const T& now) {
    if (!(baseline == now)) drifts_.push_back(Drift{what, text(baseline), text(now)});
  }

  std::vector<Drift> take() { return std::move(drifts_); }

 private:
  static std::string text(const std::string& value) { return "'" + value + "'"; }
  static std::string text(bool value) { return value ? "true" : "false"; }
  static std::string text(int value) { return std::to_string(value); }
  static std::string text(std::int64_t value) { return std::to_string(value); }
  static std::string text(std::size_t value) { return std::to_string(value); }
  static std::string text(const std::vector<std::string>& lines) {
    std::string out = "[";
    for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? ", '" : "'") + lines[i] + "'";
    return out + "]";
  }

  double tolerance_;
  std::vector<Drift> drifts_;
};

}  // namespace

std::string baseline_file_name(const std::string& scenario, const std::string& policy) {
  std::string name = scenario + "@" + policy;
  for (char& c : name) {
    const bool plain =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == '@';
    if (!plain) c = '_';
  }
  if (name.front() == '.') name.front() = '_';  // never "..", never hidden
  return name + ".json";
}

std::vector<Drift> compare_with_baseline(const RunRecord& baseline, const RunRecord& now,
                                         double tolerance) {
  Comparison compare(tolerance);
  compare.same("simulation_failure", baseline.simulation_failure, now.simulation_failure);
  compare.time("sim_time_s", baseline.sim_time_s, now.sim_time_s);
  compare.same("deadlock", baseline.deadlock, now.deadlock);

  compare.same("number of groups", baseline.groups.size(), now.groups.size());
  for (std::size_t i = 0; i < std::min(baseline.groups.size(), now.groups.size()); ++i) {
    const GroupRecord& before = baseline.groups[i];
    const GroupRecord& after = now.groups[i];
    const std::string name = "group " + before.name + " " + ranks_text(before.ranks);
    compare.same(name + " name and ranks", name,
                 "group " + after.name + " " + ranks_text(after.ranks));
    compare.same(name + " backend", before.backend, after.backend);
    compare.same(name + " reason", before.reason, after.reason);
    compare.same(name + " supports_tensor_dict", before.supports_tensor_dict,
                 after.supports_tensor_dict);
    compare.same(name + " use_cpu_custom_send_recv", before.use_cpu_custom_send_recv,
                 after.use_cpu_custom_send_recv);
    compare.same(name + " logs", before.logs, after.logs);
  }

  compare.same("number of ranks", baseline.ranks.size(), now.ranks.size());
  for (std::size_t i = 0; i < std::min(baseline.ranks.size(), now.ranks.size()); ++i) {
    const RankRecord& before = baseline.ranks[i];
    const RankRecord& after = now.ranks[i];
    const std::string name = "rank " + std::to_string(before.rank);
    compare.same(name + " node", before.node, after.node);
    compare.same(name + " outcome", scenario::outcome_name(before.outcome),
                 scenario::outcome_name(after.outcome));
    const ErrorInfo none;
    const ErrorInfo& error_before = before.error ? *before.error : none;
    const ErrorInfo& error_after = after.error ? *after.error : none;
    compare.same(name + " error.type", error_before.type, error_after.type);
    compare.same(name + " error.message", error_before.message, error_after.message);
    compare.same(name + " error.op", error_before.op, error_after.op);
    compare.same(name + " error.group", error_before.group, error_after.group);
    compare.same(name + " error.where", error_before.where, error_after.where);
    const WaitInfo no_wait;
    const WaitInfo& wait_before = before.waiting ? *before.waiting : no_wait;
    const WaitInfo& wait_after = after.waiting ? *after.waiting : no_wait;
    compare.same(name + " waiting.op", wait_before.op, wait_after.op);
    compare.same(name + " waiting.group", wait_before.group, wait_after.group);
    compare.same(name + " waiting.peer", wait_before.peer, wait_after.peer);
    compare.time(name + " end_time", before.end_time, after.end_time);
    compare.same(name + " number of probes", before.probes.size(), after.probes.size());
    for (std::size_t p = 0; p < std::min(before.probes.size(), after.probes.size()); ++p) {
      const ProbeRecord& probe_before = before.probes[p];
      const ProbeRecord& probe_after = after.probes[p];
      const std::string probe = name + " probe " + probe_before.op;
      compare.same(probe + " outcome", scenario::outcome_name(probe_before.outcome),
                   scenario::outcome_name(probe_after.outcome));
      compare.same(probe + " error.type", probe_before.error ? probe_before.error->type : "",
                   probe_after.error ? probe_after.error->type : "");
      compare.same(probe + " error.message", probe_before.error ? probe_before.error->message : "",
                   probe_after.error ? probe_after.error->message : "");
    }
  }

  compare.same("data.dicts_sent", baseline.data.dicts_sent, now.data.dicts_sent);
  compare.same("data.dicts_delivered", baseline.data.dicts_delivered, now.data.dicts_delivered);
  compare.same("data.dicts_mismatched", baseline.data.dicts_mismatched, now.data.dicts_mismatched);
  compare.same("data.collectives", baseline.data.collectives, now.data.collectives);
  compare.same("data.collectives_mismatched", baseline.data.collectives_mismatched,
               now.data.collectives_mismatched);
  compare.same("data.wrong_elements", baseline.data.wrong_elements, now.data.wrong_elements);
  compare.time("data.collective_time_s", baseline.data.collective_time_s,
               now.data.collective_time_s);
  // A model's logits come from oneDNN, whose rounding depends on the CPU's instruction set: their
  // errors against the reference are checked by the scenario's numerics bounds, not pinned here.
  if (!baseline.data.reference_checked && !now.data.reference_checked) {
    compare.time("data.max_rel_l2", baseline.data.max_rel_l2, now.data.max_rel_l2);
    compare.time("data.max_abs_error", baseline.data.max_abs_error, now.data.max_abs_error);
  }
  compare.same("data.model.steps", baseline.data.model_steps, now.data.model_steps);
  compare.same("data.model.token_mismatches", baseline.data.token_mismatches,
               now.data.token_mismatches);
  compare.same("data.model.step_times_s count", baseline.data.step_times_s.size(),
               now.data.step_times_s.size());
  for (std::size_t i = 0;
       i < std::min(baseline.data.step_times_s.size(), now.data.step_times_s.size()); ++i) {
    compare.time("data.model.step_times_s[" + std::to_string(i) + "]",
                 baseline.data.step_times_s[i], now.data.step_times_s[i]);
  }
  compare.same("data.model.tokens", token_text(baseline.data.tokens), token_text(now.data.tokens));
  return compare.take();
}

}  // namespace commsim::results
