#include "sim/explain/explain_json.h"

#include "scenarios/rank_facts.h"

namespace commsim::explain {
namespace {

using nlohmann::json;

std::string fate_name(MemberFate fate) {
  switch (fate) {
    case MemberFate::kDecided:
      return "decided";
    case MemberFate::kKeyError:
      return "key_error";
    case MemberFate::kWaitsInAgreement:
      return "waits_in_agreement";
    case MemberFate::kNotReached:
      return "not_reached";
  }
  return "unknown";
}

json stop_json(const RankStop& stop) {
  json result = {{"rank", stop.rank}, {"outcome", stop.error ? "error" : "hang"}, {"op", stop.op}};
  if (stop.error) result["error"] = {{"type", stop.type}, {"message", stop.message}};
  if (stop.workload_dependent) result["workload_dependent"] = true;
  if (stop.ends_on_gloo) {
    // Not a hang: gloo's error when a peer exits, or the timeout; which one, the run decides.
    result["outcome"] = "error or timeout";
    result["workload_dependent"] = true;
  }
  return result;
}

json member_json(const MemberPrediction& member) {
  json result = {{"rank", member.rank},
                 {"node", member.node},
                 {"arch", comm::arch_name(member.arch)},
                 {"init_shm_manager", member.has_init_shm_manager},
                 {"threads", member.num_threads},
                 {"shm_group_name", member.shm_group_name ? json(*member.shm_group_name) : json()},
                 {"fate", fate_name(member.fate)}};
  if (member.decision) {
    result["backend"] = comm::backend_name(member.decision->backend);
    result["failed"] =
        member.decision->failed ? json(comm::check_name(*member.decision->failed)) : json();
  }
  if (member.fate == MemberFate::kNotReached) result["stopped_in"] = member.stopped_in;
  return result;
}

json group_json(const GroupPrediction& group) {
  json members = json::array();
  for (const MemberPrediction& member : group.members) members.push_back(member_json(member));
  json stops = json::array();
  for (const RankStop& stop : stops_in(group)) stops.push_back(stop_json(stop));
  json agreement;
  if (group.agreement) {
    agreement = {{"returns", group.agreement->returns},
                 {"names_agree", group.agreement->names_agree}};
  }
  return {{"name", group.name},
          {"ranks", group.ranks},
          {"backend", group.backend},
          {"reason", group.reason},
          {"supports_tensor_dict", group.supports_tensor_dict},
          {"use_cpu_custom_send_recv", group.use_cpu_custom_send_recv},
          {"logs", group.logs},
          {"members", members},
          {"name_check", agreement},
          {"stops", stops}};
}

json nodes_json(const scenario::Scenario& scenario) {
  std::vector<std::vector<int>> placed(static_cast<std::size_t>(scenario.topology.nodes));
  for (int rank = 0; rank < scenario.parallel.world(); ++rank) {
    placed[static_cast<std::size_t>(scenario.node_of_rank(rank))].push_back(rank);
  }
  json nodes = json::array();
  const std::vector<scenario::LaunchIdent> idents = scenario::launch_idents(scenario);
  for (int index = 0; index < scenario.topology.nodes; ++index) {
    const scenario::NodeSpec spec = scenario.node(index);
    const scenario::LaunchIdent& ident = idents[static_cast<std::size_t>(index)];
    nodes.push_back({{"index", index},
                     {"hostname", scenario.node_name(index)},
                     {"arch", comm::arch_name(spec.arch)},
                     {"init_shm_manager", spec.has_init_shm_manager},
                     {"cores", spec.hardware.cores},
                     {"core_flops", spec.hardware.core_flops},
                     {"memory_bandwidth", spec.hardware.memory_bandwidth},
                     {"dist_ident", ident.ident},
                     {"dist_ident_source", scenario::ident_source_name(ident.source)},
                     {"ports_in_use", spec.ports_in_use},
                     {"stale_shm", spec.stale_shm_segments},
                     {"ranks", placed[static_cast<std::size_t>(index)]}});
  }
  return nodes;
}

}  // namespace

json explain_json(const scenario::Scenario& scenario, const comm::Policy& policy,
                  const std::vector<GroupPrediction>& groups) {
  std::vector<int> node_of_rank;
  for (int rank = 0; rank < scenario.parallel.world(); ++rank) {
    node_of_rank.push_back(scenario.node_of_rank(rank));
  }
  json group_list = json::array();
  for (const GroupPrediction& group : groups) group_list.push_back(group_json(group));
  return {{"scenario", scenario.name},
          {"scenario_path", scenario.path},
          {"policy", policy.name},
          {"vllm_commit", policy.source.merged ? json(policy.source.commit) : json(nullptr)},
          {"nodes", nodes_json(scenario)},
          {"placement", {{"kind", scenario.placement.kind}, {"node_of_rank", node_of_rank}}},
          {"groups", group_list}};
}

}  // namespace commsim::explain
