#include "communicators/gloo/group_context.h"

#include "communicators/gloo/env_transport.h"

namespace commsim::comm::gloo_transport {

GroupContext::GroupContext(RankEnv& env, const std::string& group,
                           const std::vector<int>& world_ranks, int own_rank,
                           std::chrono::milliseconds timeout, bool phantom)
    : ::gloo::Context(own_rank, static_cast<int>(world_ranks.size())) {
  device_ = std::make_shared<EnvDevice>(env, group, world_ranks, phantom);
  transportContext_ = device_->createContext(own_rank, size);
  transportContext_->setTimeout(timeout);
  for (int peer = 0; peer < size; ++peer) {
    if (peer != own_rank) transportContext_->createPair(peer);
  }
  setTimeout(timeout);
}

std::shared_ptr<GroupContext> make_group_context(RankEnv& env, const std::string& group,
                                                 const std::vector<int>& world_ranks, int own_rank,
                                                 std::chrono::milliseconds timeout, bool phantom) {
  return std::make_shared<GroupContext>(env, group, world_ranks, own_rank, timeout, phantom);
}

}  // namespace commsim::comm::gloo_transport
