// The CpuCommunicator and GroupCoordinator operations beyond all_reduce, all_gather and the
// tensor dicts: gather with its rank translation under both backends, the operations inherited
// from DeviceCommunicatorBase (torch.distributed whichever backend was chosen), and the TP
// group's message-queue broadcaster, whose creation runs collectives on the cpu group.
#include <gtest/gtest.h>

#include <vector>

#include "communicators/errors.h"
#include "communicators/group_coordinator.h"
#include "communicators/message_queue.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using testing::ThreadWorld;
using testing::x86_ranks;

// Rank r's tensor: [2, 3] filled with 10 r + i.
Tensor rank_tensor(int rank) {
  Tensor t = Tensor::zeros(DType::kF32, {2, 3});
  auto values = t.data<float>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<float>(10 * rank + static_cast<int>(i));
  }
  return t;
}

// Three ranks: on one node the TP group picks SHM; one per node, torch.distributed. The group's
// ranks are world ranks 1, 2, 3 (not 0..2), so a mix-up of group and global ranks shows.
struct Layout {
  const char* name;
  bool one_node;
  Backend backend;
};
const Layout kLayouts[] = {{"shm", true, Backend::kShm},
                           {"torch.distributed", false, Backend::kTorchDistributed}};

TEST(CommunicatorSurface, GatherConcatenatesOnTheGroupRankDstUnderBothBackends) {
  const Policy policy = *find_policy("vllm-pr40150");
  for (const Layout& layout : kLayouts) {
    ThreadWorld(x86_ranks(4, [&](int r) {
      return layout.one_node ? 0 : r;
    })).run([&](RankEnv& env) {
      if (env.world_rank() == 0) return;
      GroupCoordinator tp(env, policy, "tp:0", {1, 2, 3}, true);
      ASSERT_EQ(tp.device_communicator()->backend(), layout.backend) << layout.name;
      const int me = tp.rank_in_group();
      const auto out = tp.gather(rank_tensor(me), /*dst=*/1, /*dim=*/-1);
      if (me != 1) {
        EXPECT_FALSE(out.has_value()) << layout.name;
        return;
      }
      ASSERT_TRUE(out.has_value()) << layout.name;
      ASSERT_EQ(out->shape(), (Shape{2, 9})) << layout.name;
      const auto values = out->data<float>();
      for (int row = 0; row < 2; ++row) {
        for (int r = 0; r < 3; ++r) {
          for (int c = 0; c < 3; ++c) {
            EXPECT_EQ(values[static_cast<std::size_t>(row * 9 + r * 3 + c)],
                      static_cast<float>(10 * r + row * 3 + c))
                << layout.name;
          }
        }
      }
    });
  }
}

TEST(CommunicatorSurface, GatherRejectsADimOutsideTheInput) {
  const Policy policy = *find_policy("vllm-pr40150");
  try {
    ThreadWorld(x86_ranks(2, [](int r) { return r; })).run([&](RankEnv& env) {
      GroupCoordinator tp(env, policy, "tp:0", {0, 1}, true);
      tp.gather(rank_tensor(0), 0, 2);
    });
    FAIL() << "AssertionError expected";
  } catch (const AssertionError& error) {
    EXPECT_EQ(error.message(), "Invalid dim (2) for input tensor with shape torch.Size([2, 3])");
  }
}

// GroupCoordinator.all_gather asserts on the dim before reaching the communicator
// (parallel_state.py:528-530 @ 2aab9acf4), with the same text under both backends.
TEST(CommunicatorSurface, AllGatherRejectsADimOutsideTheInputInTheCoordinator) {
  const Policy policy = *find_policy("vllm-pr40150");
  for (const Layout& layout : kLayouts) {
    try {
      ThreadWorld(x86_ranks(2, [&](int r) {
        return layout.one_node ? 0 : r;
      })).run([&](RankEnv& env) {
        GroupCoordinator tp(env, policy, "tp:0", {0, 1}, true);
        tp.all_gather(rank_tensor(0), -3);
      });
      FAIL() << "AssertionError expected under " << layout.name;
    } catch (const AssertionError& error) {
      EXPECT_EQ(error.message(),
                "Invalid dim (-3) for input tensor with shape torch.Size([2, 3])")
          << layout.name;
    }
  }
}

