// Policy: the switches that differ between vLLM versions, and the named profiles.
//
// A profile is one vLLM code state: a commit of vLLM's history (or, for the one variant, a PR
// revision that was never merged), with the values of the switches at that state and a citation
// of where each comes from. A scenario names a profile; `commsim profiles` lists them with their
// commits and how each differs from the one before.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "communicators/rank_env.h"

namespace commsim::comm {

// Which rule sets GroupCoordinator.use_cpu_custom_send_recv.
enum class CustomSendRecvRule {
  kOpPresent,           // is_cpu and hasattr(torch.ops._C, "init_shm_manager")      (<= v0.18.0)
  kSupportsTensorDict,  // is_cpu and comm and comm.supports_tensor_dict            (>= PR #40150)
};

// Where a profile comes from: the vLLM code state it reproduces, and what differs from the
// profile it is described against. Every difference cites `file:line @ commit` of vLLM.
struct ProfileSource {
  std::string commit;         // vLLM commit (short hash); empty for an unmerged revision
  std::string date;           // the commit's date, YYYY-MM-DD; empty for an unmerged revision
  std::string state;          // one line: which code state this is
  bool merged = true;         // false: a PR revision that never reached vLLM's main branch
  std::string compared_with;  // the profile `differences` are relative to; empty for the first
  std::vector<std::string> differences;
};

struct Policy {
  std::string name;
  std::set<Arch> arch_allow;             // CpuCommunicator's architecture gate
  bool name_agreement_check = true;      // PR #34169: all_gather_object of the SHM group names
  bool fallback_info_log = true;         // PR #34169: INFO line when a tp/pp group falls back
  bool has_supports_tensor_dict = true;  // PR #40150: attribute and NotImplementedError guards
  CustomSendRecvRule custom_send_recv_rule = CustomSendRecvRule::kSupportsTensorDict;
  bool thread_num_min_allreduce = true;  // PR #33317: MIN all-reduce of thread counts
  std::set<int> shm_allreduce_world_sizes{2, 3, 4, 8};
  int shm_max_ranks = 8;
  ProfileSource source;
};

// The profile called `name`, or nullopt.
std::optional<Policy> find_policy(std::string_view name);
// Every profile, in the order `commsim profiles` lists them: vLLM's history, with the unmerged
// revision right after the merge it is a variant of.
const std::vector<Policy>& all_policies();
// Every profile name, in that order.
std::vector<std::string> policy_names();

}  // namespace commsim::comm
