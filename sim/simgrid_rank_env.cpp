#include "sim/simgrid_rank_env.h"

#include <algorithm>
#include <memory>
#include <simgrid/Exception.hpp>

#include "communicators/errors.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

constexpr int kErrnoNoEntry = 2;  // ENOENT
constexpr int kErrnoExists = 17;  // EEXIST

std::string mailbox_name(const std::string& channel, int src, int dst) {
  return channel + "|" + std::to_string(src) + ">" + std::to_string(dst);
}

// Set once SimGrid reports a deadlock: the actors it then ends unwind, but nothing ends.
bool g_run_over = false;

// The run's rank envs by world rank, and which ranks' processes have ended (one engine per
// process, so one run).
std::vector<SimGridRankEnv*> g_envs;
std::vector<char> g_ended;

}  // namespace

class SimGridPendingSend final : public comm::PendingSend {
 public:
  SimGridPendingSend(SimGridRankEnv& env, sg4::CommPtr comm, int dst)
      : env_(env), comm_(std::move(comm)), dst_(dst) {}

  void wait() override { wait_for(comm::kNoTimeout); }

  void wait_for(double timeout) override {
    if (!comm_) return;
    env_.mark_blocked(dst_, "send");
    ssize_t done = 0;
    try {
      // Without a timeout, a plain wait (commsim's own collectives: no vector per message); with
      // one, wait_any_for, which leaves the communication in flight when the timeout passes
      // (wait_for would end it).
      if (timeout < 0) {
        comm_->wait();
      } else {
        done = sg4::Comm::wait_any_for({comm_}, timeout);
      }
    } catch (const simgrid::NetworkFailureException&) {
      // A link or host on the way went down: for the sender, the connection is gone.
      comm_ = nullptr;
      env_.clear_blocked();
      throw comm::PeerClosed(dst_);
    }
    env_.clear_blocked();
    if (done < 0) {
      throw comm::WaitTimedOut("send to rank " + std::to_string(dst_) + " not delivered");
    }
    comm_ = nullptr;
  }

 private:
  SimGridRankEnv& env_;
  sg4::CommPtr comm_;
  int dst_;
};

SimGridRankEnv::SimGridRankEnv(int world_rank, comm::NodeFacts node, NodeMemory& memory,
                               const std::vector<sg4::ActorPtr>& actors, double send_delay)
    : world_rank_(world_rank),
      node_(std::move(node)),
      memory_(memory),
      send_delay_(send_delay),
      actors_(actors) {
  const auto world = static_cast<std::size_t>(world_size());
  if (g_envs.size() < world) g_envs.resize(world, nullptr);
  if (g_ended.size() < world) g_ended.resize(world, 0);
  g_envs[static_cast<std::size_t>(world_rank_)] = this;
}

SimGridRankEnv::~SimGridRankEnv() {
  auto& registered = g_envs[static_cast<std::size_t>(world_rank_)];
  if (registered == this) registered = nullptr;
  // Destroyed after the simulation: a receive left posted either got its message or never will.
  for (auto& [name, inbox] : inboxes_) delete inbox.landed;
}

double SimGridRankEnv::now() const { return sg4::Engine::get_clock(); }

std::unique_ptr<comm::PendingSend> SimGridRankEnv::post_send(int dst, const std::string& channel,
                                                             comm::Message message) {
  COMMSIM_CHECK(dst >= 0 && dst < world_size(), "send to a rank outside the world");
  sg4::Mailbox* mailbox = outbox(channel, dst);
  if (send_delay_ > 0) sg4::this_actor::sleep_for(send_delay_);
  message.src = world_rank_;
  const std::uint64_t wire_bytes = message.wire_bytes;
  if (trace_ != nullptr) trace_->sent(wire_bytes);
  // Ownership passes to the receiver, which adopts it with get_unique.
  // At least one byte on the wire: SimGrid 3.32 takes a zero-byte message on a mailbox with a
  // permanent receiver as already received while its latency still runs (CommImpl::irecv's
  // remaining < 1e-12 test), and its sender's wait may then never be answered. One byte costs a
  // nanosecond at 1 GB/s.
  sg4::CommPtr comm = mailbox->put_async(new comm::Message(std::move(message)),
                                         std::max<std::uint64_t>(wire_bytes, 1));
  if (trace_ != nullptr) traced_sends_.push_back(TracedSend{comm, dst, wire_bytes});
  return std::make_unique<SimGridPendingSend>(*this, std::move(comm), dst);
}

