#include "results/summary.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "results/text_format.h"
#include "scenarios/outcome.h"

namespace commsim::results {
namespace {

using Table = std::vector<std::vector<std::string>>;

// Width of an error message in the comparison table.
constexpr std::size_t kShortMessageWidth = 40;

// "Type: message (in op)", or with the whole operation stack when it is deeper than one op.
std::string error_detail(const ErrorInfo& error) {
  std::string result = error.type + ": " + error.message;
  const bool nested = error.where.find(" > ") != std::string::npos;
  if (nested) {
    result += " (in " + error.where + ")";
  } else if (!error.op.empty()) {
    result += " (in " + error.op + ")";
  }
  return result;
}

std::string wait_detail(const WaitInfo& waiting) {
  std::string result = "waiting in " + waiting.op;
  if (!waiting.group.empty()) result += " on " + waiting.group;
  if (waiting.peer >= 0) result += ", for rank " + std::to_string(waiting.peer);
  return result;
}

std::string probe_detail(const ProbeRecord& probe) {
  std::string result = "probe " + probe.op;
  if (!probe.group.empty()) result += " on " + probe.group;
  result += ": ";
  result += outcome_name(probe.outcome);
  if (probe.error) {
    result += ' ';
    result += error_detail(*probe.error);
  }
  return result;
}

std::string verdict_word(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kUnchecked:
      return "UNCHECKED";
  }
  return "UNKNOWN";
}

void write_groups(std::ostream& out, const RunRecord& record) {
  out << "groups:\n";
  if (record.groups.empty()) {
    out << "  (none)\n";
    return;
  }
  Table table = {
      {"name", "ranks", "backend", "supports_tensor_dict", "use_cpu_custom_send_recv", "reason"}};
  for (const auto& group : record.groups) {
    table.push_back({group.name, text::int_list(group.ranks), group.backend,
                     text::bool_text(group.supports_tensor_dict),
                     text::bool_text(group.use_cpu_custom_send_recv),
                     group.reason.empty() ? "-" : group.reason});
  }
  text::write_table(out, table, "  ");
}

// Distinct INFO lines in order of first appearance (earliest time, then rank order), each with
// the ranks that logged it.
void write_info_log(std::ostream& out, const RunRecord& record) {
  struct Line {
    std::string text;
    double first_time = 0;
    std::vector<int> ranks;
  };
  std::vector<Line> lines;
  for (const auto& rank : record.ranks) {
    for (const auto& log : rank.logs) {
      if (log.level != "INFO") continue;
      auto found = std::find_if(lines.begin(), lines.end(),
                                [&](const Line& line) { return line.text == log.text; });
      if (found == lines.end()) {
        lines.push_back({log.text, log.time, {rank.rank}});
        continue;
      }
      found->first_time = std::min(found->first_time, log.time);
      if (std::find(found->ranks.begin(), found->ranks.end(), rank.rank) == found->ranks.end()) {
        found->ranks.push_back(rank.rank);
      }
    }
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.first_time < b.first_time; });
  out << "INFO log (ranks, line):\n";
  if (lines.empty()) {
    out << "  (none)\n";
    return;
  }
  Table table;
  for (const auto& line : lines) {
    std::vector<int> ranks = line.ranks;
    std::sort(ranks.begin(), ranks.end());
    table.push_back({text::int_list(ranks), line.text});
  }
  text::write_table(out, table, "  ");
}

void write_ranks(std::ostream& out, const RunRecord& record) {
  out << "ranks:\n";
  if (record.ranks.empty()) {
    out << "  (none)\n";
    return;
  }
  Table table = {{"rank", "node", "outcome", "end time", "detail"}};
  for (const auto& rank : record.ranks) {
    std::vector<std::string> details;
    if (rank.error) details.push_back(error_detail(*rank.error));
    if (rank.waiting) details.push_back(wait_detail(*rank.waiting));
    for (const auto& probe : rank.probes) details.push_back(probe_detail(probe));
    table.push_back({std::to_string(rank.rank), std::to_string(rank.node),
                     outcome_name(rank.outcome), text::ms_fixed(rank.end_time),
                     details.empty() ? "-" : details.front()});
    for (std::size_t i = 1; i < details.size(); ++i) table.push_back({"", "", "", "", details[i]});
  }
  text::write_table(out, table, "  ");
}

void write_verdict(std::ostream& out, const RunRecord& record) {
  out << "verdict: " << verdict_word(record.verdict);
  if (record.verdict == Verdict::kUnchecked) {
    out << " (no expectations for policy " << record.policy << ")";
  }
  out << '\n';
  if (record.verdict != Verdict::kFail) return;
  for (const auto& mismatch : record.mismatches) {
    const std::string at = text::pos_text(mismatch.pos);
    out << "  " << (at.empty() ? "" : at + ": ") << mismatch.what << ": expected "
        << mismatch.expected << ", got " << mismatch.actual << '\n';
  }
}

// The comparison cell of `rank` in `record`.
std::string rank_cell(const RunRecord& record, int number) {
  for (const auto& rank : record.ranks) {
    if (rank.rank != number) continue;
    std::string cell = outcome_name(rank.outcome);
    if (rank.error) {
      cell +=
          " " + rank.error->type + ": " + text::shorten(rank.error->message, kShortMessageWidth);
    } else if (rank.waiting) {
      cell += " in " + rank.waiting->op;
    }
    return cell;
  }
  return "-";
}

