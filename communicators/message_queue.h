// The message-queue broadcaster a TP GroupCoordinator creates (parallel_state.py:386-389 @
// 2aab9acf4: use_message_queue_broadcaster, set for the "tp" group only, :1577-1583), modelled for
// what decides where ranks block while it is created: the collectives on the group's cpu_group and
// the readers' hand-shake with the writer. The queue's later use (broadcast_object) and its ring
// buffer's shared memory are not modelled.
//
// MessageQueue.create_from_process_group(cpu_group, 1 << 22, 6) with writer rank 0 runs, in order
// (vLLM's shm_broadcast.py; its text is not among the reference files, so the sequence is taken
// from vLLM's history and *inferred* unchanged at 2aab9acf4):
// 1. in_the_same_node_as(cpu_group, source_rank = 0) (parallel_state.py:1940-2031 @ 2aab9acf4):
//    rank 0 creates a 128-byte shared-memory segment holding b"magic_message" and
//    broadcast_object_list's its name; every other rank opens it (failing silently off rank 0's
//    node) and checks the magic; a barrier; rank 0 unlinks the name; an all_reduce (SUM) of the
//    int32 flags. The result says which ranks share rank 0's node.
// 2. The writer (rank 0) builds the queue and broadcast_object_list's its handle; the readers
//    build theirs from it.
// 3. wait_until_ready: the writer receives one subscription from every reader on its node, then
//    sends them READY, then does the same with the readers on other nodes; each reader waits for
//    READY. A reader that never arrives leaves the writer waiting here.
#pragma once

#include <string>
#include <vector>

#include "communicators/process_group.h"
#include "communicators/rank_env.h"

namespace commsim::comm {

// in_the_same_node_as: for every group rank, whether it shares `source_rank`'s node. Collective
// on `group`; `unique_name` labels the operations.
std::vector<bool> in_the_same_node_as(RankEnv& env, ProcessGroup& group,
                                      const std::string& unique_name, int source_rank);

// What a rank's end of the queue is.
struct MessageQueueEnd {
  bool writer = false;
  int local_readers = 0;   // readers on the writer's node (shared memory + IPC socket)
  int remote_readers = 0;  // readers elsewhere (TCP socket)
};

// MessageQueue.create_from_process_group(group, 1 << 22, 6, writer_rank = 0). Collective on
// `group`. REQUIRES: group.size() > 1.
MessageQueueEnd create_message_queue(RankEnv& env, ProcessGroup& group,
                                     const std::string& unique_name);

}  // namespace commsim::comm