comm::Message SimGridRankEnv::recv(int src, const std::string& channel) {
  COMMSIM_CHECK(src >= 0 && src < world_size(), "receive from a rank outside the world");
  const std::string name = mailbox_name(channel, src, world_rank_);
  if (!inboxes_.empty()) {
    // A receive recv_any left posted takes this sender's next message: wait for it.
    const auto posted = inboxes_.find(name);
    if (posted != inboxes_.end() && posted->second.get) {
      const int each[] = {src};
      return recv_any(each, channel, comm::kNoTimeout);
    }
  }
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(name);
  mark_blocked(src, "recv");
  std::unique_ptr<comm::Message> message;
  try {
    message = mailbox->get_unique<comm::Message>();
  } catch (const simgrid::NetworkFailureException&) {
    clear_blocked();
    throw comm::PeerClosed(src);
  }
  clear_blocked();
  if (trace_ != nullptr) trace_->received(message->wire_bytes);
  return std::move(*message);
}

void SimGridRankEnv::queue_closed(Inbox& inbox) {
  if (inbox.closed_queued) return;
  inbox.closed_queued = true;
  comm::Message marker;
  marker.end_of_stream = true;
  marker.src = inbox.src;
  inbox.mailbox->put_init(new comm::Message(std::move(marker)), 0)->detach();
}

void SimGridRankEnv::process_ended() {
  g_ended[static_cast<std::size_t>(world_rank_)] = 1;
  for (SimGridRankEnv* env : g_envs) {
    if (env == nullptr || env == this) continue;
    for (auto& [name, inbox] : env->inboxes_) {
      // A receive whose message has landed (its rank not yet resumed) needs no marker: the
      // rank's next receive from the ended sender queues one (recv_any). One awaiting a message
      // still in flight gets it now, as a FIN leaves at the exit, behind the data.
      if (inbox.get && inbox.src == world_rank_ && inbox.landed == nullptr) {
        queue_closed(inbox);
      }
    }
  }
}

void SimGridRankEnv::host_failed() {
  for (auto& [name, inbox] : inboxes_) {
    if (!inbox.get) continue;
    // A receive already done keeps its message (freed with the inbox); a pending one is withdrawn.
    if (inbox.landed == nullptr) inbox.get->cancel();
    inbox.get = nullptr;
  }
}

comm::Message SimGridRankEnv::take_landed(Inbox& inbox) {
  std::unique_ptr<comm::Message> message(std::exchange(inbox.landed, nullptr));
  inbox.get = nullptr;
  if (message->end_of_stream) {
    inbox.closed_queued = false;  // a later receive queues another
    throw comm::PeerClosed(inbox.src);
  }
  if (trace_ != nullptr) trace_->received(message->wire_bytes);
  return std::move(*message);
}

SimGridRankEnv::Inbox& SimGridRankEnv::posted_inbox(const std::string& channel, int src) {
  COMMSIM_CHECK(src >= 0 && src < world_size(), "receive from a rank outside the world");
  const std::string name = mailbox_name(channel, src, world_rank_);
  Inbox& inbox = inboxes_.try_emplace(name).first->second;
  if (inbox.mailbox == nullptr) {
    inbox.mailbox = sg4::Mailbox::by_name(name);
    inbox.src = src;
  }
  if (!inbox.get) {
    inbox.get = inbox.mailbox->get_async<comm::Message>(&inbox.landed);
    // A sender already gone: after what it sent, the connection is closed. (When the receive
    // matched a message, the next receive from it queues the marker.)
    if (g_ended[static_cast<std::size_t>(src)] != 0 && !inbox.mailbox->empty()) {
      queue_closed(inbox);
    }
  }
  return inbox;
}

