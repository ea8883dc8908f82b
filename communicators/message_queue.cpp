#include "communicators/message_queue.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "communicators/collectives/group_link.h"
#include "communicators/object_codec.h"
#include "communicators/reduce_ops.h"

namespace commsim::comm {
namespace {

constexpr std::string_view kMagic = "magic_message";
constexpr std::size_t kProbeSegmentBytes = 128;
constexpr int kWriterRank = 0;

// Python's SharedMemory names a new segment "psm_" and 8 random hex digits; commsim derives them
// from the group's channel so that runs stay deterministic.
std::string probe_segment_name(const std::string& channel) {
  std::uint32_t hash = 2166136261U;
  for (const char c : channel) hash = (hash ^ static_cast<unsigned char>(c)) * 16777619U;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", hash);
  return std::string("psm_") + hex;
}

// One small message of the queue's ZMQ sockets (a subscription, READY) on its own channel.
std::unique_ptr<PendingSend> post_signal(RankEnv& env, const std::string& channel, int dst,
                                         std::size_t bytes) {
  return env.post_send(dst, channel, collectives::message_of(std::vector<std::byte>(bytes), bytes));
}

// ZeroMQ hides a lost connection: it reconnects in the background, a send returns once queued,
// and a receive waits for the next message (*inferred* from ZeroMQ's documented behaviour). So a
// link or host that fails under the queue's handshake leaves it waiting, never raising.
void zmq_wait(PendingSend& send) {
  try {
    send.wait();
  } catch (const PeerClosed&) {
    // The message is lost; the sender does not know.
  }
}

void zmq_recv(RankEnv& env, int src, const std::string& channel) {
  for (;;) {
    try {
      env.recv(src, channel);
      return;
    } catch (const PeerClosed&) {
      // That message is lost; wait for the next one. (Each failure consumes a failed transfer.)
    }
  }
}

}  // namespace

std::vector<bool> in_the_same_node_as(RankEnv& env, ProcessGroup& group,
                                      const std::string& unique_name, int source_rank) {
  OpScope scope(env, "in_the_same_node_as", unique_name);
  const int rank = group.rank();
  const int world = group.size();
  Tensor flags = Tensor::zeros(DType::kI32, {world});
  const std::string name = probe_segment_name(group.channel());
  std::shared_ptr<SharedRegion> segment;
  {
    OpScope broadcast(env, "broadcast_object_list", unique_name);
    if (rank == source_rank) {
      const RegionResult created = env.create_region(name, kProbeSegmentBytes);
      segment = created.region;  // an OSError (the name taken) is suppressed
      ObjectBytes object = encode_string(name);
      if (segment) {
        std::memcpy(segment->bytes().data(), kMagic.data(), kMagic.size());
        group.broadcast_object(object, source_rank);
        flags.data<std::int32_t>()[rank] = 1;
      }
    } else {
      ObjectBytes object;
      group.broadcast_object(object, source_rank);
      const RegionResult opened = env.open_region(decode_string(object));
      segment = opened.region;  // off the source's node: FileNotFoundError, suppressed
      if (segment && std::memcmp(segment->bytes().data(), kMagic.data(), kMagic.size()) == 0) {
        flags.data<std::int32_t>()[rank] = 1;
      }
    }
  }
  {
    OpScope barrier(env, "barrier", unique_name);
    group.barrier();
  }
  if (rank == source_rank && segment) env.unlink_region(name);
  {
    OpScope all_reduce(env, "all_reduce", unique_name);
    group.all_reduce(flags, ReduceOp::kSum);
  }
  std::vector<bool> same(static_cast<std::size_t>(world));
  for (int r = 0; r < world; ++r)
    same[static_cast<std::size_t>(r)] = flags.data<std::int32_t>()[r] == 1;
  return same;
}

MessageQueueEnd create_message_queue(RankEnv& env, ProcessGroup& group,
                                     const std::string& unique_name) {
  OpScope scope(env, "MessageQueue.create_from_process_group", unique_name);
  const std::vector<bool> same_node = in_the_same_node_as(env, group, unique_name, kWriterRank);
  std::vector<int> local_readers;
  std::vector<int> remote_readers;
  for (int r = 0; r < group.size(); ++r) {
    if (r == kWriterRank) continue;
    (same_node[static_cast<std::size_t>(r)] ? local_readers : remote_readers).push_back(r);
  }
  MessageQueueEnd end;
  end.writer = group.rank() == kWriterRank;
  end.local_readers = static_cast<int>(local_readers.size());
  end.remote_readers = static_cast<int>(remote_readers.size());
  {
    // The writer's handle: its local reader ranks and its sockets' addresses.
    OpScope broadcast(env, "broadcast_object_list", unique_name);
    std::string handle = "Handle(local_reader_ranks=[";
    for (const int r : local_readers) handle += std::to_string(r) + ",";
    handle += "])";
    ObjectBytes object = end.writer ? encode_string(handle) : ObjectBytes{};
    group.broadcast_object(object, kWriterRank);
  }
  OpScope ready(env, "MessageQueue.wait_until_ready", unique_name);
  const std::string channel = group.channel() + "/mq";
  const auto global = [&](int r) { return group.ranks()[static_cast<std::size_t>(r)]; };
  constexpr std::size_t kSubscription = 1;  // ZMQ's subscribe-to-everything message
  constexpr std::size_t kReady = 5;         // b"READY"
  if (end.writer) {
    // A PUB socket's send queues the message for every subscriber at once.
    std::vector<std::unique_ptr<PendingSend>> sent;
    for (const std::vector<int>* readers : {&local_readers, &remote_readers}) {
      for (const int r : *readers) zmq_recv(env, global(r), channel);
      for (const int r : *readers) sent.push_back(post_signal(env, channel, global(r), kReady));
    }
    for (const auto& pending : sent) zmq_wait(*pending);
  } else {
    zmq_wait(*post_signal(env, channel, global(kWriterRank), kSubscription));
    zmq_recv(env, global(kWriterRank), channel);
  }
  return end;
}

}  // namespace commsim::comm
