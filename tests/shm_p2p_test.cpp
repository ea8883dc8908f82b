// The SHM point-to-point path and the SHM initialisation sequence: tensor dicts through
// shm_send_tensor_list / shm_recv_tensor_list (limits, non-tensors, zero-byte tensors, the eager
// sender, a middle pipeline stage), the MIN of thread counts, and the errno failures.
#include <gtest/gtest.h>

#include <atomic>

#include "communicators/errors.h"
#include "communicators/group_coordinator.h"
#include "communicators/rank_env_wrapper.h"
#include "communicators/shm/shm_distributed.h"
#include "tests/shm_test_support.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using testing::first_ranks;
using testing::seeded_input;
using testing::ThreadWorld;
using testing::x86_ranks;

const Policy& pr40150() {
  static const Policy policy = *find_policy("vllm-pr40150");
  return policy;
}

TensorDict dict_of(int count, std::int64_t numel, int seed) {
  TensorDict dict;
  for (int i = 0; i < count; ++i) {
    dict.set(
        "t" + std::to_string(i),
        seeded_input(i % 2 ? DType::kBF16 : DType::kF32, numel + i, seed + i).reshape({-1, 1}));
  }
  return dict;
}

void expect_same(const TensorDict& got, const TensorDict& sent) {
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got.entries()[i].first, sent.entries()[i].first);
    EXPECT_TRUE(bit_identical(std::get<Tensor>(got.entries()[i].second),
                              std::get<Tensor>(sent.entries()[i].second)))
        << sent.entries()[i].first;
  }
}

TEST(ShmP2P, SingleNodePipelineUsesTheFastPath) {
  ThreadWorld(x86_ranks(
                  2, [](int) { return 0; }, 2))
      .run([](RankEnv& env) {
        GroupCoordinator pp(env, pr40150(), "pp:0", {0, 1}, true);
        EXPECT_EQ(pp.device_communicator()->backend(), Backend::kShm);
        EXPECT_TRUE(pp.use_cpu_custom_send_recv());
        const TensorDict sent = dict_of(6, 3000000, 1);  // six tensors: the most the path takes
        if (env.world_rank() == 0) {
          pp.send_tensor_dict(sent);
        } else {
          expect_same(*pp.recv_tensor_dict(), sent);
        }
        pp.shutdown();
      });
}

TEST(ShmP2P, ZeroByteTensorsTravelWithTheirShape) {
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([](RankEnv& env) {
    GroupCoordinator pp(env, pr40150(), "pp:0", {0, 1}, true);
    const TensorDict sent{{"empty", Tensor::zeros(DType::kF16, {0, 4})},
                          {"x", seeded_input(DType::kF32, 5, 3)}};
    if (env.world_rank() == 0) {
      pp.send_tensor_dict(sent);
    } else {
      const TensorDict got = *pp.recv_tensor_dict();
      expect_same(got, sent);
      EXPECT_EQ(std::get<Tensor>(*got.find("empty")).shape(), (Shape{0, 4}));
    }
  });
}

TEST(ShmP2P, SevenTensorsAndNonTensorsAreRejectedBeforeAnyWrite) {
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([](RankEnv& env) {
    GroupCoordinator pp(env, pr40150(), "pp:0", {0, 1}, true);
    if (env.world_rank() != 0) return;
    try {
      pp.send_tensor_dict(dict_of(7, 10, 0));
      FAIL() << "seven tensors must be rejected";
    } catch (const RuntimeError& error) {
      EXPECT_EQ(error.message(),
                "Check failed: tensor_list.size() <= 8 (9 vs. 8). ");
    }
    try {
      pp.send_tensor_dict(
          TensorDict{{"x", seeded_input(DType::kF32, 4, 0)}, {"kind", std::string("decode")}});
      FAIL() << "a non-tensor value must be rejected";
    } catch (const RuntimeError& error) {
      EXPECT_EQ(error.message(), "CpuCommunicator only supports sending tensors.");
    }
    // Nothing was published: thread 0's send stamp is still at its start.
    EXPECT_EQ(pp.device_communicator()->shm()->manager().context(0)->ready_stamp[0].load(), 0);
  });
}

// A RankEnv that counts the bytes a rank copies and throws instead of blocking.
class NoBlockingEnv final : public RankEnvWrapper {
 public:
  using RankEnvWrapper::RankEnvWrapper;
  struct WouldBlock {};
  void wait_until(const std::function<bool()>& ready, int peer) override {
    if (strict && !ready()) throw WouldBlock{};
    RankEnvWrapper::wait_until(ready, peer);
  }
  void charge_memory_copy(std::size_t bytes) override { copied += bytes; }
  bool strict = false;
  std::size_t copied = 0;
};

TEST(ShmP2P, AnEagerSenderRunsTwoChunksAheadThenBlocks) {
  ThreadWorld(x86_ranks(
                  2, [](int) { return 0; }, 1))
      .run([](RankEnv& inner) {
        NoBlockingEnv env(inner);
        GroupCoordinator pp(env, pr40150(), "pp:0", {0, 1}, true);
        if (env.world_rank() != 0) return;  // the receiver never receives
        env.strict = true;
        env.copied = 0;
        // 5 MiB on one thread: three 2 MiB half-buffer chunks are needed.
        const TensorDict dict{{"x", Tensor::zeros(DType::kU8, {5 << 20})}};
        EXPECT_THROW(pp.send_tensor_dict(dict), NoBlockingEnv::WouldBlock);
        EXPECT_EQ(env.copied, std::size_t{4} << 20) << "two full chunks before the third blocks";
      });
}

