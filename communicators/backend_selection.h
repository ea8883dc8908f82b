// vLLM's CpuCommunicator backend choice, as a function.
//
// The predicate is evaluated in vLLM's order with Python's short-circuit `and`:
//   1. architecture in the policy's allow-list      (platform.get_cpu_architecture())
//   2. hasattr(torch.ops._C, "init_shm_manager")
//   3. unique_name starts with "tp" or "pp"
//   4. all ranks agree on the SHM group name        (a collective; v0.18.0 and later)
// Only a rank whose local checks 1-3 pass calls the collective, so ranks that disagree on 1-3
// leave the others waiting in it: a hang in vLLM, and so in commsim.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "communicators/policy.h"

namespace commsim::comm {

enum class Backend { kTorchDistributed, kShm };

// "torch.distributed" or "shm".
std::string_view backend_name(Backend backend);

enum class SelectionCheck { kArchitecture, kInitShmManagerOp, kGroupName, kNameAgreement };

// "architecture", "init_shm_manager", "group_name", "name_agreement".
std::string_view check_name(SelectionCheck check);

struct BackendDecision {
  Backend backend = Backend::kTorchDistributed;
  std::optional<SelectionCheck> failed;  // the first check that failed; nullopt for shm
  bool agreement_collective_ran = false;
  std::optional<std::string> info_log;  // the INFO line vLLM logs, if it logs one
};

// The INFO line logged when a tp/pp group falls back (v0.18.0 and later), whatever the cause.
std::string fallback_info_line(std::string_view unique_name);

// True for names the SHM path accepts: prefix "tp" or "pp".
bool shm_eligible_group_name(std::string_view unique_name);

// Runs the predicate. `names_agree` is the collective of check 4; it is called at most once, and
// only when checks 1-3 pass and the policy has the name-agreement check.
BackendDecision select_backend(const Policy& policy, Arch arch, bool has_init_shm_manager,
                               std::string_view unique_name,
                               const std::function<bool()>& names_agree);

}  // namespace commsim::comm
