#include "sim/explain/explain_text.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "results/text_format.h"
#include "scenarios/rank_facts.h"
#include "sim/explain/group_text.h"
#include "sim/explain/model_text.h"

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
  // The code state the profile reproduces (commsim profiles lists how each differs).
  const comm::ProfileSource& source = policy.source;
  rows.push_back({"", source.merged
                          ? "vLLM " + source.commit + " (" + source.date + "): " + source.state
                          : "unmerged: " + source.state});
  rows.push_back({"", "selection: arch_allow " + arch_set_text(policy.arch_allow) +
                          ", name_agreement_check " + text::bool_text(policy.name_agreement_check) +
                          ", fallback_info_log " + text::bool_text(policy.fallback_info_log)});
  rows.push_back(
      {"", "then: supports_tensor_dict " + text::bool_text(policy.has_supports_tensor_dict) +
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
  std::vector<std::vector<std::string>> rows = {{"node", "host", "preset", "arch",
                                                 "init_shm_manager", "cores", "GFLOP/s/core",
                                                 "memory GB/s", "VLLM_DIST_IDENT", "ranks"}};
  const std::vector<int> counts = scenario.ranks_per_node();
  std::vector<std::vector<int>> placed(counts.size());
  for (int rank = 0; rank < scenario.parallel.world(); ++rank) {
    placed[static_cast<std::size_t>(scenario.node_of_rank(rank))].push_back(rank);
  }
  const std::vector<scenario::LaunchIdent> idents = scenario::launch_idents(scenario);
  for (int index = 0; index < scenario.topology.nodes; ++index) {
    const scenario::NodeSpec spec = scenario.node(index);
    const scenario::LaunchIdent& ident = idents[static_cast<std::size_t>(index)];
    const std::vector<int>& ranks = placed[static_cast<std::size_t>(index)];
    rows.push_back(
        {std::to_string(index), scenario.node_name(index), spec.preset.empty() ? "-" : spec.preset,
         std::string(comm::arch_name(spec.arch)), yes_no(spec.has_init_shm_manager),
         std::to_string(spec.hardware.cores), number_text(spec.hardware.core_flops / 1e9),
         number_text(spec.hardware.memory_bandwidth / 1e9),
         ident.source == scenario::IdentSource::kEnvironment
             ? ident.ident
             : ident.ident + " (" + scenario::ident_source_name(ident.source) + ")",
         std::to_string(ranks.size()) + (ranks.empty() ? "" : ": " + rank_list_text(ranks))});
  }
  text::write_table(out, rows, "  ");
  for (int index = 0; index < scenario.topology.nodes; ++index) {
    for (const std::string& name : scenario.node(index).stale_shm_segments) {
      out << "  " << scenario.node_name(index) << " has a stale SHM segment: " << name << '\n';
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
                        const comm::Policy& policy, const std::vector<GroupPrediction>& groups,
                        const std::function<void(std::ostream&)>& write_network) {
  write_header(out, scenario, policy);
  out << '\n';
  write_nodes(out, scenario);
  out << '\n';
  if (write_network) {
    write_network(out);
    out << '\n';
  }
  write_placement(out, scenario);
  out << '\n';
  if (scenario.workload.kind == "model") {
    write_model(out, scenario);
    out << '\n';
  }
  write_groups(out, scenario, policy, groups);
}

}  // namespace commsim::explain
