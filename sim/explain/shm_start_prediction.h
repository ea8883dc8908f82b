// What starting the SHM backend does, predicted from the members' facts.
//
// A member that decided shm builds its group name (make_group_name, in CpuCommunicator's
// constructor), then _CPUSHMDistributed runs: the MIN all-reduce of thread counts (when the policy
// has it), init_shm_manager (creates this rank's segment), a barrier, join_shm_manager (opens
// every peer's segment on this node), a barrier. A collective returns only when every member of
// the group calls it; the members left waiting in one stop there.
//
// Not modelled: a stale segment that join_shm_manager would open in place of a peer's segment.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "sim/explain/rank_stop.h"

namespace commsim::explain {

// A member of the group that decided shm and starts the backend.
struct ShmStarter {
  int rank = 0;        // world rank
  int group_rank = 0;  // its index in the group's rank list
  int node = 0;
  std::optional<std::string> group_name;    // make_group_name; nullopt: VLLM_DIST_IDENT unset
  int num_threads = 1;                      // torch.get_num_threads() on this rank
  std::vector<std::string> stale_segments;  // segment names already on its node
};

// The members that stop while the backend starts, by world rank; empty when it starts on every
// member. `starters` are in group order; the group has `group_size` members, of which the others
// did not decide shm and never join the backend's collectives. `others_running`: some of those
// decided torch.distributed and go on running (so the waits are workload_dependent).
// REQUIRES: starters.size() <= group_size; group ranks distinct and < group_size.
std::vector<RankStop> predict_shm_start(const comm::Policy& policy,
                                        const std::vector<ShmStarter>& starters, int group_size,
                                        bool others_running);

}  // namespace commsim::explain
