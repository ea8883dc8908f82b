// The real gloo library on commsim's seam (communicators/gloo/): gloo's own algorithms, through
// the RankEnv transport, give the sequential references for every op commsim uses, in every
// dtype, for group sizes 1 to 9 and sizes on both sides of gloo's 1 MiB ring segment; receive from
// any sender; zero-byte messages (the barrier); a wait past the process group's timeout fails with
// gloo's own text. Inputs are small integers, so every result is exact whatever the order.
#include "communicators/gloo/gloo_collectives.h"

#include <gloo/common/error.h>
#include <gtest/gtest.h>

#include "communicators/errors.h"
#include "communicators/gloo/env_transport.h"
#include "communicators/process_group.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using gloo_transport::GlooCollectives;
using testing::first_ranks;
using testing::ThreadWorld;
using testing::x86_ranks;

constexpr DType kDtypes[] = {DType::kF32, DType::kBF16, DType::kF16,
                             DType::kI32, DType::kI64,  DType::kU8};
constexpr ReduceOp kOps[] = {ReduceOp::kSum, ReduceOp::kMax, ReduceOp::kMin};

// Rank `rank`'s input: integers in [0, 10] (u8 has no negatives) that differ by rank and element.
Tensor input_of(DType dtype, std::int64_t numel, int rank) {
  Tensor t = Tensor::zeros(dtype, {numel});
  for (std::int64_t i = 0; i < numel; ++i) {
    set_element_from_float(t, i, static_cast<float>((i * 7 + rank * 3) % 11));
  }
  return t;
}

Tensor reduced(DType dtype, std::int64_t numel, int world, ReduceOp op) {
  Tensor acc = input_of(dtype, numel, 0);
  for (int r = 1; r < world; ++r) reduce_into(acc, input_of(dtype, numel, r), op);
  return acc;
}

// `world` ranks, one per node, whose process groups run on gloo.
std::vector<NodeFacts> gloo_ranks(int world) {
  std::vector<NodeFacts> nodes = x86_ranks(world, [](int r) { return r; });
  for (NodeFacts& node : nodes) node.dist_impl = DistImpl::kGloo;
  return nodes;
}

class GlooCollectivesTest : public ::testing::TestWithParam<int> {};

TEST_P(GlooCollectivesTest, AllReduceMatchesTheSequentialReductionInEveryDtype) {
  const int world = GetParam();
  ThreadWorld(gloo_ranks(world)).run([&](RankEnv& env) {
    GlooCollectives gloo(env, "g", first_ranks(world), env.world_rank());
    for (DType dtype : kDtypes) {
      for (ReduceOp op : kOps) {
        for (std::int64_t numel : {0, 1, 7, 1027}) {
          SCOPED_TRACE(std::string(dtype_name(dtype)) + " " + std::string(reduce_op_name(op)) +
                       " numel " + std::to_string(numel));
          Tensor t = input_of(dtype, numel, env.world_rank());
          gloo.all_reduce(t, op);
          ASSERT_TRUE(bit_identical(t, reduced(dtype, numel, world, op)));
        }
      }
    }
  });
}

// gloo's ring cuts the buffer into segments of at most 1 MiB, two in flight per rank: 300,000
// floats (1.2 MB) need more than one segment per rank at small worlds.
TEST_P(GlooCollectivesTest, AllReduceAcrossRingSegmentBoundaries) {
  const int world = GetParam();
  ThreadWorld(gloo_ranks(world)).run([&](RankEnv& env) {
    GlooCollectives gloo(env, "g", first_ranks(world), env.world_rank());
    for (std::int64_t numel : {262144, 262145, 300001}) {
      Tensor t = input_of(DType::kF32, numel, env.world_rank());
      gloo.all_reduce(t, ReduceOp::kSum);
      ASSERT_TRUE(bit_identical(t, reduced(DType::kF32, numel, world, ReduceOp::kSum))) << numel;
    }
  });
}

TEST_P(GlooCollectivesTest, AllGatherGatherBroadcastReduceScatterAndBarrier) {
  const int world = GetParam();
  ThreadWorld(gloo_ranks(world)).run([&](RankEnv& env) {
    const int rank = env.world_rank();
    GlooCollectives gloo(env, "g", first_ranks(world), rank);
    Tensor nothing = Tensor::zeros(DType::kF32, {0});
    Tensor none_gathered = Tensor::zeros(DType::kF32, {0});
    gloo.all_gather_into_tensor(none_gathered, nothing);
    gloo.broadcast(nothing, 0);
    for (DType dtype : {DType::kF32, DType::kBF16, DType::kI64}) {
      const Tensor own = input_of(dtype, 13, rank + 100);
      Tensor all = Tensor::zeros(dtype, {13 * world});
      gloo.all_gather_into_tensor(all, own);
      for (int peer = 0; peer < world; ++peer) {
        ASSERT_TRUE(bit_identical(all.slice(13 * peer, 13), input_of(dtype, 13, peer + 100)));
      }

      const int root = world - 1;
      std::vector<Tensor> gathered;
      for (int peer = 0; peer < world; ++peer) gathered.push_back(Tensor::zeros(dtype, {13}));
      gloo.gather(own, &gathered, root);
      if (rank == root) {
        for (int peer = 0; peer < world; ++peer) {
          ASSERT_TRUE(bit_identical(gathered[static_cast<std::size_t>(peer)],
                                    input_of(dtype, 13, peer + 100)));
        }
      }

      Tensor broadcast = input_of(dtype, 1027, rank);
      gloo.broadcast(broadcast, root);
      ASSERT_TRUE(bit_identical(broadcast, input_of(dtype, 1027, root)));

      const Tensor input = input_of(dtype, 5 * world, rank);
      Tensor chunk = Tensor::zeros(dtype, {5});
      gloo.reduce_scatter(chunk, input, ReduceOp::kSum);
      ASSERT_TRUE(bit_identical(
          chunk, reduced(dtype, 5 * world, world, ReduceOp::kSum).slice(5 * rank, 5)));
      gloo.barrier();
    }
  });
}

