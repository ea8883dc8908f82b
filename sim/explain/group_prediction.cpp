#include "sim/explain/group_prediction.h"

#include <algorithm>
#include <set>

#include "communicators/cpu_communicator.h"
#include "communicators/group_coordinator.h"
#include "communicators/parallel_state.h"
#include "scenarios/rank_facts.h"
#include "sim/explain/shm_start_prediction.h"

namespace commsim::explain {
namespace {

// What one rank observes, and where it runs.
struct RankView {
  int node = 0;
  comm::NodeFacts facts;
  std::vector<std::string> stale_segments;
};

std::vector<RankView> rank_views(const scenario::Scenario& scenario) {
  const std::vector<int> per_node = scenario.ranks_per_node();
  const std::vector<scenario::LaunchIdent> idents = scenario::launch_idents(scenario);
  std::vector<RankView> views;
  for (int rank = 0; rank < scenario.parallel.world(); ++rank) {
    RankView view;
    view.node = scenario.node_of_rank(rank);
    view.facts = scenario::rank_facts(scenario, rank, view.node,
                                      per_node[static_cast<std::size_t>(view.node)], idents);
    view.stale_segments = scenario.node(view.node).stale_shm_segments;
    views.push_back(std::move(view));
  }
  return views;
}

MemberPrediction member_of(const std::string& name, const std::vector<int>& ranks, int rank,
                           const RankView& view) {
  MemberPrediction member;
  member.rank = rank;
  member.node = view.node;
  member.arch = view.facts.arch;
  member.has_init_shm_manager = view.facts.has_init_shm_manager;
  member.num_threads = view.facts.num_threads;
  const auto ident = view.facts.environment.find("VLLM_DIST_IDENT");
  if (ident != view.facts.environment.end()) {
    member.shm_group_name = comm::shm_group_name(ident->second, name, ranks);
  }
  return member;
}

// Checks 1-3 on every member still creating groups; those that pass them call the name check
// (when the policy has it) and are left undecided here.
void run_local_checks(const comm::Policy& policy, const std::string& name,
                      std::vector<MemberPrediction>& members) {
  for (MemberPrediction& member : members) {
    if (member.fate == MemberFate::kNotReached) continue;
    bool calls_check = false;
    const comm::BackendDecision decision = comm::select_backend(
        policy, member.arch, member.has_init_shm_manager, name, [&calls_check] {
          calls_check = true;
          return true;
        });
    if (!calls_check) {
      member.decision = decision;
    } else if (!member.shm_group_name) {
      member.fate = MemberFate::kKeyError;  // make_group_name raises before the all_gather
    } else {
      member.fate = MemberFate::kWaitsInAgreement;
    }
  }
}

// The name check's all_gather_object: it returns when every member calls it; then each caller
// decides with its result.
std::optional<NameAgreement> run_name_check(const comm::Policy& policy, const std::string& name,
                                            std::vector<MemberPrediction>& members) {
  std::size_t callers = 0;
  std::set<std::string> names;
  for (const MemberPrediction& member : members) {
    if (member.fate == MemberFate::kKeyError || member.fate == MemberFate::kWaitsInAgreement) {
      ++callers;
    }
    if (member.fate == MemberFate::kWaitsInAgreement) names.insert(*member.shm_group_name);
  }
  if (callers == 0) return std::nullopt;
  NameAgreement agreement;
  agreement.returns = std::all_of(members.begin(), members.end(), [](const MemberPrediction& m) {
    return m.fate == MemberFate::kWaitsInAgreement;
  });
  if (!agreement.returns) return agreement;
  agreement.names_agree = names.size() == 1;
  for (MemberPrediction& member : members) {
    member.fate = MemberFate::kDecided;
    member.decision = comm::select_backend(policy, member.arch, member.has_init_shm_manager, name,
                                           [&agreement] { return agreement.names_agree; });
  }
  return agreement;
}

// The record's view of the decisions, as sim/runtime.cpp's group_record derives it.
void summarize(const comm::Policy& policy, GroupPrediction& group) {
  std::set<std::string> backends;
  std::size_t decided = 0;
  for (const MemberPrediction& member : group.members) {
    if (!member.decision) continue;
    const comm::BackendDecision& decision = *member.decision;
    ++decided;
    backends.insert(std::string(comm::backend_name(decision.backend)));
    if (!group.flags_from) {
      group.flags_from = member.rank;
      group.reason = decision.failed ? std::string(comm::check_name(*decision.failed)) : "";
      group.supports_tensor_dict = comm::supports_tensor_dict(policy, decision.backend);
      group.use_cpu_custom_send_recv =
          comm::custom_send_recv(policy, member.has_init_shm_manager, group.supports_tensor_dict);
    }
    if (decision.info_log &&
        std::find(group.logs.begin(), group.logs.end(), *decision.info_log) == group.logs.end()) {
      group.logs.push_back(*decision.info_log);
    }
  }
  if (backends.size() == 1 && decided == group.members.size()) group.backend = *backends.begin();
  if (backends.size() > 1 || (!backends.empty() && decided < group.members.size())) {
    group.backend = "mixed";
  }
}

std::vector<RankStop> start_shm(const comm::Policy& policy, const std::vector<RankView>& views,
                                const GroupPrediction& group) {
  std::vector<ShmStarter> starters;
  for (std::size_t index = 0; index < group.members.size(); ++index) {
    const MemberPrediction& member = group.members[index];
    if (!member.decision || member.decision->backend != comm::Backend::kShm) continue;
    starters.push_back(ShmStarter{member.rank, static_cast<int>(index), member.node,
                                  member.shm_group_name, member.num_threads,
                                  views[static_cast<std::size_t>(member.rank)].stale_segments});
  }
  if (starters.empty()) return {};
  const bool others_running =
      std::any_of(group.members.begin(), group.members.end(), [](const MemberPrediction& member) {
        return member.decision && member.decision->backend == comm::Backend::kTorchDistributed;
      });
  return predict_shm_start(policy, starters, static_cast<int>(group.members.size()),
                           others_running);
}

GroupPrediction predict_group(const comm::Policy& policy, const std::string& name,
                              const std::vector<int>& ranks, const std::vector<RankView>& views,
                              const std::vector<std::string>& stopped_in) {
  GroupPrediction group;
  group.name = name;
  group.ranks = ranks;
  for (int rank : ranks) {
    MemberPrediction member = member_of(name, ranks, rank, views[static_cast<std::size_t>(rank)]);
    const std::string& earlier = stopped_in[static_cast<std::size_t>(rank)];
    if (!earlier.empty()) {
      member.fate = MemberFate::kNotReached;
      member.stopped_in = earlier;
    }
    group.members.push_back(std::move(member));
  }
  run_local_checks(policy, name, group.members);
  group.agreement = run_name_check(policy, name, group.members);
  summarize(policy, group);
  group.start_stops = start_shm(policy, views, group);
  return group;
}

}  // namespace

std::vector<GroupPrediction> predict_groups(const scenario::Scenario& scenario,
                                            const comm::Policy& policy) {
  const std::vector<RankView> views = rank_views(scenario);
  std::vector<std::string> stopped_in(views.size());  // "" while the rank creates groups
  std::vector<GroupPrediction> groups;
  for (const comm::GroupKindLayout& kind : comm::model_parallel_layout(
           scenario.parallel.tensor, scenario.parallel.pipeline, scenario.parallel.data)) {
    if (!kind.use_device_communicator) continue;
    for (const std::vector<int>& ranks : kind.rank_lists) {
      if (ranks.size() < 2) continue;
      // Every process names its first group of a kind "<kind>:0" (one group per kind each).
      GroupPrediction group = predict_group(policy, kind.kind + ":0", ranks, views, stopped_in);
      for (const RankStop& stop : stops_in(group)) {
        stopped_in[static_cast<std::size_t>(stop.rank)] = group.name;
      }
      groups.push_back(std::move(group));
    }
  }
  return groups;
}

std::vector<RankStop> stops_in(const GroupPrediction& group) {
  std::vector<RankStop> stops = group.start_stops;
  for (const MemberPrediction& member : group.members) {
    if (member.fate == MemberFate::kKeyError) {
      stops.push_back(
          RankStop{member.rank, true, "KeyError", "'VLLM_DIST_IDENT'", "all_gather_object"});
    } else if (member.fate == MemberFate::kWaitsInAgreement) {
      stops.push_back(RankStop{member.rank, false, "", "", "all_gather_object"});
    }
  }
  std::sort(stops.begin(), stops.end(),
            [](const RankStop& a, const RankStop& b) { return a.rank < b.rank; });
  // The name check's all_gather_object and the start's collectives are torch.distributed
  // operations, whose waits end as gloo's do (either library).
  for (RankStop& stop : stops) stop.ends_on_gloo = !stop.error;
  return stops;
}

}  // namespace commsim::explain