TEST(ShmP2P, AMiddleStageReceivesAndSendsOnIndependentChannels) {
  ThreadWorld(x86_ranks(
                  3, [](int) { return 0; }, 2))
      .run([](RankEnv& env) {
        GroupCoordinator pp(env, pr40150(), "pp:0", {0, 1, 2}, true);
        const int stage = env.world_rank();
        for (int step = 0; step < 5; ++step) {
          const std::int64_t numel = step % 2 ? 1500000 : 33;  // multi-chunk and tiny, alternately
          if (stage > 0)
            expect_same(*pp.recv_tensor_dict(), dict_of(2, numel, 10 * (stage - 1) + step));
          if (stage < 2) pp.send_tensor_dict(dict_of(2, numel, 10 * stage + step));
        }
      });
}

TEST(ShmInit, ThreadCountsAreReducedToTheMinimum) {
  auto nodes = x86_ranks(3, [](int) { return 0; });
  nodes[0].num_threads = 8;
  nodes[1].num_threads = 6;
  nodes[2].num_threads = 7;
  ThreadWorld(nodes).run([](RankEnv& env) {
    GroupCoordinator tp(env, pr40150(), "tp:0", {0, 1, 2}, true);
    EXPECT_EQ(tp.device_communicator()->shm()->thread_num(), 6);
    Tensor t = seeded_input(DType::kF32, 100000, env.world_rank());
    tp.all_reduce(t);
  });
}

TEST(ShmInit, WithoutTheMinimumTheJoinFailsItsThreadCountCheck) {
  Policy before_33317 = pr40150();
  before_33317.thread_num_min_allreduce = false;
  auto nodes = x86_ranks(2, [](int) { return 0; });
  nodes[0].num_threads = 8;
  nodes[1].num_threads = 6;
  std::atomic<int> failures{0};
  ThreadWorld(nodes).run([&](RankEnv& env) {
    try {
      GroupCoordinator tp(env, before_33317, "tp:0", {0, 1}, true);
    } catch (const RuntimeError& error) {
      ++failures;
      EXPECT_EQ(error.message(), env.world_rank() == 0
                                     ? "Check failed: ptr->thread_num == thread_num (6 vs. 8). "
                                     : "Check failed: ptr->thread_num == thread_num (8 vs. 6). ");
    }
  });
  EXPECT_EQ(failures.load(), 2);
}

TEST(ShmInit, CrossNodeGroupWithoutTheNameCheckFailsToOpenThePeerSegment) {
  const Policy pre = *find_policy("vllm-pre-34169");
  std::atomic<int> failures{0};
  ThreadWorld(x86_ranks(2, [](int r) { return r; })).run([&](RankEnv& env) {
    try {
      GroupCoordinator tp(env, pre, "tp:0", {0, 1}, true);
    } catch (const RuntimeError& error) {
      ++failures;
      EXPECT_EQ(error.message(), "open shm in SHMManager failed. errno: 2");
    }
  });
  EXPECT_EQ(failures.load(), 2);
}

TEST(ShmInit, StaleSegmentsFailTheCreateWithEexist) {
  std::atomic<int> failures{0};
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([&](RankEnv& env) {
    // A killed run left both segments behind.
    env.create_region("29500-tp:0-[0-1]-cpushm_" + std::to_string(env.world_rank()), 64);
    try {
      GroupCoordinator tp(env, pr40150(), "tp:0", {0, 1}, true);
    } catch (const RuntimeError& error) {
      ++failures;
      EXPECT_EQ(error.message(), "create shm in SHMManager failed. errno: 17");
    }
  });
  EXPECT_EQ(failures.load(), 2);
}

// PyTorch's TORCH_CHECK text with the condition as the preprocessor leaves it, and vLLM's order
// of effects: each rank's segment is created before the check fails, and nothing unlinks it.
TEST(ShmInit, NineRanksExceedTheManagerLimitAfterCreatingTheirSegments) {
  std::atomic<int> failures{0};
  std::atomic<int> segments_left{0};
  std::atomic<int> second_start_eexist{0};
  ThreadWorld(x86_ranks(9, [](int) { return 0; })).run([&](RankEnv& env) {
    const std::string name = "29500-tp:0-[0-1-2-3-4-5-6-7-8]-cpushm";
    const std::string own = shm::ShmManager::segment_name(name, env.world_rank());
    try {
      GroupCoordinator tp(env, pr40150(), "tp:0", first_ranks(9), true);
    } catch (const RuntimeError& error) {
      ++failures;
      EXPECT_EQ(error.message(),
                "Expected group_size <= 8 to be true, but got false.  (Could this error message "
                "be improved?  If so, please report an enhancement request to PyTorch.)");
    }
    if (env.open_region(own).region) ++segments_left;
    // The next start on the node builds the same names and meets its own leftover segment.
    try {
      shm::ShmManager again(env, name, 9, env.world_rank(), 1, first_ranks(9));
    } catch (const RuntimeError& error) {
      if (error.message() == "create shm in SHMManager failed. errno: 17") ++second_start_eexist;
    }
  });
  EXPECT_EQ(failures.load(), 9);
  EXPECT_EQ(segments_left.load(), 9);
  EXPECT_EQ(second_start_eexist.load(), 9);
}

TEST(ShmInit, ProcessExitUnlinksEveryKnownName) {
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([](RankEnv& env) {
    {
      GroupCoordinator tp(env, pr40150(), "tp:0", {0, 1}, true);
      tp.device_group().barrier();
      tp.shutdown();
      tp.device_group().barrier();
    }
    EXPECT_EQ(env.open_region("29500-tp:0-[0-1]-cpushm_0").error, 2);
    EXPECT_EQ(env.open_region("29500-tp:0-[0-1]-cpushm_1").error, 2);
  });
}

}  // namespace
}  // namespace commsim::comm
