#include "tests/support/thread_world.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "communicators/errors.h"

namespace commsim::testing {
namespace {

class Mailboxes {
 public:
  void put(const std::string& channel, int src, int dst, comm::Message message) {
    std::lock_guard lock(mutex_);
    queues_[{channel, src, dst}].push_back(std::move(message));
    ready_.notify_all();
  }

  comm::Message take(const std::string& channel, int src, int dst) {
    const int each[] = {src};
    return take_any(channel, each, dst, comm::kNoTimeout);
  }

  // The first of `srcs` with a message waiting. Time does not pass in this world, so `timeout`
  // is read as wall-clock seconds; without one, a wait past the world's limit fails the test.
  comm::Message take_any(const std::string& channel, std::span<const int> srcs, int dst,
                         double timeout) {
    std::unique_lock lock(mutex_);
    std::deque<comm::Message>* arrived = nullptr;
    const auto any_arrived = [&] {
      for (const int src : srcs) {
        auto& queue = queues_[{channel, src, dst}];
        if (!queue.empty()) {
          arrived = &queue;
          return true;
        }
      }
      return false;
    };
    const auto limit =
        timeout < 0 ? std::chrono::duration<double>(20) : std::chrono::duration<double>(timeout);
    if (!ready_.wait_for(lock, limit, any_arrived)) {
      if (timeout >= 0) throw comm::WaitTimedOut("no message on " + channel);
      throw comm::HarnessError("test rank " + std::to_string(dst) + " timed out receiving from " +
                               std::to_string(srcs.front()) + " on " + channel);
    }
    comm::Message message = std::move(arrived->front());
    arrived->pop_front();
    return message;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::map<std::tuple<std::string, int, int>, std::deque<comm::Message>> queues_;
};

// Every node's shared-memory namespace, and the one condition every stamp store notifies.
class NodeMemories {
 public:
  comm::RegionResult create(int node, const std::string& name, std::size_t bytes) {
    std::lock_guard lock(mutex_);
    auto& regions = regions_[node];
    if (regions.contains(name)) return {nullptr, 17};
    auto region = std::make_shared<comm::HeapRegion>(bytes);
    regions.emplace(name, region);
    return {region, 0};
  }

  comm::RegionResult open(int node, const std::string& name) {
    std::lock_guard lock(mutex_);
    auto& regions = regions_[node];
    const auto it = regions.find(name);
    if (it == regions.end()) return {nullptr, 2};
    return {it->second, 0};
  }

  void unlink(int node, const std::string& name) {
    std::lock_guard lock(mutex_);
    regions_[node].erase(name);
  }

  // ready() is evaluated under the lock that notify() takes, so no store is missed.
  void wait(const std::function<bool()>& ready, int rank) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, std::chrono::seconds(20), ready)) {
      throw comm::HarnessError("test rank " + std::to_string(rank) +
                               " timed out waiting on shared memory");
    }
  }

  void notify() {
    std::lock_guard lock(mutex_);
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int, std::map<std::string, std::shared_ptr<comm::SharedRegion>>> regions_;
};

class DeliveredSend final : public comm::PendingSend {
 public:
  void wait() override {}
  void wait_for(double /*timeout*/) override {}
};

class ThreadRankEnv final : public comm::RankEnv {
 public:
  ThreadRankEnv(int rank, int world, comm::NodeFacts node, Mailboxes& mailboxes,
                NodeMemories& memories)
      : rank_(rank),
        world_(world),
        node_(std::move(node)),
        mailboxes_(mailboxes),
        memories_(memories) {}

  int world_rank() const override { return rank_; }
  int world_size() const override { return world_; }
  const comm::NodeFacts& node() const override { return node_; }
  double now() const override { return 0; }

  std::unique_ptr<comm::PendingSend> post_send(int dst, const std::string& channel,
                                               comm::Message message) override {
    message.src = rank_;
    mailboxes_.put(channel, rank_, dst, std::move(message));
    return std::make_unique<DeliveredSend>();
  }

  comm::Message recv(int src, const std::string& channel) override {
    return mailboxes_.take(channel, src, rank_);
  }
  comm::Message recv_any(std::span<const int> srcs, const std::string& channel,
                         double timeout) override {
    return mailboxes_.take_any(channel, srcs, rank_, timeout);
  }

  comm::RegionResult create_region(const std::string& name, std::size_t bytes) override {
    return memories_.create(node_.index, name, bytes);
  }
  comm::RegionResult open_region(const std::string& name) override {
    return memories_.open(node_.index, name);
  }
  void unlink_region(const std::string& name) override { memories_.unlink(node_.index, name); }
  void wait_until(const std::function<bool()>& ready, int /*peer*/) override {
    memories_.wait(ready, rank_);
  }
  void notify_node() override { memories_.notify(); }
  void charge_memory_copy(std::size_t /*bytes*/) override {}
  void charge_compute(double /*flops*/, int /*threads*/) override {}
  void charge_kernel(const std::string& /*name*/, comm::DType /*dtype*/, double /*flops*/,
                     double /*bytes*/) override {}

  void log(comm::LogLevel level, const std::string& logger, const std::string& text) override {
    lines.push_back(comm::LogLine{0, level, logger, text});
  }

  std::vector<comm::LogLine> lines;

 private:
  int rank_;
  int world_;
  comm::NodeFacts node_;
  Mailboxes& mailboxes_;
  NodeMemories& memories_;
};

}  // namespace

ThreadWorld::ThreadWorld(std::vector<comm::NodeFacts> nodes) : nodes_(std::move(nodes)) {}

void ThreadWorld::run(const std::function<void(comm::RankEnv&)>& body) {
  Mailboxes mailboxes;
  NodeMemories memories;
  const int world = static_cast<int>(nodes_.size());
  std::vector<std::exception_ptr> errors(nodes_.size());
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world; ++rank) {
    threads.emplace_back([&, rank] {
      ThreadRankEnv env(rank, world, nodes_[static_cast<std::size_t>(rank)], mailboxes, memories);
      try {
        body(env);
      } catch (...) {
        errors[static_cast<std::size_t>(rank)] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

std::vector<comm::NodeFacts> x86_ranks(int count, const std::function<int(int)>& node_of,
                                       int threads) {
  std::vector<comm::NodeFacts> nodes;
  for (int rank = 0; rank < count; ++rank) {
    comm::NodeFacts facts;
    facts.index = node_of(rank);
    facts.hostname = "node" + std::to_string(facts.index);
    facts.num_threads = threads;
    facts.environment["VLLM_DIST_IDENT"] = std::to_string(29500 + facts.index);
    nodes.push_back(facts);
  }
  return nodes;
}

std::vector<int> first_ranks(int count) {
  std::vector<int> ranks;
  for (int rank = 0; rank < count; ++rank) ranks.push_back(rank);
  return ranks;
}

}  // namespace commsim::testing
