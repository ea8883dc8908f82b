// ShmManager: vLLM's SHMManager. init_shm_manager creates this rank's segment and thread
// contexts; join_shm_manager opens every other rank's segment and links the contexts; at process
// exit every name it knows is unlinked. Segments live in the node's namespace (RankEnv regions),
// so a segment created on another node cannot be opened: errno 2, as with /dev/shm.
// One per (group, member rank); used by that rank only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "communicators/rank_env.h"
#include "communicators/shm/shm_protocol.h"

namespace commsim::comm::shm {

class ShmManager {
 public:
  // init_shm_manager(name, group_size, rank, thread_num). `global_ranks` maps group ranks to
  // world ranks (for hang reports). Throws RuntimeError with vLLM's texts, in vLLM's order:
  // "create shm in SHMManager failed. errno: 17" when the name already exists on this node;
  // otherwise the segment is created, and then group_size > 8 fails PyTorch's TORCH_CHECK
  // ("Expected group_size <= 8 to be true, ..."), leaving the segment on the node.
  ShmManager(RankEnv& env, const std::string& name, int group_size, int rank, int thread_num,
             std::vector<int> global_ranks);
  ShmManager(const ShmManager&) = delete;
  ShmManager& operator=(const ShmManager&) = delete;

  // join_shm_manager: "open shm in SHMManager failed. errno: 2" when a peer's segment is not on
  // this node; "Check failed: ptr->thread_num == thread_num (a vs. b). " (TORCH_CHECK_EQ) when a
  // peer's thread_num or thread_id differ.
  void join(const std::string& name);

  // What the destructor of vLLM's manager does at process exit: unlink every known name.
  void unlink_all();

  // The segment name of group rank `rank`: "<name>_<rank>".
  static std::string segment_name(const std::string& name, int rank);

  RankEnv& env() { return env_; }
  int rank() const { return rank_; }
  int group_size() const { return group_size_; }
  int thread_num() const { return thread_num_; }
  ThreadShmContext* context(int thread) { return contexts_ + thread; }

  // Blocks until cond(ctx, peer) holds for group rank `peer` (wait_for_one).
  void wait_for_one(ThreadShmContext* ctx, int peer,
                    const std::function<bool(const ThreadShmContext&, int)>& cond);
  // wait_for_one for every other rank, in swizzled order (rank+1, rank+2, ...).
  void wait_for_all(ThreadShmContext* ctx,
                    const std::function<bool(const ThreadShmContext&, int)>& cond);

 private:
  void link(int peer, const std::shared_ptr<SharedRegion>& region);

  RankEnv& env_;
  int rank_;
  int group_size_;
  int thread_num_;
  std::vector<int> global_ranks_;
  std::vector<std::string> names_;                      // by group rank; "" = not known
  std::vector<std::shared_ptr<SharedRegion>> regions_;  // by group rank; the mappings
  ThreadShmContext* contexts_ = nullptr;                // this rank's ctx[0..T-1]
};

// The two conditions as wait_for_one callbacks on a thread context.
bool no_buffer_conflict(const ThreadShmContext& ctx, int peer);
bool stamp_ready(const ThreadShmContext& ctx, int peer);

}  // namespace commsim::comm::shm
