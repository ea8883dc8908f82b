// ThreadWorld: N ranks as N threads in one process, each with its own RankEnv, for testing
// communicator code without the simulator (the seam's second implementation).
//
// Messages are delivered eagerly through in-memory queues; time stays 0. A receive that waits
// longer than the world's wall-clock limit throws, so a broken test fails instead of hanging.
#pragma once

#include <functional>
#include <vector>

#include "communicators/rank_env.h"

namespace commsim::testing {

class ThreadWorld {
 public:
  // One NodeFacts per rank.
  explicit ThreadWorld(std::vector<comm::NodeFacts> nodes);

  // Runs body(env) on every rank concurrently; rethrows the first exception a rank raised (by
  // rank order) after all ranks have stopped.
  void run(const std::function<void(comm::RankEnv&)>& body);

 private:
  std::vector<comm::NodeFacts> nodes_;
};

// `count` ranks on x86 nodes with init_shm_manager, rank r on node `node_of(r)`, each node's
// VLLM_DIST_IDENT = 29500 + node, `threads` threads per rank.
std::vector<comm::NodeFacts> x86_ranks(int count, const std::function<int(int)>& node_of,
                                       int threads = 1);

// Global ranks 0 .. count-1, in order.
std::vector<int> first_ranks(int count);

}  // namespace commsim::testing