comm::Message SimGridRankEnv::recv_from(int src, const std::string& channel, double timeout) {
  Inbox& inbox = posted_inbox(channel, src);
  mark_blocked(src, "recv");
  try {
    // One receive: a plain timed wait, no vectors (the hot path of commsim's own collectives).
    inbox.get->wait_for(timeout);
  } catch (const simgrid::TimeoutException&) {
    clear_blocked();
    // Nothing was consumed; a receive SimGrid left posted takes this sender's next message.
    if (inbox.get->get_state() != sg4::Activity::State::STARTED) inbox.get = nullptr;
    throw comm::WaitTimedOut("no message on " + channel + " within " + std::to_string(timeout) +
                             " s");
  } catch (const simgrid::NetworkFailureException&) {
    // The sender's host or a link on the way failed: for the receiver, the connection is gone.
    clear_blocked();
    inbox.get = nullptr;
    throw comm::PeerClosed(src);
  }
  clear_blocked();
  return take_landed(inbox);
}

comm::Message SimGridRankEnv::recv_any(std::span<const int> srcs, const std::string& channel,
                                       double timeout) {
  COMMSIM_CHECK(!srcs.empty(), "receive from none of the ranks");
  std::vector<Inbox*> posted;
  std::vector<sg4::CommPtr> gets;
  for (const int src : srcs) {
    Inbox& inbox = posted_inbox(channel, src);
    posted.push_back(&inbox);
    gets.push_back(inbox.get);
  }
  mark_blocked(srcs.size() == 1 ? srcs[0] : -1, "recv");
  ssize_t done = -1;
  try {
    // Returns at once when one has arrived already (the first of srcs). No Activity::test() on
    // the posted receives first: in SimGrid 3.32 each test of a pending communication makes
    // later completions walk a longer list, which made 256-rank gloo runs 18x slower.
    done = sg4::Comm::wait_any_for(gets, timeout);
  } catch (const simgrid::NetworkFailureException&) {
    // The sender's host or a link on the way failed: find whose receive it was.
    clear_blocked();
    for (std::size_t i = 0; i < posted.size(); ++i) {
      bool failed = posted[i]->get->get_state() == sg4::Activity::State::FAILED;
      if (!failed) {
        try {
          posted[i]->get->test();
        } catch (const simgrid::NetworkFailureException&) {
          failed = true;
        }
      }
      if (failed) {
        // The sender's host or the path to it failed: for the receiver, the connection is gone.
        posted[i]->get = nullptr;
        throw comm::PeerClosed(srcs[i]);
      }
    }
    throw;
  }
  clear_blocked();
  if (done < 0) {
    throw comm::WaitTimedOut("no message on " + channel + " within " + std::to_string(timeout) +
                             " s");
  }
  return take_landed(*posted[static_cast<std::size_t>(done)]);
}

void SimGridRankEnv::log(comm::LogLevel level, const std::string& logger, const std::string& text) {
  logs_.push_back(comm::LogLine{now(), level, logger, text});
}

comm::RegionResult SimGridRankEnv::create_region(const std::string& name, std::size_t bytes) {
  if (memory_.regions.contains(name)) return {nullptr, kErrnoExists};
  auto region = std::make_shared<comm::HeapRegion>(bytes);
  memory_.regions.emplace(name, region);
  return {region, 0};
}

comm::RegionResult SimGridRankEnv::open_region(const std::string& name) {
  const auto it = memory_.regions.find(name);
  if (it == memory_.regions.end()) return {nullptr, kErrnoNoEntry};
  return {it->second, 0};
}

void SimGridRankEnv::unlink_region(const std::string& name) { memory_.regions.erase(name); }

void SimGridRankEnv::wait_until(const std::function<bool()>& ready, int peer) {
  if (ready()) return;
  mark_blocked(peer, "shared memory");
  // No std::unique_lock: when this rank's host fails, SimGrid unwinds the rank from inside the
  // wait, and the lock's unlock would then be a call SimGrid never answers for a dying actor: the
  // rank would stay blocked, a hang instead of killed. The mutex dies with the node's ranks.
  memory_.mutex->lock();
  while (!ready()) memory_.changed->wait(memory_.mutex);
  memory_.mutex->unlock();
  clear_blocked();
}