INSTANTIATE_TEST_SUITE_P(GroupSizes, GlooCollectivesTest, ::testing::Values(1, 2, 3, 4, 5, 8, 9),
                         [](const auto& test) { return "P" + std::to_string(test.param); });

TEST(GlooPointToPoint, SendRecvAndReceiveFromAnySender) {
  ThreadWorld(gloo_ranks(4)).run([&](RankEnv& env) {
    const int rank = env.world_rank();
    GlooCollectives gloo(env, "g", first_ranks(4), rank);
    // 1 -> 0 with tag 0, and 2 -> 0 with tag 7: each arrives into its own receive.
    if (rank == 1) gloo.isend(input_of(DType::kF32, 9, 1), 0)->wait();
    if (rank == 2) gloo.isend(input_of(DType::kF32, 9, 2), 0, 7)->wait();
    if (rank == 0) {
      Tensor from_two = Tensor::zeros(DType::kF32, {9});
      auto seven = gloo.irecv(from_two, 2, 7);
      Tensor from_one = Tensor::zeros(DType::kF32, {9});
      EXPECT_EQ(gloo.irecv(from_one, 1)->wait(), 1);
      EXPECT_EQ(seven->wait(), 2);
      EXPECT_TRUE(bit_identical(from_one, input_of(DType::kF32, 9, 1)));
      EXPECT_TRUE(bit_identical(from_two, input_of(DType::kF32, 9, 2)));
    }
    // Only rank 3 sends on tag 9: a receive from any sender gets it and names it.
    if (rank == 3) gloo.isend(input_of(DType::kI64, 4, 3), 0, 9)->wait();
    if (rank == 0) {
      Tensor any = Tensor::zeros(DType::kI64, {4});
      EXPECT_EQ(gloo.irecv_any(any, 9)->wait(), 3);
      EXPECT_TRUE(bit_identical(any, input_of(DType::kI64, 4, 3)));
    }
  });
}

// PyTorch surfaces gloo's exception text unchanged, a RuntimeError in Python; commsim marks it as
// a process group's timeout.
TEST(GlooTimeout, AWaitPastTheTimeoutFailsWithGlooText) {
  ThreadWorld(gloo_ranks(2)).run([&](RankEnv& env) {
    // Time does not pass in the threaded world: its timed waits count wall-clock seconds.
    GlooCollectives gloo(env, "g", first_ranks(2), env.world_rank(),
                         std::chrono::milliseconds(200));
    if (env.world_rank() == 1) return;  // alive, but never sends
    Tensor t = Tensor::zeros(DType::kF32, {3});
    try {
      gloo.irecv(t, 1)->wait();
      ADD_FAILURE() << "the receive should time out";
    } catch (const ProcessGroupTimeout& error) {
      EXPECT_EQ(error.type(), "RuntimeError");
      EXPECT_EQ(error.message(),
                "[../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out "
                "waiting 200ms for recv operation to complete");
    }
  });
}

TEST(GlooProcessGroup, EveryOpOfTheProcessGroupRunsOnGloo) {
  ThreadWorld(gloo_ranks(3)).run([&](RankEnv& env) {
    const int rank = env.world_rank();
    ProcessGroup group(env, "pg", first_ranks(3));
    ASSERT_EQ(group.library(), "gloo");
    Tensor t = input_of(DType::kF32, 10, rank);
    group.all_reduce(t, ReduceOp::kSum);
    EXPECT_TRUE(bit_identical(t, reduced(DType::kF32, 10, 3, ReduceOp::kSum)));
    const ObjectBytes own(static_cast<std::size_t>(rank + 1),
                          std::byte{static_cast<unsigned char>(rank)});
    const std::vector<ObjectBytes> objects = group.all_gather_object(own);
    ASSERT_EQ(objects.size(), 3U);
    for (int peer = 0; peer < 3; ++peer) {
      EXPECT_EQ(objects[static_cast<std::size_t>(peer)],
                ObjectBytes(static_cast<std::size_t>(peer + 1),
                            std::byte{static_cast<unsigned char>(peer)}));
    }
    ObjectBytes object = rank == 1 ? ObjectBytes(5, std::byte{42}) : ObjectBytes{};
    group.broadcast_object(object, 1);
    EXPECT_EQ(object, ObjectBytes(5, std::byte{42}));
    if (rank == 0) group.send(input_of(DType::kI32, 6, 0), 2);
    if (rank == 2) {
      Tensor got = Tensor::zeros(DType::kI32, {6});
      EXPECT_EQ(group.recv(got, 0), 0);
      EXPECT_TRUE(bit_identical(got, input_of(DType::kI32, 6, 0)));
    }
    group.barrier();
  });
}

}  // namespace
}  // namespace commsim::comm
