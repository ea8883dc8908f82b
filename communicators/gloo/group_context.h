// GroupContext: a gloo::Context for one process group on one rank, connected through the RankEnv
// transport (env_transport.h). All ranks of a run share one process, so no rendezvous store is
// needed: the context creates its pairs directly, where PyTorch's ProcessGroupGloo connects a full
// mesh through its store.
#pragma once

#include <gloo/context.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "communicators/rank_env.h"

namespace commsim::comm::gloo_transport {

// PyTorch's default process-group timeout for gloo: 30 minutes (kProcessGroupDefaultTimeout,
// torch/csrc/distributed/c10d/Backend.hpp; *inferred* at torch 2.11).
inline constexpr std::chrono::milliseconds kDefaultTimeout = std::chrono::minutes(30);

class GroupContext final : public ::gloo::Context {
 public:
  // `group` names the group on the wire, the same on every member; `world_ranks` are its members'
  // world ranks in group order; `rank` is this process's group rank. `phantom`: the tensors have
  // no bytes, so messages carry sizes only.
  GroupContext(RankEnv& env, const std::string& group, const std::vector<int>& world_ranks,
               int own_rank, std::chrono::milliseconds timeout = kDefaultTimeout,
               bool phantom = false);
};

// A shared GroupContext, as gloo's option classes take it.
std::shared_ptr<GroupContext> make_group_context(
    RankEnv& env, const std::string& group, const std::vector<int>& world_ranks, int own_rank,
    std::chrono::milliseconds timeout = kDefaultTimeout, bool phantom = false);

}  // namespace commsim::comm::gloo_transport
