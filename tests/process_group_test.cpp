// ProcessGroup, the gloo-like torch.distributed group: point to point, barrier,
// all_gather_object and all_gather_into_tensor over an odd number of ranks.
#include "communicators/process_group.h"

#include <gtest/gtest.h>

#include <atomic>

#include "communicators/errors.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using testing::ThreadWorld;
using testing::x86_ranks;

TEST(ProcessGroup, SendRecvCopiesBytesAndReportsTheSender) {
  ThreadWorld(x86_ranks(2, [](int r) { return r; })).run([](RankEnv& env) {
    ProcessGroup group(env, "g/cpu", {0, 1});
    if (env.world_rank() == 0) {
      Tensor t = Tensor::zeros(DType::kI32, {3});
      auto values = t.data<std::int32_t>();
      values[0] = 7;
      values[1] = -1;
      values[2] = 42;
      group.send(t, 1);
      values[0] = 0;  // the receiver must hold its own copy
    } else {
      Tensor t = Tensor::zeros(DType::kI32, {3});
      EXPECT_EQ(group.recv(t, 0), 0);
      const auto values = t.data<std::int32_t>();
      EXPECT_EQ(std::vector<std::int32_t>(values.begin(), values.end()),
                (std::vector<std::int32_t>{7, -1, 42}));
    }
  });
}

TEST(ProcessGroup, RecvOfTheWrongSizeIsARuntimeError) {
  EXPECT_THROW(ThreadWorld(x86_ranks(2, [](int r) { return r; })).run([](RankEnv& env) {
    ProcessGroup group(env, "g/cpu", {0, 1});
    if (env.world_rank() == 0) {
      group.send(Tensor::zeros(DType::kF32, {4}), 1);
    } else {
      Tensor t = Tensor::zeros(DType::kF32, {5});
      group.recv(t, 0);
    }
  }),
               RuntimeError);
}

TEST(ProcessGroup, NoRankLeavesTheBarrierBeforeEveryRankArrived) {
  std::atomic<int> arrived{0};
  ThreadWorld(x86_ranks(3, [](int r) { return r; })).run([&](RankEnv& env) {
    ProcessGroup group(env, "g/device", {2, 0, 1});
    for (int round = 1; round <= 3; ++round) {
      ++arrived;
      group.barrier();
      EXPECT_GE(arrived.load(), 3 * round);
    }
  });
}

TEST(ProcessGroup, AllGatherObjectIsInGroupOrder) {
  ThreadWorld(x86_ranks(3, [](int r) { return r; })).run([](RankEnv& env) {
    ProcessGroup group(env, "g/device", {2, 0, 1});  // group rank 0 is global rank 2
    const auto objects =
        group.all_gather_object(encode_string("rank" + std::to_string(env.world_rank())));
    ASSERT_EQ(objects.size(), 3u);
    EXPECT_EQ(decode_string(objects[0]), "rank2");
    EXPECT_EQ(decode_string(objects[1]), "rank0");
    EXPECT_EQ(decode_string(objects[2]), "rank1");
  });
}

TEST(ProcessGroup, AllGatherIntoTensorIsRankMajor) {
  ThreadWorld(x86_ranks(3, [](int r) { return r; })).run([](RankEnv& env) {
    ProcessGroup group(env, "g/device", {0, 1, 2});
    Tensor input = Tensor::zeros(DType::kF32, {2});
    input.data<float>()[0] = static_cast<float>(env.world_rank());
    input.data<float>()[1] = 0.5f;
    Tensor output = Tensor::zeros(DType::kF32, {6});
    group.all_gather_into_tensor(output, input);
    const auto got = output.data<float>();
    EXPECT_EQ(std::vector<float>(got.begin(), got.end()),
              (std::vector<float>{0, 0.5f, 1, 0.5f, 2, 0.5f}));
  });
}

}  // namespace
}  // namespace commsim::comm
