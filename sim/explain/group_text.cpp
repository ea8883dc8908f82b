#include "sim/explain/group_text.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "results/text_format.h"

namespace commsim::explain {
namespace {

namespace text = results::text;

std::string yes_no(bool value) { return value ? "yes" : "no"; }

std::string int_set_text(const std::set<int>& values) {
  return text::int_list(std::vector<int>(values.begin(), values.end()));
}

// "ranks 0, 1" / "rank 3".
std::string ranks_phrase(const std::vector<int>& ranks) {
  return (ranks.size() == 1 ? "rank " : "ranks ") + rank_list_text(ranks);
}

// The ranks as the subject of a verb: "rank 3 waits" / "ranks 0, 1 wait".
std::string ranks_do(const std::vector<int>& ranks, const std::string& singular,
                     const std::string& plural) {
  return ranks_phrase(ranks) + " " + (ranks.size() == 1 ? singular : plural);
}

std::string error_text(const RankStop& stop) {
  std::string message = stop.message;
  message.erase(message.find_last_not_of(' ') + 1);  // TORCH_CHECK's trailing space
  return stop.type + ": " + message;
}

// What one member does in the selection, in a few words.
std::string selection_text(const MemberPrediction& member) {
  switch (member.fate) {
    case MemberFate::kDecided: {
      const comm::BackendDecision& decision = *member.decision;
      std::string result(comm::backend_name(decision.backend));
      if (decision.failed) {
        result += " (failed " + std::string(comm::check_name(*decision.failed)) + ")";
      }
      return result;
    }
    case MemberFate::kKeyError:
      return "KeyError: 'VLLM_DIST_IDENT' (make_group_name)";
    case MemberFate::kWaitsInAgreement:
      return "waits in all_gather_object";
    case MemberFate::kNotReached:
      return "not reached (stopped in " + member.stopped_in + ")";
  }
  return "";
}

std::vector<int> ranks_where(const GroupPrediction& group,
                             const std::function<bool(const MemberPrediction&)>& predicate) {
  std::vector<int> ranks;
  for (const MemberPrediction& member : group.members) {
    if (predicate(member)) ranks.push_back(member.rank);
  }
  return ranks;
}

std::optional<comm::SelectionCheck> failed_check(const MemberPrediction& member) {
  if (!member.decision) return std::nullopt;
  return member.decision->failed;
}

// "<check>: ranks ..." for every check some member fails, in vLLM's order of the checks.
std::vector<std::string> failed_lines(const GroupPrediction& group) {
  std::vector<std::string> lines;
  for (comm::SelectionCheck check :
       {comm::SelectionCheck::kArchitecture, comm::SelectionCheck::kInitShmManagerOp,
        comm::SelectionCheck::kGroupName, comm::SelectionCheck::kNameAgreement}) {
    const std::vector<int> ranks = ranks_where(
        group, [check](const MemberPrediction& member) { return failed_check(member) == check; });
    if (ranks.empty()) continue;
    std::string line = std::string(comm::check_name(check)) + ": " + ranks_phrase(ranks);
    if (check == comm::SelectionCheck::kNameAgreement) line += " (the names differ)";
    lines.push_back(line);
  }
  return lines;
}

// Why the members that are not waiting in the name check stay out of it.
std::vector<std::string> absent_reasons(const GroupPrediction& group) {
  std::vector<std::string> reasons;
  std::map<std::string, std::vector<int>> skipped;  // by the check they failed
  for (const MemberPrediction& member : group.members) {
    if (const auto check = failed_check(member)) {
      skipped[std::string(comm::check_name(*check))].push_back(member.rank);
    }
  }
  for (comm::SelectionCheck check :
       {comm::SelectionCheck::kArchitecture, comm::SelectionCheck::kInitShmManagerOp,
        comm::SelectionCheck::kGroupName}) {
    const auto found = skipped.find(std::string(comm::check_name(check)));
    if (found == skipped.end()) continue;
    reasons.push_back(ranks_do(found->second, "skips", "skip") + " it (failed " + found->first +
                      ")");
  }
  const std::vector<int> raising = ranks_where(
      group, [](const MemberPrediction& member) { return member.fate == MemberFate::kKeyError; });
  if (!raising.empty()) {
    reasons.push_back(ranks_do(raising, "raises", "raise") + " KeyError before joining it");
  }
  std::map<std::string, std::vector<int>> absent;  // by the group they stopped in
  for (const MemberPrediction& member : group.members) {
    if (member.fate == MemberFate::kNotReached) absent[member.stopped_in].push_back(member.rank);
  }
  for (const auto& [where, ranks] : absent) {
    reasons.push_back(ranks_do(ranks, "never gets", "never get") + " here (stopped in " + where +
                      ")");
  }
  return reasons;
}

std::string name_check_text(const GroupPrediction& group) {
  if (!group.agreement) return "";
  if (!group.agreement->returns) return "never returns: not every member calls it";
  if (group.agreement->names_agree) {
    return "returns true: every member builds " + *group.members.front().shm_group_name;
  }
  // Each distinct name and the ranks that build it, in order of their first rank.
  std::vector<std::pair<std::string, std::vector<int>>> names;
  for (const MemberPrediction& member : group.members) {
    const std::string& name = *member.shm_group_name;
    auto found = std::find_if(names.begin(), names.end(),
                              [&name](const auto& entry) { return entry.first == name; });
    if (found == names.end()) {
      names.emplace_back(name, std::vector<int>{member.rank});
    } else {
      found->second.push_back(member.rank);
    }
  }
  std::vector<std::string> parts;
  for (const auto& [name, ranks] : names) {
    parts.push_back(ranks_do(ranks, "builds", "build") + " " + name);
  }
  return "returns false: " + text::join(parts, ", ");
}

// The SHM start's outcome, one line per distinct way members stop, in order of their first rank.
std::vector<std::string> start_lines(const GroupPrediction& group) {
  struct Way {
    bool error = false;
    bool workload_dependent = false;
    std::string what;
    std::vector<int> ranks;
  };
  std::vector<Way> ways;
  for (const RankStop& stop : group.start_stops) {
    const std::string what = stop.error ? error_text(stop) + " (" + stop.op + ")" : stop.op;
    auto found = std::find_if(ways.begin(), ways.end(), [&](const Way& way) {
      return way.error == stop.error && way.workload_dependent == stop.workload_dependent &&
             way.what == what;
    });
    if (found == ways.end()) {
      ways.push_back(Way{stop.error, stop.workload_dependent, what, {stop.rank}});
    } else {
      found->ranks.push_back(stop.rank);
    }
  }
  const std::vector<int> outside = ranks_where(group, [](const MemberPrediction& member) {
    return member.decision && member.decision->backend == comm::Backend::kTorchDistributed;
  });
  std::vector<std::string> lines;
  for (const Way& way : ways) {
    if (way.error) {
      lines.push_back(ranks_do(way.ranks, "raises", "raise") + " " + way.what);
    } else if (way.workload_dependent) {
      lines.push_back(ranks_do(way.ranks, "waits", "wait") + " in " + way.what + " for " +
                      ranks_phrase(outside) +
                      " (torch.distributed), never joined: a collective of that kind which the "
                      "torch.distributed members run later on this group meets it instead, so "
                      "what follows depends on the workload");
    } else {
      lines.push_back(ranks_do(way.ranks, "waits", "wait") + " in " + way.what +
                      " until gloo fails it (an awaited peer exits, or the timeout)");
    }
  }
  return lines;
}

void write_member_table(std::ostream& out, const GroupPrediction& group) {
  std::vector<std::vector<std::string>> rows = {
      {"rank", "node", "arch", "init_shm_manager", "threads", "SHM group name", "selection"}};
  for (const MemberPrediction& member : group.members) {
    rows.push_back({std::to_string(member.rank), "node" + std::to_string(member.node),
                    std::string(comm::arch_name(member.arch)), yes_no(member.has_init_shm_manager),
                    std::to_string(member.num_threads),
                    member.shm_group_name.value_or("(VLLM_DIST_IDENT unset)"),
                    selection_text(member)});
  }
  text::write_table(out, rows, "    ");
}

using Facts = std::vector<std::vector<std::string>>;  // rows of (label, text)

// The checks that fail, the name check, its hang and KeyErrors, and a mixed outcome.
void add_selection_facts(Facts& facts, const GroupPrediction& group) {
  for (const std::string& line : failed_lines(group)) facts.push_back({"failed", line});
  if (group.agreement) facts.push_back({"name check", name_check_text(group)});
  const std::vector<int> waiting = ranks_where(group, [](const MemberPrediction& member) {
    return member.fate == MemberFate::kWaitsInAgreement;
  });
  if (!waiting.empty()) {
    std::string hang =
        ranks_do(waiting, "waits", "wait") + " in the name-agreement all_gather_object";
    for (const std::string& reason : absent_reasons(group)) hang += "; " + reason;
    hang +=
        "; the wait fails with gloo's error when an awaited peer's process exits, or at the "
        "process group's timeout";
    facts.push_back({"wait", hang});
  }
  const std::vector<int> raising = ranks_where(
      group, [](const MemberPrediction& member) { return member.fate == MemberFate::kKeyError; });
  if (!raising.empty()) {
    facts.push_back(
        {"error", ranks_do(raising, "raises", "raise") +
                      " KeyError: 'VLLM_DIST_IDENT' (make_group_name, in the name check)"});
  }
  if (group.backend != "mixed") return;
  std::vector<std::string> parts;
  for (const comm::Backend backend : {comm::Backend::kShm, comm::Backend::kTorchDistributed}) {
    const std::vector<int> ranks = ranks_where(group, [backend](const MemberPrediction& member) {
      return member.decision && member.decision->backend == backend;
    });
    if (!ranks.empty()) {
      parts.push_back(ranks_do(ranks, "decides", "decide") + " " +
                      std::string(comm::backend_name(backend)));
    }
  }
  const std::vector<int> undecided =
      ranks_where(group, [](const MemberPrediction& member) { return !member.decision; });
  if (!undecided.empty()) parts.push_back(ranks_do(undecided, "never decides", "never decide"));
  facts.push_back({"mixed", text::join(parts, "; ")});
}

// The record's flags and INFO lines, and what starting the SHM backend does.
void add_outcome_facts(Facts& facts, const GroupPrediction& group) {
  if (group.flags_from) {
    facts.push_back({"flags", "supports_tensor_dict " +
                                  text::bool_text(group.supports_tensor_dict) +
                                  ", use_cpu_custom_send_recv " +
                                  text::bool_text(group.use_cpu_custom_send_recv) + " (from rank " +
                                  std::to_string(*group.flags_from) + ")"});
  }
  for (const std::string& log : group.logs) facts.push_back({"INFO", log});
  const bool starts_shm =
      std::any_of(group.members.begin(), group.members.end(), [](const MemberPrediction& member) {
        return member.decision && member.decision->backend == comm::Backend::kShm;
      });
  if (!starts_shm) return;
  const std::vector<std::string> lines = start_lines(group);
  if (lines.empty()) facts.push_back({"SHM start", "ok on every member"});
  for (const std::string& line : lines) facts.push_back({"SHM start", line});
}

// What the group's backend means for the operations that come after.
void add_notes(Facts& facts, const comm::Policy& policy, const GroupPrediction& group) {
  const int size = static_cast<int>(group.ranks.size());
  if (group.backend == "shm" && group.start_stops.empty() &&
      !policy.shm_allreduce_world_sizes.contains(size)) {
    facts.push_back({"note", "the SHM all_reduce takes " +
                                 int_set_text(policy.shm_allreduce_world_sizes) +
                                 " ranks: an all_reduce here raises RuntimeError: Invalid world "
                                 "size: " +
                                 std::to_string(size)});
  }
  if (group.backend == "torch.distributed" && group.use_cpu_custom_send_recv) {
    // GroupCoordinator routes isend_tensor_dict / irecv_tensor_dict to the communicator's fast
    // path, which the torch.distributed backend lacks (vLLM #37933).
    facts.push_back(
        {"note", "use_cpu_custom_send_recv without SHM: isend_tensor_dict on this group raises " +
                     std::string(policy.has_supports_tensor_dict
                                     ? "NotImplementedError: CpuCommunicator does not support "
                                       "tensor dict fastpath with torch.distributed backend."
                                     : "AttributeError: module 'torch.distributed' has no "
                                       "attribute 'send_tensor_dict'")});
  }
}

// The backend the scenario expects for this group under this policy, against the prediction.
void add_expectation(Facts& facts, const scenario::Scenario& scenario, const comm::Policy& policy,
                     const GroupPrediction& group) {
  const auto expectations = scenario.expect.find(policy.name);
  if (expectations == scenario.expect.end()) return;
  const auto expected = expectations->second.groups.find(group.name);
  if (expected == expectations->second.groups.end() || !expected->second.backend) return;
  const std::string& backend = *expected->second.backend;
  facts.push_back(
      {"expect", "backend " + backend + ": " +
                     (backend == group.backend ? "as predicted" : "the prediction differs")});
}

}  // namespace

void write_group(std::ostream& out, const scenario::Scenario& scenario, const comm::Policy& policy,
                 const GroupPrediction& group) {
  out << "  " << group.name << "  " << ranks_phrase(group.ranks) << "  ->  " << group.backend
      << '\n';
  write_member_table(out, group);
  Facts facts;
  add_selection_facts(facts, group);
  add_outcome_facts(facts, group);
  add_notes(facts, policy, group);
  add_expectation(facts, scenario, policy, group);
  text::write_table(out, facts, "    ");
}

std::string rank_list_text(const std::vector<int>& ranks) {
  std::vector<std::string> items;
  std::size_t begin = 0;
  while (begin < ranks.size()) {
    std::size_t end = begin + 1;
    while (end < ranks.size() && ranks[end] == ranks[end - 1] + 1) ++end;
    if (end - begin >= 3) {
      items.push_back(std::to_string(ranks[begin]) + "-" + std::to_string(ranks[end - 1]));
    } else {
      for (std::size_t i = begin; i < end; ++i) items.push_back(std::to_string(ranks[i]));
    }
    begin = end;
  }
  return text::join(items, ", ");
}

}  // namespace commsim::explain