// The comparison cell of a group property: "-" if the record has no such group, the distinct
// values joined with " / " if it has several groups of that name.
std::string group_cell(const RunRecord& record, const std::string& name,
                       const std::function<std::string(const GroupRecord&)>& value) {
  std::vector<std::string> values;
  for (const auto& group : record.groups) {
    if (group.name != name) continue;
    std::string text = value(group);
    if (std::find(values.begin(), values.end(), text) == values.end()) values.push_back(text);
  }
  return values.empty() ? "-" : text::join(values, " / ");
}

}  // namespace

void write_summary(std::ostream& out, const RunRecord& record) {
  out << "scenario " << record.scenario << " \u00b7 policy " << record.policy << "\n\n";
  if (!record.simulation_failure.empty()) {
    // Nothing but the ranks' places is known of a run whose simulation died.
    out << "simulation failed: " << record.simulation_failure << "\n\n";
    write_ranks(out, record);
    out << '\n';
    write_verdict(out, record);
    return;
  }
  write_groups(out, record);
  out << '\n';
  write_info_log(out, record);
  out << '\n';
  write_ranks(out, record);
  out << '\n';
  out << "data: " << record.data.dicts_sent << " dicts sent, " << record.data.dicts_delivered
      << " delivered, " << record.data.dicts_mismatched << " mismatched";
  if (record.data.collectives > 0) {
    out << "; " << record.data.collectives << " all-reduces, " << record.data.collectives_mismatched
        << " inexact";
  }
  out << '\n';
  if (record.data.model_steps > 0) {
    out << "model: " << record.data.model_steps << " steps; prefill "
        << text::ms_fixed(*prefill_time_s(record.data));
    if (const auto decode = mean_decode_step_s(record.data)) {
      out << ", decode step " << text::ms_fixed(*decode) << " (mean)";
    }
    if (record.data.reference_checked) {
      out << "; logits vs single-rank reference: rel-L2 " << record.data.max_rel_l2 << ", max-abs "
          << record.data.max_abs_error << "; tokens "
          << (record.data.token_mismatches == 0
                  ? std::string("equal")
                  : std::to_string(record.data.token_mismatches) + " steps differ");
    }
    out << '\n';
  }
  out << "simulated time: " << text::ms_fixed(record.sim_time_s);
  if (record.deadlock) out << " (deadlock: every remaining rank blocked)";
  out << '\n';
  write_verdict(out, record);
}

void write_comparison(std::ostream& out, const std::vector<RunRecord>& records) {
  if (records.empty()) {
    out << "no runs\n";
    return;
  }
  std::vector<std::string> scenarios;
  std::vector<std::string> group_names;
  std::set<int> rank_numbers;
  for (const auto& record : records) {
    if (std::find(scenarios.begin(), scenarios.end(), record.scenario) == scenarios.end()) {
      scenarios.push_back(record.scenario);
    }
    for (const auto& group : record.groups) {
      if (std::find(group_names.begin(), group_names.end(), group.name) == group_names.end()) {
        group_names.push_back(group.name);
      }
    }
    for (const auto& rank : record.ranks) rank_numbers.insert(rank.rank);
  }
  out << (scenarios.size() == 1 ? "scenario " : "scenarios ") << text::join(scenarios, ", ")
      << " \u00b7 " << records.size() << (records.size() == 1 ? " policy" : " policies") << "\n\n";

  Table table;
  auto add_row = [&](std::string label, const std::function<std::string(const RunRecord&)>& cell) {
    std::vector<std::string> row = {std::move(label)};
    for (const auto& record : records) row.push_back(cell(record));
    table.push_back(std::move(row));
  };
  add_row("policy", [](const RunRecord& record) { return record.policy; });
  for (const auto& name : group_names) {
    add_row("group " + name + " backend", [&](const RunRecord& record) {
      return group_cell(record, name, [](const GroupRecord& group) { return group.backend; });
    });
    add_row("group " + name + " supports_tensor_dict", [&](const RunRecord& record) {
      return group_cell(record, name, [](const GroupRecord& group) {
        return text::bool_text(group.supports_tensor_dict);
      });
    });
    add_row("group " + name + " use_cpu_custom_send_recv", [&](const RunRecord& record) {
      return group_cell(record, name, [](const GroupRecord& group) {
        return text::bool_text(group.use_cpu_custom_send_recv);
      });
    });
  }
  for (const int number : rank_numbers) {
    add_row("rank " + std::to_string(number) + " outcome",
            [&](const RunRecord& record) { return rank_cell(record, number); });
  }
  add_row("dicts delivered",
          [](const RunRecord& record) { return std::to_string(record.data.dicts_delivered); });
  const bool any_collectives = std::any_of(records.begin(), records.end(), [](const RunRecord& r) {
    return r.data.collectives > 0 || r.data.collectives_mismatched > 0;
  });
  if (any_collectives) {
    add_row("all-reduces (inexact)", [](const RunRecord& record) {
      return std::to_string(record.data.collectives) + " (" +
             std::to_string(record.data.collectives_mismatched) + ")";
    });
  }
  add_row("simulated time", [](const RunRecord& record) {
    return record.simulation_failure.empty() ? text::ms_fixed(record.sim_time_s) : "-";
  });
  add_row("verdict", [](const RunRecord& record) {
    std::string cell = verdict_word(record.verdict);
    if (!record.simulation_failure.empty()) {
      cell += " (simulation failed)";
    } else if (record.verdict == Verdict::kFail) {
      const std::size_t count = record.mismatches.size();
      cell += " (" + std::to_string(count) + (count == 1 ? " mismatch)" : " mismatches)");
    }
    return cell;
  });
  text::write_table(out, table, "");
}

}  // namespace commsim::results
