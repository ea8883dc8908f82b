// The backend selection of every group vLLM creates, predicted from a scenario and a policy
// without running anything: what `commsim run` records for each group (backend, reason, flags,
// INFO lines) and why, rank by rank.
//
// Every rank creates its groups in vLLM's order (tp, pp, dp; only groups of two or more ranks
// with a device communicator select a backend). In each, it evaluates comm::select_backend with
// its own facts (scenarios/rank_facts.h). The name check (check 4) is a collective: it returns
// only when every member calls it, and then says whether every member built the same SHM group
// name. A member left waiting in it, or one that raises, stops and creates no later group; so do
// the members that stop while the SHM backend starts (shm_start_prediction.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "communicators/backend_selection.h"
#include "communicators/policy.h"
#include "communicators/rank_env.h"
#include "scenarios/scenario.h"
#include "sim/explain/rank_stop.h"

namespace commsim::explain {

// How a member comes out of the backend selection of one group.
enum class MemberFate {
  kDecided,           // the selection ended: `decision` is set
  kKeyError,          // make_group_name raised KeyError('VLLM_DIST_IDENT') in the name check
  kWaitsInAgreement,  // called the name check's all_gather_object, which never returns
  kNotReached,        // stopped in an earlier group, so never creates this one
};

struct MemberPrediction {
  int rank = 0;
  int node = 0;
  comm::Arch arch = comm::Arch::kX86;
  bool has_init_shm_manager = true;
  int num_threads = 1;
  std::optional<std::string> shm_group_name;  // make_group_name; nullopt: VLLM_DIST_IDENT unset
  MemberFate fate = MemberFate::kDecided;
  std::optional<comm::BackendDecision> decision;  // set for kDecided
  std::string stopped_in;                         // kNotReached: the group where it stopped
};

// The name check's collective, when some member calls it.
struct NameAgreement {
  bool returns = false;      // every member called it
  bool names_agree = false;  // it returned true: every member built the same name
};

struct GroupPrediction {
  std::string name;                       // "<kind>:0", as the run record names it
  std::vector<int> ranks;                 // world ranks in group order
  std::vector<MemberPrediction> members;  // in group order
  // As the run record derives them: the backend is "shm" or "torch.distributed" when every member
  // decides it, "mixed" when members decide differently or only some decide, "undecided" when none
  // does; reason and flags come from the first member (in group order) that decides.
  std::string backend = "undecided";
  std::string reason;  // the check that failed, "" for shm or when none decides
  bool supports_tensor_dict = false;
  bool use_cpu_custom_send_recv = false;
  std::optional<int> flags_from;  // the rank reason and flags come from
  std::vector<std::string> logs;  // distinct INFO lines, in group order
  std::optional<NameAgreement> agreement;
  std::vector<RankStop> start_stops;  // members that stop while the SHM backend starts, by rank
};

// Every group with a device communicator and at least two ranks, in the run record's order.
// REQUIRES: the scenario is valid; `policy` has the scenario's policy_switches applied.
std::vector<GroupPrediction> predict_groups(const scenario::Scenario& scenario,
                                            const comm::Policy& policy);

// The members of `group` that stop in it (selection and start), by rank.
std::vector<RankStop> stops_in(const GroupPrediction& group);

}  // namespace commsim::explain
