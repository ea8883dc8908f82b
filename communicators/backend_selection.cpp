#include "communicators/backend_selection.h"

namespace commsim::comm {

std::string_view backend_name(Backend backend) {
  return backend == Backend::kShm ? "shm" : "torch.distributed";
}

std::string_view check_name(SelectionCheck check) {
  switch (check) {
    case SelectionCheck::kArchitecture:
      return "architecture";
    case SelectionCheck::kInitShmManagerOp:
      return "init_shm_manager";
    case SelectionCheck::kGroupName:
      return "group_name";
    case SelectionCheck::kNameAgreement:
      return "name_agreement";
  }
  return "unknown";
}

std::string fallback_info_line(std::string_view unique_name) {
  return "CPU SHM communicator disabled for group " + std::string(unique_name) +
         ": ranks do not share the same SHM group name, falling back to torch.distributed.";
}

bool shm_eligible_group_name(std::string_view unique_name) {
  return unique_name.starts_with("tp") || unique_name.starts_with("pp");
}

BackendDecision select_backend(const Policy& policy, Arch arch, bool has_init_shm_manager,
                               std::string_view unique_name,
                               const std::function<bool()>& names_agree) {
  BackendDecision decision;
  if (!policy.arch_allow.contains(arch)) {
    decision.failed = SelectionCheck::kArchitecture;
  } else if (!has_init_shm_manager) {
    decision.failed = SelectionCheck::kInitShmManagerOp;
  } else if (!shm_eligible_group_name(unique_name)) {
    decision.failed = SelectionCheck::kGroupName;
  } else if (policy.name_agreement_check) {
    decision.agreement_collective_ran = true;
    if (!names_agree()) decision.failed = SelectionCheck::kNameAgreement;
  }
  if (!decision.failed) {
    decision.backend = Backend::kShm;
    return decision;
  }
  // The `elif` of vLLM: the line blames the group name whatever check failed.
  if (policy.fallback_info_log && shm_eligible_group_name(unique_name)) {
    decision.info_log = fallback_info_line(unique_name);
  }
  return decision;
}

}  // namespace commsim::comm
