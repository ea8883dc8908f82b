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
    std::unique_lock lock(mutex_);
    auto& queue = queues_[{channel, src, dst}];
    if (!ready_.wait_for(lock, std::chrono::seconds(20), [&] { return !queue.empty(); })) {
      throw comm::HarnessError("test rank " + std::to_string(dst) + " timed out receiving from " +
                               std::to_string(src) + " on " + channel);
    }
    comm::Message message = std::move(queue.front());
    queue.pop_front();
    return message;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::map<std::tuple<std::string, int, int>, std::deque<comm::Message>> queues_;
};

class DeliveredSend final : public comm::PendingSend {
 public:
  void wait() override {}
};

class ThreadRankEnv final : public comm::RankEnv {
 public:
  ThreadRankEnv(int rank, int world, comm::NodeFacts node, Mailboxes& mailboxes)
      : rank_(rank), world_(world), node_(std::move(node)), mailboxes_(mailboxes) {}

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

  void log(comm::LogLevel level, const std::string& logger, const std::string& text) override {
    lines.push_back(comm::LogLine{0, level, logger, text});
  }

  std::vector<comm::LogLine> lines;

 private:
  int rank_;
  int world_;
  comm::NodeFacts node_;
  Mailboxes& mailboxes_;
};

}  // namespace

ThreadWorld::ThreadWorld(std::vector<comm::NodeFacts> nodes) : nodes_(std::move(nodes)) {}

void ThreadWorld::run(const std::function<void(comm::RankEnv&)>& body) {
  Mailboxes mailboxes;
  const int world = static_cast<int>(nodes_.size());
  std::vector<std::exception_ptr> errors(nodes_.size());
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world; ++rank) {
    threads.emplace_back([&, rank] {
      ThreadRankEnv env(rank, world, nodes_[static_cast<std::size_t>(rank)], mailboxes);
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

std::vector<comm::NodeFacts> x86_ranks(int count, const std::function<int(int)>& node_of) {
  std::vector<comm::NodeFacts> nodes;
  for (int rank = 0; rank < count; ++rank) {
    comm::NodeFacts facts;
    facts.index = node_of(rank);
    facts.hostname = "node" + std::to_string(facts.index);
    facts.environment["VLLM_DIST_IDENT"] = std::to_string(29500 + facts.index);
    nodes.push_back(facts);
  }
  return nodes;
}

}  // namespace commsim::testing
