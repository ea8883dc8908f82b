#include "communicators/policy.h"

namespace commsim::comm {
namespace {

std::vector<Policy> make_profiles() {
  Policy pre34169{.name = "vllm-pre-34169",
                  .arch_allow = {Arch::kX86, Arch::kArm},
                  .name_agreement_check = false,
                  .fallback_info_log = false,
                  .has_supports_tensor_dict = false,
                  .custom_send_recv_rule = CustomSendRecvRule::kOpPresent};
  Policy v0180 = pre34169;
  v0180.name = "vllm-0.18.0";
  v0180.name_agreement_check = true;
  v0180.fallback_info_log = true;
  Policy pr40150 = v0180;
  pr40150.name = "vllm-pr40150";
  pr40150.arch_allow = {Arch::kX86};
  pr40150.has_supports_tensor_dict = true;
  pr40150.custom_send_recv_rule = CustomSendRecvRule::kSupportsTensorDict;
  Policy pr40150_arm = pr40150;
  pr40150_arm.name = "vllm-pr40150-arm";
  pr40150_arm.arch_allow = {Arch::kX86, Arch::kArm};
  return {pre34169, v0180, pr40150, pr40150_arm};
}

const std::vector<Policy>& profiles() {
  static const std::vector<Policy> kProfiles = make_profiles();
  return kProfiles;
}

}  // namespace

std::optional<Policy> find_policy(std::string_view name) {
  for (const Policy& policy : profiles()) {
    if (policy.name == name) return policy;
  }
  return std::nullopt;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const Policy& policy : profiles()) names.push_back(policy.name);
  return names;
}

}  // namespace commsim::comm
