#include "sim/explain/explain_text.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "results/text_format.h"
#include "scenarios/rank_facts.h"

namespace commsim::explain {
namespace {

namespace text = results::text;

std::string yes_no(bool value) { return value ? "yes" : "no"; }

// A number as people write it: "100", "12.5", "0.25" (at most six significant digits).
std::string number_text(double value) {
  std::ostringstream out;
  out.precision(6);
  out << value;
  return out.str();
}

std::string int_set_text(const std::set<int>& values) {
  return text::int_list(std::vector<int>(values.begin(), values.end()));
}

std::string arch_set_text(const std::set<comm::Arch>& archs) {
  std::vector<std::string> names;
  for (comm::Arch arch : archs) names.emplace_back(comm::arch_name(arch));
  return "[" + text::join(names, ", ") + "]";
}

std::string rule_text(comm::CustomSendRecvRule rule) {
  return rule == comm::CustomSendRecvRule::kOpPresent ? "op_present" : "supports_tensor_dict";
}

// The scenario's policy_switches as "key value" items, in the scenario file's key names.
std::vector<std::string> switch_items(const scenario::PolicySwitches& switches) {
  std::vector<std::string> items;
  if (switches.arch_allow) items.push_back("arch_allow " + arch_set_text(*switches.arch_allow));
  if (switches.name_agreement_check) {
    items.push_back("name_agreement_check " + text::bool_text(*switches.name_agreement_check));
  }
  if (switches.fallback_info_log) {
    items.push_back("fallback_info_log " + text::bool_text(*switches.fallback_info_log));
  }
  if (switches.has_supports_tensor_dict) {
    items.push_back("supports_tensor_dict " + text::bool_text(*switches.has_supports_tensor_dict));
  }
  if (switches.custom_send_recv_rule) {
    items.push_back("custom_send_recv_rule " + rule_text(*switches.custom_send_recv_rule));
  }
  if (switches.thread_num_min_allreduce) {
    items.push_back("thread_num_min_allreduce " +
                    text::bool_text(*switches.thread_num_min_allreduce));
  }
  if (switches.shm_allreduce_world_sizes) {
    items.push_back("shm_allreduce_world_sizes " +
                    int_set_text(*switches.shm_allreduce_world_sizes));
  }
  return items;
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
      if (decision.failed)
        result += " (failed " + std::string(comm::check_name(*decision.failed)) + ")";
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
  std::vector<std::string> names;
  for (const MemberPrediction& member : group.members) {
    names.push_back("rank " + std::to_string(member.rank) + " builds " + *member.shm_group_name);
  }
  return "returns false: " + text::join(names, ", ");
}

// The SHM start's outcome, one line per distinct way members stop, in order of their first rank.
std::vector<std::string> start_lines(const GroupPrediction& group) {
  struct Way {
    bool error = false;
    std::string what;
    std::vector<int> ranks;
  };
  std::vector<Way> ways;
  for (const RankStop& stop : group.start_stops) {
    const std::string what = stop.error ? error_text(stop) + " (" + stop.op + ")" : stop.op;
    auto found = std::find_if(ways.begin(), ways.end(), [&](const Way& way) {
      return way.error == stop.error && way.what == what;
    });
    if (found == ways.end()) {
      ways.push_back(Way{stop.error, what, {stop.rank}});
    } else {
      found->ranks.push_back(stop.rank);
    }
  }
  std::vector<std::string> lines;
  for (const Way& way : ways) {
    lines.push_back(way.error ? ranks_do(way.ranks, "raises", "raise") + " " + way.what
                              : ranks_do(way.ranks, "waits", "wait") + " for ever in " + way.what);
  }
  return lines;
}

void write_group(std::ostream& out, const scenario::Scenario& scenario, const comm::Policy& policy,
                 const GroupPrediction& group) {
  out << "  " << group.name << "  " << ranks_phrase(group.ranks) << "  ->  " << group.backend
      << '\n';
  std::vector<std::vector<std::string>> members = {
      {"rank", "node", "arch", "init_shm_manager", "threads", "SHM group name", "selection"}};
  for (const MemberPrediction& member : group.members) {
    members.push_back({std::to_string(member.rank), "node" + std::to_string(member.node),
                       std::string(comm::arch_name(member.arch)),
                       yes_no(member.has_init_shm_manager), std::to_string(member.num_threads),
                       member.shm_group_name.value_or("(VLLM_DIST_IDENT unset)"),
                       selection_text(member)});
  }
  text::write_table(out, members, "    ");

  std::vector<std::vector<std::string>> facts;
  for (const std::string& line : failed_lines(group)) facts.push_back({"failed", line});
  if (group.agreement) facts.push_back({"name check", name_check_text(group)});
  const std::vector<int> waiting = ranks_where(group, [](const MemberPrediction& member) {
    return member.fate == MemberFate::kWaitsInAgreement;
  });
  if (!waiting.empty()) {
    std::string hang =
        ranks_do(waiting, "waits", "wait") + " in the name-agreement all_gather_object";
    for (const std::string& reason : absent_reasons(group)) hang += "; " + reason;
    facts.push_back({"hang", hang});
  }
  const std::vector<int> raising = ranks_where(
      group, [](const MemberPrediction& member) { return member.fate == MemberFate::kKeyError; });
  if (!raising.empty()) {
    facts.push_back(
        {"error", ranks_do(raising, "raises", "raise") +
                      " KeyError: 'VLLM_DIST_IDENT' (make_group_name, in the name check)"});
  }
  if (group.backend == "mixed") {
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
  if (starts_shm) {
    const std::vector<std::string> lines = start_lines(group);
    if (lines.empty()) facts.push_back({"SHM start", "ok on every member"});
    for (const std::string& line : lines) facts.push_back({"SHM start", line});
  }
  const int size = static_cast<int>(group.ranks.size());
  if (group.backend == "shm" && !policy.shm_allreduce_world_sizes.contains(size)) {
    facts.push_back({"note", "the SHM all_reduce takes " +
                                 int_set_text(policy.shm_allreduce_world_sizes) +
                                 " ranks: an all_reduce here raises RuntimeError: Invalid world "
                                 "size: " +
                                 std::to_string(size)});
  }
  const auto expectations = scenario.expect.find(policy.name);
  if (expectations != scenario.expect.end()) {
    const auto expected = expectations->second.groups.find(group.name);
    if (expected != expectations->second.groups.end() && expected->second.backend) {
      const std::string& backend = *expected->second.backend;
      facts.push_back(
          {"expect", "backend " + backend + ": " +
                         (backend == group.backend ? "as predicted" : "the prediction differs")});
    }
  }
  text::write_table(out, facts, "    ");
}

// Consecutive ranks on one node as "a-b -> nodeN" items.
std::string rank_map_text(const scenario::Scenario& scenario) {
  std::vector<std::string> items;
  const int world = scenario.parallel.world();
  int first = 0;
  for (int rank = 1; rank <= world; ++rank) {
    if (rank < world && scenario.node_of_rank(rank) == scenario.node_of_rank(first)) continue;
    const std::string span = rank - 1 == first
                                 ? std::to_string(first)
                                 : std::to_string(first) + "-" + std::to_string(rank - 1);
    items.push_back(span + " -> node" + std::to_string(scenario.node_of_rank(first)));
    first = rank;
  }
  return text::join(items, ", ");
}

}  // namespace

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

void write_header(std::ostream& out, const scenario::Scenario& scenario,
                  const comm::Policy& policy) {
  const scenario::Parallel& parallel = scenario.parallel;
  std::vector<std::vector<std::string>> rows = {
      {"scenario",
       scenario.name + (scenario.description.empty() ? "" : ": " + scenario.description)},
      {"file", scenario.path},
      {"parallel", "tensor " + std::to_string(parallel.tensor) + ", pipeline " +
                       std::to_string(parallel.pipeline) + ", data " +
                       std::to_string(parallel.data) + " (" + std::to_string(parallel.world()) +
                       " ranks)"},
  };
  const std::vector<std::string> switches = switch_items(scenario.policy_switches);
  rows.push_back({"policy", policy.name + (switches.empty() ? ""
                                                            : " with the scenario's switches " +
                                                                  text::join(switches, ", "))});
  rows.push_back({"", "selection: arch_allow " + arch_set_text(policy.arch_allow) +
                          ", name_agreement_check " + text::bool_text(policy.name_agreement_check) +
                          ", fallback_info_log " + text::bool_text(policy.fallback_info_log)});
  rows.push_back(
      {"", "afterwards: supports_tensor_dict " + text::bool_text(policy.has_supports_tensor_dict) +
               ", custom_send_recv_rule " + rule_text(policy.custom_send_recv_rule) +
               ", thread_num_min_allreduce " + text::bool_text(policy.thread_num_min_allreduce)});
  if (!scenario.faults.empty()) {
    rows.push_back({"faults", std::to_string(scenario.faults.size()) +
                                  " in the scenario; explain does not model them (they act at "
                                  "simulated times during the run)"});
  }
  text::write_table(out, rows, "");
}

void write_nodes(std::ostream& out, const scenario::Scenario& scenario) {
  out << "nodes\n";
  std::vector<std::vector<std::string>> rows = {{"node", "host", "arch", "init_shm_manager",
                                                 "cores", "GFLOP/s/core", "memory GB/s",
                                                 "VLLM_DIST_IDENT", "ranks"}};
  const std::vector<int> counts = scenario.ranks_per_node();
  std::vector<std::vector<int>> placed(counts.size());
  for (int rank = 0; rank < scenario.parallel.world(); ++rank) {
    placed[static_cast<std::size_t>(scenario.node_of_rank(rank))].push_back(rank);
  }
  for (int index = 0; index < scenario.topology.nodes; ++index) {
    const scenario::NodeSpec spec = scenario.node(index);
    const auto ident = spec.environment.find("VLLM_DIST_IDENT");
    const std::vector<int>& ranks = placed[static_cast<std::size_t>(index)];
    rows.push_back(
        {std::to_string(index), "node" + std::to_string(index),
         std::string(comm::arch_name(spec.arch)), yes_no(spec.has_init_shm_manager),
         std::to_string(spec.hardware.cores), number_text(spec.hardware.core_flops / 1e9),
         number_text(spec.hardware.memory_bandwidth / 1e9),
         ident != spec.environment.end()
             ? ident->second
             : std::to_string(scenario::kFirstLaunchPort + index) + " (launcher)",
         std::to_string(ranks.size()) + (ranks.empty() ? "" : ": " + rank_list_text(ranks))});
  }
  text::write_table(out, rows, "  ");
  for (int index = 0; index < scenario.topology.nodes; ++index) {
    for (const std::string& name : scenario.node(index).stale_shm_segments) {
      out << "  node" << index << " has a stale SHM segment: " << name << '\n';
    }
  }
}

void write_placement(std::ostream& out, const scenario::Scenario& scenario) {
  out << "placement\n";
  std::vector<std::vector<std::string>> rows = {{"kind", scenario.placement.kind}};
  if (!scenario.placement.oversubscribe) {
    rows.push_back({"", "no node may run more ranks than it has cores"});
  }
  rows.push_back({"ranks", rank_map_text(scenario)});
  text::write_table(out, rows, "  ");
}

void write_groups(std::ostream& out, const scenario::Scenario& scenario, const comm::Policy& policy,
                  const std::vector<GroupPrediction>& groups) {
  out << "groups\n";
  if (groups.empty()) out << "  none: no group of two or more ranks selects a backend\n";
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) out << '\n';
    write_group(out, scenario, policy, groups[i]);
  }
}

void write_explain_text(std::ostream& out, const scenario::Scenario& scenario,
                        const comm::Policy& policy, const std::vector<GroupPrediction>& groups) {
  write_header(out, scenario, policy);
  out << '\n';
  write_nodes(out, scenario);
  out << '\n';
  // network section: printed by the platform's link and route listing (sim/platform), here,
  // between the nodes and the placement.
  write_placement(out, scenario);
  out << '\n';
  write_groups(out, scenario, policy, groups);
}

}  // namespace commsim::explain