void SimGridRankEnv::notify_node() { memory_.changed->notify_all(); }

void SimGridRankEnv::charge_memory_copy(std::size_t bytes) {
  if (bytes == 0) return;
  if (memory_.latency > 0) sg4::this_actor::sleep_for(memory_.latency);
  sg4::Exec::init()
      ->set_flops_amount(static_cast<double>(bytes))
      ->set_host(memory_.bus)
      ->start()
      ->wait();
}

void SimGridRankEnv::charge_compute(double flops, int threads) {
  if (flops <= 0) return;
  if (threads <= 1) {
    sg4::this_actor::execute(flops);
  } else {
    sg4::this_actor::thread_execute(sg4::this_actor::get_host(), flops / threads, threads);
  }
}

void SimGridRankEnv::charge_kernel(const std::string& name, comm::DType dtype, double flops,
                                   double bytes) {
  if (trace_ != nullptr) trace_->kernel_started(name, dtype, flops, bytes, now());
  const double speedup = dtype == comm::DType::kBF16 ? kernel_model_.bf16_speedup : 1.0;
  charge_compute(flops / (kernel_model_.efficiency * speedup), std::max(1, node_.num_threads));
  if (bytes > 0) {
    sg4::Exec::init()->set_flops_amount(bytes)->set_host(memory_.bus)->start()->wait();
  }
  if (kernel_model_.call_overhead > 0) sg4::this_actor::sleep_for(kernel_model_.call_overhead);
  if (trace_ != nullptr) trace_->kernel_ended(now());
}

void SimGridRankEnv::op_started(const comm::OpSite& site) {
  if (trace_ != nullptr) trace_->op_started(site, now());
}

void SimGridRankEnv::op_ending(bool failed) {
  if (trace_ == nullptr) return;
  // SimGrid ending this rank (a deadlock, or its host failed) unwinds its operations: they did
  // not end.
  if (g_run_over || !sg4::this_actor::get_host()->is_on()) trace_->stop();
  trace_->op_ending(now(), failed);
}

void SimGridRankEnv::op_annotated(const std::string& key, const std::string& value) {
  if (trace_ != nullptr) trace_->annotate(key, value);
}

void SimGridRankEnv::run_is_over() { g_run_over = true; }

void SimGridRankEnv::clear_blocked() {
  blocked_on_.reset();
  if (trace_ != nullptr) trace_->wait_ended(now());
}

void SimGridRankEnv::mark_blocked(int peer, const char* what) {
  if (trace_ != nullptr) trace_->wait_started(what, peer, op_stack(), now());
  blocked_on_ = BlockedOn{op_stack(), peer, what};
}

sg4::Mailbox* SimGridRankEnv::outbox(const std::string& channel, int dst) {
  std::string name = mailbox_name(channel, world_rank_, dst);
  const sg4::ActorPtr& receiver = actors_[static_cast<std::size_t>(dst)];
  const bool receiver_alive = receiver->get_host()->is_on();
  auto found = outboxes_.find(name);
  if (found == outboxes_.end()) {
    found = outboxes_.emplace(name, Outbox{sg4::Mailbox::by_name(name), false}).first;
  }
  Outbox& outbox = found->second;
  // Eager sends: the receiver is permanent, so a message completes without a matching get. A
  // receiver whose host is off (a host crash) is dead, and SimGrid 3.32 keeps it as the permanent
  // receiver: it would start the message towards the dead host and abort (`to_->is_on()`). So the
  // mailbox loses its receiver, and a message to a dead rank waits in it for ever. (Whether it has
  // one is kept here: SimGrid 3.32's Mailbox::get_receiver answers the opposite.)
  if (outbox.has_receiver != receiver_alive) {
    outbox.mailbox->set_receiver(receiver_alive ? receiver : nullptr);
    outbox.has_receiver = receiver_alive;
  }
  return outbox.mailbox;
}

}  // namespace commsim::sim
