// vLLM's initialize_model_parallel: which ranks form which group, and each rank's coordinators.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "communicators/group_coordinator.h"
#include "communicators/policy.h"
#include "communicators/rank_env.h"

namespace commsim::comm {

// One group kind and all its rank lists.
struct GroupKindLayout {
  std::string kind;  // "world", "tp", "pp", "dp"
  std::vector<std::vector<int>> rank_lists;
  bool use_device_communicator = true;  // false for "world"
  // true for "tp" (initialize_model_parallel, parallel_state.py:1577-1583 @ 2aab9acf4)
  bool use_message_queue_broadcaster = false;
};

// The rank lists of initialize_model_parallel for W = tensor * pipeline * data ranks, from
// all_ranks = arange(W).reshape(-1, DP, PP, PCP=1, TP): TP = view(-1, TP), PP =
// transpose(2, 4).reshape(-1, PP), DP = transpose(1, 4).reshape(-1, DP); plus "world" first.
// Kinds come in vLLM's creation order: world, tp, pp, dp.
std::vector<GroupKindLayout> model_parallel_layout(int tensor, int pipeline, int data);

// The coordinators one rank belongs to, created in layout order with vLLM's per-process name
// counter (_get_unique_name), so every rank's TP group is "tp:0", its PP group "pp:0", ...
// Construction runs each group's backend selection and may throw or block as vLLM does.
// initialize() may throw part-way; the groups created before the failure stay readable, so a
// report can say what they decided.
// A backend decision one rank made for one of its groups.
struct DecidedGroup {
  std::string unique_name;
  std::vector<int> ranks;
  BackendDecision decision;
};

class ParallelState {
 public:
  void initialize(RankEnv& env, const Policy& policy, const std::vector<GroupKindLayout>& layout);

  // The coordinator of `kind` this rank belongs to. REQUIRES: kind is in the layout.
  GroupCoordinator& group(const std::string& kind);
  // Process exit: every coordinator releases what it holds (SHM segment names are unlinked).
  void shutdown();

  // Every backend decision this rank made, in order, including one whose backend then failed to
  // start (the coordinator of that group does not exist).
  const std::vector<DecidedGroup>& decided() const { return decided_; }

  // All coordinators of this rank in creation order.
  const std::vector<std::unique_ptr<GroupCoordinator>>& groups() const { return groups_; }

 private:
  std::vector<std::unique_ptr<GroupCoordinator>> groups_;
  std::map<std::string, GroupCoordinator*> by_kind_;
  std::vector<DecidedGroup> decided_;
};

}  // namespace commsim::comm
