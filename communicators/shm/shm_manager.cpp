#include "communicators/shm/shm_manager.h"

#include <new>

#include "communicators/errors.h"
#include "communicators/shm/torch_check.h"

namespace commsim::comm::shm {
namespace {

// TORCH_CHECK_EQ(lhs, rhs) of ThreadSHMContext::set_context (shm.cpp:108-109 @ 2aab9acf4).
[[noreturn]] void check_eq_failed(std::string_view lhs, std::string_view rhs, long long a,
                                  long long b) {
  throw RuntimeError(torch_check_op_text(lhs, "==", rhs, a, b));
}

}  // namespace

bool no_buffer_conflict(const ThreadShmContext& ctx, int peer) {
  return check_no_buffer_conflict(ctx.local_curr(), ctx.remote_curr(peer));
}

bool stamp_ready(const ThreadShmContext& ctx, int peer) {
  return check_stamp_ready(ctx.local_curr(), ctx.remote_ready(peer));
}

std::string ShmManager::segment_name(const std::string& name, int rank) {
  return name + "_" + std::to_string(rank);
}

ShmManager::ShmManager(RankEnv& env, const std::string& name, int group_size, int rank,
                       int thread_num, std::vector<int> global_ranks)
    : env_(env),
      rank_(rank),
      group_size_(group_size),
      thread_num_(thread_num),
      global_ranks_(std::move(global_ranks)) {
  names_.assign(static_cast<std::size_t>(group_size), "");
  regions_.assign(static_cast<std::size_t>(group_size), nullptr);
  // SHMManager's constructor creates this rank's segment first (shm.cpp:247-248, init_shm at
  // :331-336 @ 2aab9acf4)...
  const std::string own = segment_name(name, rank);
  RegionResult created = env_.create_region(own, segment_bytes(thread_num));
  if (!created.region) {
    throw RuntimeError("create shm in SHMManager failed. errno: " + std::to_string(created.error));
  }
  // ... and only then builds the thread contexts, whose first check is the group size
  // (shm.cpp:250-253, then :75). The constructor throws, so the manager never exists, its
  // destructor never unlinks, and the segment stays on the node: the next start with the same
  // name fails its create with errno 17. (A rank >= 8 indexes past vLLM's arrays of 8 before
  // that, undefined behaviour; commsim treats it as the others.)
  if (group_size > kMaxShmRankNum) {
    throw RuntimeError(torch_check_text("group_size <= " + std::to_string(kMaxShmRankNum)));
  }
  names_[static_cast<std::size_t>(rank)] = own;
  regions_[static_cast<std::size_t>(rank)] = created.region;
  std::byte* base = created.region->bytes().data();
  COMMSIM_CHECK(reinterpret_cast<std::uintptr_t>(base) % kAlignment == 0, "unaligned segment");
  contexts_ = reinterpret_cast<ThreadShmContext*>(base);
  for (int t = 0; t < thread_num; ++t) {
    ThreadShmContext* ctx = new (contexts_ + t) ThreadShmContext(t, thread_num, rank, group_size);
    ctx->shm_contexts[rank] = ctx;
    ctx->thread_shm_ptrs[rank] = base + thread_buffer_offset(thread_num, t);
  }
}

void ShmManager::join(const std::string& name) {
  for (int peer = 0; peer < group_size_; ++peer) {
    if (peer == rank_) continue;
    const std::string peer_name = segment_name(name, peer);
    names_[static_cast<std::size_t>(peer)] = peer_name;
    RegionResult opened = env_.open_region(peer_name);
    if (!opened.region) {
      throw RuntimeError("open shm in SHMManager failed. errno: " + std::to_string(opened.error));
    }
    link(peer, opened.region);
  }
}

void ShmManager::link(int peer, const std::shared_ptr<SharedRegion>& region) {
  regions_[static_cast<std::size_t>(peer)] = region;
  std::byte* base = region->bytes().data();
  auto* target = reinterpret_cast<ThreadShmContext*>(base);
  for (int t = 0; t < thread_num_; ++t) {
    ThreadShmContext& own = contexts_[t];
    const ThreadShmContext& theirs = target[t];
    if (theirs.thread_num != own.thread_num) {
      check_eq_failed("ptr->thread_num", "thread_num", theirs.thread_num, own.thread_num);
    }
    if (theirs.thread_id != own.thread_id) {
      check_eq_failed("ptr->thread_id", "thread_id", theirs.thread_id, own.thread_id);
    }
    own.shm_contexts[peer] = target + t;
    own.thread_shm_ptrs[peer] = base + thread_buffer_offset(thread_num_, t);
  }
}

void ShmManager::unlink_all() {
  for (std::string& name : names_) {
    if (!name.empty()) env_.unlink_region(name);
    name.clear();
  }
}

void ShmManager::wait_for_one(ThreadShmContext* ctx, int peer,
                              const std::function<bool(const ThreadShmContext&, int)>& cond) {
  const auto ready = [&] { return cond(*ctx, peer); };
  if (ready()) return;
  ++ctx->spinning_count;
  env_.wait_until(ready, global_ranks_[static_cast<std::size_t>(peer)]);
}

void ShmManager::wait_for_all(ThreadShmContext* ctx,
                              const std::function<bool(const ThreadShmContext&, int)>& cond) {
  for (int i = 1; i < group_size_; ++i) wait_for_one(ctx, ctx->swizzled_ranks[i], cond);
}

}  // namespace commsim::comm::shm
