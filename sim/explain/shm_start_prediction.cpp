#include "sim/explain/shm_start_prediction.h"

#include <algorithm>

#include "communicators/shm/shm_manager.h"
#include "communicators/shm/shm_protocol.h"

namespace commsim::explain {
namespace {

RankStop error_stop(int rank, std::string type, std::string message, std::string op) {
  return RankStop{rank, true, std::move(type), std::move(message), std::move(op)};
}

// TORCH_CHECK_EQ's wording, as ShmManager raises it.
std::string check_eq_message(const std::string& expression, int theirs, int own) {
  return "Check failed: " + expression + " (" + std::to_string(theirs) + " vs. " +
         std::to_string(own) + "). ";
}

// The error join_shm_manager raises on `self`, if any: it opens each peer's segment in group
// order on its own node, then compares that peer's thread count with its own.
std::optional<RankStop> join_error(const ShmStarter& self, const std::vector<ShmStarter>& members,
                                   const std::vector<int>& threads) {
  for (std::size_t peer = 0; peer < members.size(); ++peer) {
    const ShmStarter& other = members[peer];
    if (other.group_rank == self.group_rank) continue;
    // The segment "<own name>_<peer>" exists on this node only if that peer created it here.
    if (other.node != self.node || other.group_name != self.group_name) {
      return error_stop(self.rank, "RuntimeError", "open shm in SHMManager failed. errno: 2",
                        "join_shm_manager");
    }
    const int own = threads[static_cast<std::size_t>(self.group_rank)];
    const int theirs = threads[static_cast<std::size_t>(other.group_rank)];
    if (theirs != own) {
      return error_stop(self.rank, "RuntimeError",
                        check_eq_message("ptr->thread_num == thread_num", theirs, own),
                        "join_shm_manager");
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<RankStop> predict_shm_start(const comm::Policy& policy,
                                        const std::vector<ShmStarter>& starters, int group_size,
                                        bool others_running) {
  std::vector<RankStop> stops;
  std::vector<const ShmStarter*> running;
  // make_group_name, before the backend is built.
  for (const ShmStarter& starter : starters) {
    if (starter.group_name) {
      running.push_back(&starter);
    } else {
      stops.push_back(
          error_stop(starter.rank, "KeyError", "'VLLM_DIST_IDENT'", "CpuCommunicator.__init__"));
    }
  }
  // The members still running wait in `op` for those that are not.
  const auto wait_in = [&](const std::string& op) {
    for (const ShmStarter* starter : running) {
      stops.push_back(RankStop{starter->rank, false, "", "", op, others_running});
    }
    running.clear();
  };
  const auto everyone = [&] { return static_cast<int>(running.size()) == group_size; };
  const auto by_rank = [](const RankStop& a, const RankStop& b) { return a.rank < b.rank; };

  std::vector<int> threads(static_cast<std::size_t>(group_size), 0);
  for (const ShmStarter& starter : starters) {
    threads[static_cast<std::size_t>(starter.group_rank)] = starter.num_threads;
  }
  if (policy.thread_num_min_allreduce) {
    if (!everyone()) {
      wait_in("all_reduce(MIN thread count)");
      std::sort(stops.begin(), stops.end(), by_rank);
      return stops;
    }
    const int fewest = *std::min_element(threads.begin(), threads.end());
    std::fill(threads.begin(), threads.end(), fewest);
  }

  // init_shm_manager: the size check, then this rank's own segment (O_CREAT | O_EXCL).
  if (group_size > comm::shm::kMaxShmRankNum) {
    for (const ShmStarter* starter : running) {
      stops.push_back(
          error_stop(starter->rank, "RuntimeError",
                     "Expected group_size <= MAX_SHM_RANK_NUM to be true, but got false.",
                     "init_shm_manager"));
    }
    std::sort(stops.begin(), stops.end(), by_rank);
    return stops;
  }
  std::vector<const ShmStarter*> created;
  for (const ShmStarter* starter : running) {
    const std::string own =
        comm::shm::ShmManager::segment_name(*starter->group_name, starter->group_rank);
    const auto& stale = starter->stale_segments;
    if (std::find(stale.begin(), stale.end(), own) != stale.end()) {
      stops.push_back(error_stop(starter->rank, "RuntimeError",
                                 "create shm in SHMManager failed. errno: 17", "init_shm_manager"));
    } else {
      created.push_back(starter);
    }
  }
  running = created;
  if (!everyone()) {
    wait_in("barrier");
    std::sort(stops.begin(), stops.end(), by_rank);
    return stops;
  }

  // join_shm_manager on every member, then the last barrier.
  std::vector<const ShmStarter*> joined;
  for (const ShmStarter* starter : running) {
    if (auto error = join_error(*starter, starters, threads)) {
      stops.push_back(*error);
    } else {
      joined.push_back(starter);
    }
  }
  running = joined;
  if (!everyone()) wait_in("barrier");
  std::sort(stops.begin(), stops.end(), by_rank);
  return stops;
}

}  // namespace commsim::explain
