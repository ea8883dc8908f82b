#include "communicators/parallel_state.h"

#include <algorithm>
#include <numeric>

#include "communicators/errors.h"

namespace commsim::comm {

std::vector<GroupKindLayout> model_parallel_layout(int tensor, int pipeline, int data) {
  const int world = tensor * pipeline * data;
  // Global rank of coordinates (data d, pipeline p, tensor t); the outer -1 dimension is 1.
  const auto rank_of = [&](int d, int p, int t) { return (d * pipeline + p) * tensor + t; };

  GroupKindLayout world_kind{"world", {std::vector<int>(static_cast<std::size_t>(world))}, false};
  std::iota(world_kind.rank_lists[0].begin(), world_kind.rank_lists[0].end(), 0);

  GroupKindLayout tp{"tp", {}, true, true};
  for (int d = 0; d < data; ++d) {
    for (int p = 0; p < pipeline; ++p) {
      std::vector<int> ranks;
      for (int t = 0; t < tensor; ++t) ranks.push_back(rank_of(d, p, t));
      tp.rank_lists.push_back(ranks);
    }
  }
  GroupKindLayout pp{"pp", {}, true};
  for (int d = 0; d < data; ++d) {
    for (int t = 0; t < tensor; ++t) {
      std::vector<int> ranks;
      for (int p = 0; p < pipeline; ++p) ranks.push_back(rank_of(d, p, t));
      pp.rank_lists.push_back(ranks);
    }
  }
  GroupKindLayout dp{"dp", {}, true};
  for (int t = 0; t < tensor; ++t) {
    for (int p = 0; p < pipeline; ++p) {
      std::vector<int> ranks;
      for (int d = 0; d < data; ++d) ranks.push_back(rank_of(d, p, t));
      dp.rank_lists.push_back(ranks);
    }
  }
  return {world_kind, tp, pp, dp};
}

void ParallelState::initialize(RankEnv& env, const Policy& policy,
                               const std::vector<GroupKindLayout>& layout) {
  std::map<std::string, int> name_counter;  // _get_unique_name's per-process counter
  for (const GroupKindLayout& kind : layout) {
    for (const std::vector<int>& ranks : kind.rank_lists) {
      if (std::find(ranks.begin(), ranks.end(), env.world_rank()) == ranks.end()) continue;
      const std::string unique_name = kind.kind + ":" + std::to_string(name_counter[kind.kind]++);
      const DecisionObserver record = [&](const BackendDecision& decision) {
        decided_.push_back(DecidedGroup{unique_name, ranks, decision});
      };
      groups_.push_back(std::make_unique<GroupCoordinator>(env, policy, unique_name, ranks,
                                                           kind.use_device_communicator, record,
                                                           kind.use_message_queue_broadcaster));
      by_kind_[kind.kind] = groups_.back().get();
    }
  }
}

void ParallelState::shutdown() {
  for (const auto& coordinator : groups_) coordinator->shutdown();
}

GroupCoordinator& ParallelState::group(const std::string& kind) {
  const auto it = by_kind_.find(kind);
  COMMSIM_CHECK(it != by_kind_.end(), "no " + kind + " group for this rank");
  return *it->second;
}

}  // namespace commsim::comm
