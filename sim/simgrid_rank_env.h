// SimGridRankEnv: the RankEnv seam implemented on SimGrid (one per rank actor).
//
// Time is SimGrid's clock. A message is a SimGrid communication on the mailbox
// "<channel>|<src>><dst>" whose permanent receiver is the destination rank's actor, so a send
// starts moving data at once, as a TCP send into a socket buffer does; the sender's wait ends when
// the data has arrived, and a receive returns the next arrived message in order. While a rank is
// blocked, the env remembers on what, so a deadlock can be reported per rank.
// Used only from its own actor.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <simgrid/s4u.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "communicators/rank_env.h"
#include "scenarios/scenario.h"
#include "sim/rank_trace.h"

namespace commsim::sim {

// The shared memory of one simulated node: its /dev/shm namespace, and the condition variable that
// every stamp publication on the node notifies. One per node, shared by the node's rank envs.
struct NodeMemory {
  simgrid::s4u::Host* bus = nullptr;  // the memory bus (see platform.h)
  double latency = 0;                 // seconds before each copy starts
  std::map<std::string, std::shared_ptr<comm::SharedRegion>> regions;
  simgrid::s4u::MutexPtr mutex;
  simgrid::s4u::ConditionVariablePtr changed;
};

// Where a rank is blocked: the op stack at the time and the peer it waits for.
struct BlockedOn {
  std::vector<comm::OpSite> ops;
  int peer = -1;
  std::string what;  // "recv" or "send"
};

class SimGridRankEnv final : public comm::RankEnv {
 public:
  // `actors[r]` is rank r's actor; it must be filled in before any rank sends.
  // `send_delay`: seconds each message waits before it leaves (a message-delay fault).
  SimGridRankEnv(int world_rank, comm::NodeFacts node, NodeMemory& memory,
                 const std::vector<simgrid::s4u::ActorPtr>& actors, double send_delay = 0);
  ~SimGridRankEnv() override;
  SimGridRankEnv(const SimGridRankEnv&) = delete;
  SimGridRankEnv& operator=(const SimGridRankEnv&) = delete;

  int world_rank() const override { return world_rank_; }
  int world_size() const override { return static_cast<int>(actors_.size()); }
  const comm::NodeFacts& node() const override { return node_; }
  double now() const override;

  std::unique_ptr<comm::PendingSend> post_send(int dst, const std::string& channel,
                                               comm::Message message) override;
  comm::Message recv(int src, const std::string& channel) override;
  comm::Message recv_any(std::span<const int> srcs, const std::string& channel,
                         double timeout) override;
  comm::Message recv_from(int src, const std::string& channel, double timeout) override;
  void log(comm::LogLevel level, const std::string& logger, const std::string& text) override;

  comm::RegionResult create_region(const std::string& name, std::size_t bytes) override;
  comm::RegionResult open_region(const std::string& name) override;
  void unlink_region(const std::string& name) override;
  void wait_until(const std::function<bool()>& ready, int peer) override;
  void notify_node() override;
  void charge_memory_copy(std::size_t bytes) override;
  void charge_compute(double flops, int threads) override;
  // The roofline of scenario::KernelModel on this rank's host: the FLOPs on its threads, then the
  // bytes through the node's memory bus (shared with the node's other ranks), then the overhead.
  void charge_kernel(const std::string& name, comm::DType dtype, double flops,
                     double bytes) override;
  void set_kernel_model(const scenario::KernelModel& model) { kernel_model_ = model; }

  const std::vector<comm::LogLine>& logs() const { return logs_; }
  // Records this rank's operations and waits into `trace` from now on, and keeps its sends
  // (--trace).
  void set_trace(RankTrace* trace) { trace_ = trace; }
  // A message this rank sent while traced: its communication (done or not) and its size.
  struct TracedSend {
    simgrid::s4u::CommPtr comm;
    int dst = -1;
    std::uint64_t bytes = 0;
  };
  const std::vector<TracedSend>& traced_sends() const { return traced_sends_; }
  // Called from the rank's actor when its process ends (its code returned or raised): every
  // receive from it that recv_any left posted, now or later, gets PeerClosed after its last
  // message, as a TCP peer sees the connection closed.
  void process_ended();
  // Called (from SimGrid's kernel) when this rank's host goes off: its receives left posted are
  // withdrawn from their mailboxes, so that no later message is matched to a dead rank's
  // receive and started towards a host that is off (SimGrid 3.32 aborts on `to_->is_on()`).
  void host_failed();
  // Called when SimGrid is about to end every rank still blocked (a deadlock): their unwinding
  // operations did not end, and traces show them open.
  static void run_is_over();
  // Set while the rank is blocked in a wait; cleared when the wait returns. (Captured when the
  // wait starts: a deadlocked actor's op stack unwinds when SimGrid ends it.)
  const std::optional<BlockedOn>& blocked_on() const { return blocked_on_; }

 protected:
  void op_started(const comm::OpSite& site) override;
  void op_ending(bool failed) override;
  void op_annotated(const std::string& key, const std::string& value) override;

 private:
  friend class SimGridPendingSend;
  void mark_blocked(int peer, const char* what);
  void clear_blocked();
  // The mailbox of (channel, src, dst), created with its permanent receiver on first use; without
  // one once the receiver's host is off.
  simgrid::s4u::Mailbox* outbox(const std::string& channel, int dst);

  int world_rank_;
  comm::NodeFacts node_;
  NodeMemory& memory_;
  scenario::KernelModel kernel_model_;
  double send_delay_;
  const std::vector<simgrid::s4u::ActorPtr>& actors_;
  std::vector<comm::LogLine> logs_;
  std::optional<BlockedOn> blocked_on_;
  struct Outbox {
    simgrid::s4u::Mailbox* mailbox = nullptr;
    bool has_receiver = false;  // the destination rank is its permanent receiver
  };
  std::unordered_map<std::string, Outbox> outboxes_;
  // A receive recv_any left posted on one sender's mailbox, and where its message lands. Keyed by
  // mailbox name; at most one per mailbox, so each sender's messages are still taken in order.
  struct Inbox {
    simgrid::s4u::Mailbox* mailbox = nullptr;
    int src = -1;
    simgrid::s4u::CommPtr get;
    comm::Message* landed = nullptr;  // owned once `get` is done
    bool closed_queued = false;       // the end-of-stream marker of an ended sender is queued
  };
  // The inbox of (channel, src), created on first use, with a receive posted on it.
  Inbox& posted_inbox(const std::string& channel, int src);
  // Queues the end-of-stream marker of `inbox`'s sender (ended) behind its last message.
  static void queue_closed(Inbox& inbox);
  std::unordered_map<std::string, Inbox> inboxes_;
  // The message of a done posted receive, adopted; the inbox is free again.
  comm::Message take_landed(Inbox& inbox);
  RankTrace* trace_ = nullptr;
  std::vector<TracedSend> traced_sends_;
};

}  // namespace commsim::sim
