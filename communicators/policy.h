// Policy: the switches that differ between vLLM versions, and the named profiles.
//
// Values follow the vLLM reference (profiles vllm-pre-34169, vllm-0.18.0, vllm-pr40150 with the
// x86-only architecture gate, vllm-pr40150-arm). A scenario names a profile.
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
};

// The profile called `name`, or nullopt.
std::optional<Policy> find_policy(std::string_view name);
// Every profile name, in release order.
std::vector<std::string> policy_names();

}  // namespace commsim::comm