// reduce_scatter, broadcast and send/recv go over torch.distributed even when the group chose SHM:
// the communicator inherits them from DeviceCommunicatorBase.
TEST(CommunicatorSurface, InheritedOperationsWorkUnderBothBackends) {
  const Policy policy = *find_policy("vllm-pr40150");
  for (const Layout& layout : kLayouts) {
    ThreadWorld(x86_ranks(2, [&](int r) {
      return layout.one_node ? 0 : r;
    })).run([&](RankEnv& env) {
      GroupCoordinator tp(env, policy, "tp:0", {0, 1}, true);
      ASSERT_EQ(tp.device_communicator()->backend(), layout.backend) << layout.name;
      const int me = tp.rank_in_group();
      // reduce_scatter: the sum of [2, 3] inputs, this rank's row.
      const Tensor scattered = tp.reduce_scatter(rank_tensor(me), 0);
      ASSERT_EQ(scattered.shape(), (Shape{1, 3})) << layout.name;
      for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(scattered.data<float>()[static_cast<std::size_t>(c)],
                  static_cast<float>(10 + 2 * (me * 3 + c)))
            << layout.name;
      }
      // broadcast from group rank 1.
      Tensor shared = me == 1 ? rank_tensor(1) : Tensor::zeros(DType::kF32, {2, 3});
      tp.broadcast(shared, 1);
      EXPECT_TRUE(bit_identical(shared, rank_tensor(1))) << layout.name;
      // send to the next rank, receive from the previous one.
      tp.send(rank_tensor(me));
      const Tensor received = tp.recv({2, 3}, DType::kF32);
      EXPECT_TRUE(bit_identical(received, rank_tensor(1 - me))) << layout.name;
      tp.barrier();
    });
  }
}

TEST(CommunicatorSurface, VariableSizeCollectivesRaiseNotImplementedError) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([&](RankEnv& env) {
    GroupCoordinator tp(env, policy, "tp:0", {0, 1}, true);
    EXPECT_THROW(tp.all_gatherv(), NotImplementedError);
    EXPECT_THROW(tp.reduce_scatterv(), NotImplementedError);
    GroupCoordinator world(env, policy, "world:0", {0, 1}, false);
    EXPECT_THROW(world.all_gatherv(), ValueError);  // "No device communicator found"
  });
}

TEST(CommunicatorSurface, BroadcastChecksTheSourceRank) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(1, [](int) { return 0; })).run([&](RankEnv& env) {
    GroupCoordinator tp(env, policy, "tp:0", {0}, true);
    Tensor t = rank_tensor(0);
    try {
      tp.broadcast(t, 1);
      FAIL() << "AssertionError expected";
    } catch (const AssertionError& error) {
      EXPECT_EQ(error.message(), "Invalid src rank (1)");
    }
  });
}

// in_the_same_node_as: rank 0's segment is visible on its node only.
TEST(CommunicatorSurface, InTheSameNodeAsSeesRankZerosNode) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(4, [](int r) { return r < 3 ? 0 : 1; })).run([&](RankEnv& env) {
    GroupCoordinator world(env, policy, "world:0", {0, 1, 2, 3}, false);
    const std::vector<bool> same =
        in_the_same_node_as(env, world.cpu_group(), "world:0", /*source_rank=*/0);
    EXPECT_EQ(same, (std::vector<bool>{true, true, true, false}));
  });
}

// The TP group creates the broadcaster after its communicator; PP and DP groups create none. The
// writer (group rank 0) counts its readers on its node and elsewhere.
TEST(CommunicatorSurface, TheTpGroupCreatesAMessageQueueBroadcaster) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(3, [](int r) { return r < 2 ? 0 : 1; })).run([&](RankEnv& env) {
    GroupCoordinator tp(env, policy, "tp:0", {0, 1, 2}, true, {}, true);
    GroupCoordinator pp(env, policy, "pp:0", {0, 1, 2}, true);
    EXPECT_FALSE(pp.mq_broadcaster().has_value());
    ASSERT_TRUE(tp.mq_broadcaster().has_value());
    const MessageQueueEnd& end = *tp.mq_broadcaster();
    EXPECT_EQ(end.writer, env.world_rank() == 0);
    EXPECT_EQ(end.local_readers, 1);
    EXPECT_EQ(end.remote_readers, 1);
  });
}

}  // namespace
}  // namespace commsim::comm
