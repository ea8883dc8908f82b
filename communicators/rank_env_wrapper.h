// RankEnvWrapper: a RankEnv that forwards every call to another one, so that a decorator (a test
// double, a fault injector) overrides only what it changes.
#pragma once

#include "communicators/rank_env.h"

namespace commsim::comm {

class RankEnvWrapper : public RankEnv {
 public:
  // REQUIRES: `target` outlives the wrapper.
  explicit RankEnvWrapper(RankEnv& target) : target_(target) {}

  int world_rank() const override { return target_.world_rank(); }
  int world_size() const override { return target_.world_size(); }
  const NodeFacts& node() const override { return target_.node(); }
  double now() const override { return target_.now(); }
  std::unique_ptr<PendingSend> post_send(int dst, const std::string& channel,
                                         Message message) override {
    return target_.post_send(dst, channel, std::move(message));
  }
  Message recv(int src, const std::string& channel) override { return target_.recv(src, channel); }
  Message recv_from(int src, const std::string& channel, double timeout) override {
    return target_.recv_from(src, channel, timeout);
  }
  Message recv_any(std::span<const int> srcs, const std::string& channel, double timeout) override {
    return target_.recv_any(srcs, channel, timeout);
  }
  RegionResult create_region(const std::string& name, std::size_t bytes) override {
    return target_.create_region(name, bytes);
  }
  RegionResult open_region(const std::string& name) override { return target_.open_region(name); }
  void unlink_region(const std::string& name) override { target_.unlink_region(name); }
  void wait_until(const std::function<bool()>& ready, int peer) override {
    target_.wait_until(ready, peer);
  }
  void notify_node() override { target_.notify_node(); }
  void charge_memory_copy(std::size_t bytes) override { target_.charge_memory_copy(bytes); }
  void charge_compute(double flops, int threads) override {
    target_.charge_compute(flops, threads);
  }
  void charge_kernel(const std::string& name, DType dtype, double flops, double bytes) override {
    target_.charge_kernel(name, dtype, flops, bytes);
  }
  void log(LogLevel level, const std::string& logger, const std::string& text) override {
    target_.log(level, logger, text);
  }

 private:
  RankEnv& target_;
};

}  // namespace commsim::comm
