// The SHM collectives against references and against the torch.distributed backend, for
// W in {2, 3, 4, 8} x {f32, bf16, f16} x sizes around the partition's boundaries (1 and 7
// elements, one 256-byte unit +- 1 element, 2 MiB x thread_num +- 1 element, 8 MiB).
#include <gtest/gtest.h>

#include <mutex>

#include "communicators/errors.h"
#include "communicators/group_coordinator.h"
#include "communicators/shm/shm_distributed.h"
#include "communicators/shm/shm_ops.h"
#include "tests/shm_test_support.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using testing::first_ranks;
using testing::rotated_sum;
using testing::seeded_input;
using testing::ThreadWorld;
using testing::worst_error_vs_bound;
using testing::x86_ranks;

constexpr int kThreads = 2;

std::vector<std::int64_t> boundary_sizes(DType dtype) {
  const auto size = static_cast<std::int64_t>(element_size(dtype));
  const std::int64_t unit = 256 / size;
  const std::int64_t fast_limit = (std::int64_t{2} << 20) * kThreads / size;
  return {1,
          7,
          unit - 1,
          unit,
          unit + 1,
          fast_limit - 1,
          fast_limit,
          fast_limit + 1,
          (std::int64_t{8} << 20) / size};
}

// A TP group of `world` ranks on one node: every check passes, so its backend is shm.
void on_one_node(int world, const std::function<void(RankEnv&, GroupCoordinator&)>& body,
                 const std::string& policy_name = "vllm-pr40150") {
  const Policy policy = *find_policy(policy_name);
  ThreadWorld(x86_ranks(
                  world, [](int) { return 0; }, kThreads))
      .run([&](RankEnv& env) {
        GroupCoordinator tp(env, policy, "tp:0", first_ranks(world), true);
        ASSERT_EQ(tp.device_communicator()->backend(), Backend::kShm);
        body(env, tp);
        tp.shutdown();
      });
}

struct Case {
  int world;
  DType dtype;
};

class ShmAllReduce : public ::testing::TestWithParam<Case> {};

TEST_P(ShmAllReduce, EqualsTheRotatedSumAndTheDistBackend) {
  const auto [world, dtype] = GetParam();
  std::mutex mutex;
  std::vector<std::vector<Tensor>> results(static_cast<std::size_t>(world));
  on_one_node(world, [&](RankEnv& env, GroupCoordinator& tp) {
    const int rank = env.world_rank();
    for (std::int64_t numel : boundary_sizes(dtype)) {
      SCOPED_TRACE("numel " + std::to_string(numel));
      std::vector<Tensor> inputs;
      for (int r = 0; r < world; ++r) inputs.push_back(seeded_input(dtype, numel, r));
      Tensor shm = inputs[static_cast<std::size_t>(rank)].clone();
      tp.all_reduce(shm);
      EXPECT_TRUE(bit_identical(shm, rotated_sum(inputs, rank)));
      Tensor dist = inputs[static_cast<std::size_t>(rank)].clone();
      tp.device_group().all_reduce(dist, ReduceOp::kSum);
      // gloo's ring rounds every partial sum to the dtype; the SHM sum rounds once.
      EXPECT_LE(worst_error_vs_bound(shm, dist, inputs), 1.0);
      std::lock_guard lock(mutex);
      results[static_cast<std::size_t>(rank)].push_back(shm);
    }
  });
  if (world == 2) {  // two addends: the same sum in either order
    for (std::size_t i = 0; i < results[0].size(); ++i) {
      EXPECT_TRUE(bit_identical(results[0][i], results[1][i])) << "size index " << i;
    }
  }
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (int world : {2, 3, 4, 8}) {
    for (DType dtype : {DType::kF32, DType::kBF16, DType::kF16}) cases.push_back({world, dtype});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(WorldsAndDtypes, ShmAllReduce, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& param) {
                           return "W" + std::to_string(param.param.world) + "_" +
                                  std::string(dtype_name(param.param.dtype));
                         });

TEST(ShmAllGather, IsRankMajorLikeTheDistBackendAtEverySize) {
  const int world = 3;
  on_one_node(world, [&](RankEnv& env, GroupCoordinator& tp) {
    for (std::int64_t numel : boundary_sizes(DType::kBF16)) {
      SCOPED_TRACE("numel " + std::to_string(numel));
      const Tensor input = seeded_input(DType::kBF16, numel, env.world_rank());
      Tensor shm = Tensor::zeros(DType::kBF16, {world * numel});
      tp.device_communicator()->shm()->all_gather_into_tensor(shm, input);
      Tensor dist = Tensor::zeros(DType::kBF16, {world * numel});
      tp.device_group().all_gather_into_tensor(dist, input);
      EXPECT_TRUE(bit_identical(shm, dist));
    }
  });
}

TEST(ShmGather, OnlyTheDestinationReceives) {
  const int world = 4;
  on_one_node(world, [&](RankEnv& env, GroupCoordinator& tp) {
    const int rank = env.world_rank();
    const std::int64_t numel = 1000;
    const Tensor input = seeded_input(DType::kF32, numel, rank);
    std::vector<Tensor> outputs;
    for (int r = 0; r < world; ++r) outputs.push_back(Tensor::zeros(DType::kF32, {numel}));
    tp.device_communicator()->shm()->gather(input, rank == 2 ? &outputs : nullptr, 2);
    if (rank == 2) {
      for (int r = 0; r < world; ++r) {
        EXPECT_TRUE(bit_identical(outputs[static_cast<std::size_t>(r)],
                                  seeded_input(DType::kF32, numel, r)));
      }
    }
    EXPECT_THROW(tp.device_communicator()->shm()->gather(input, nullptr, world), RuntimeError);
  });
}

TEST(ShmAllReduce, MoreThan255CollectivesWrapTheStampsCorrectly) {
  on_one_node(3, [&](RankEnv& env, GroupCoordinator& tp) {
    for (int i = 0; i < 300; ++i) {
      Tensor t = Tensor::zeros(DType::kF32, {40});
      for (float& x : t.data<float>()) x = static_cast<float>(env.world_rank() + i);
      tp.all_reduce(t);
      ASSERT_EQ(t.data<float>()[39], static_cast<float>(3 * i + 3)) << "collective " << i;
    }

    for (int thread = 0; thread < kThreads; ++thread) {
      // Thread 0 holds all 160 bytes: 300 chunks wrap its 8-bit stamp (1 + 300 = 301 = 45 mod 256).
      const auto& ctx = *tp.device_communicator()->shm()->manager().context(thread);
      EXPECT_EQ(ctx.curr_stamp[0].load(), thread == 0 ? 45 : 1);
    }
  });
}

TEST(ShmAllReduce, LimitsAndErrorsUseVllmTexts) {
  on_one_node(2, [&](RankEnv&, GroupCoordinator& tp) {
    Tensor longs = Tensor::zeros(DType::kI64, {4});
    try {
      tp.all_reduce(longs);
      FAIL() << "int64 must be rejected";
    } catch (const NotImplementedError& error) {
      EXPECT_EQ(error.message(), "\"shm_allreduce_sum\" not implemented for 'Long'");
    }
  });
  on_one_node(6, [&](RankEnv&, GroupCoordinator& tp) {
    Tensor t = Tensor::zeros(DType::kF32, {4});
    try {
      tp.all_reduce(t);
      FAIL() << "W=6 must be rejected";
    } catch (const RuntimeError& error) {
      EXPECT_EQ(error.message(), "Invalid world size: 6");
    }
  });
}

}  // namespace
}  // namespace commsim::comm
