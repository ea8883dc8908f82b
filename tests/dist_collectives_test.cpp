// The torch.distributed (gloo) collectives against sequential references: every algorithm, world
// sizes 1 to 8 (non-powers of two included), 0 to 1000 elements, sum/max/min over f32, bf16, f16,
// i32 and i64. Inputs are small integers, so every result is exact whatever the order.
#include <gtest/gtest.h>

#include "communicators/process_group.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using collectives::AllReduceAlgorithm;
using testing::first_ranks;
using testing::ThreadWorld;
using testing::x86_ranks;

constexpr DType kDtypes[] = {DType::kF32, DType::kBF16, DType::kF16, DType::kI32, DType::kI64};
constexpr ReduceOp kOps[] = {ReduceOp::kSum, ReduceOp::kMax, ReduceOp::kMin};
constexpr std::int64_t kSizes[] = {0, 1, 7, 1000};

// Rank `rank`'s input: integers in [-5, 5] that differ by rank, element and dtype.
Tensor input_of(DType dtype, std::int64_t numel, int rank) {
  Tensor t = Tensor::zeros(dtype, {numel});
  for (std::int64_t i = 0; i < numel; ++i) {
    set_element_from_float(
        t, i, static_cast<float>((i * 7 + rank * 3 + static_cast<int>(dtype)) % 11 - 5));
  }
  return t;
}

Tensor reduced(DType dtype, std::int64_t numel, int world, ReduceOp op) {
  Tensor acc = input_of(dtype, numel, 0);
  for (int r = 1; r < world; ++r) reduce_into(acc, input_of(dtype, numel, r), op);
  return acc;
}

class DistCollectives : public ::testing::TestWithParam<int> {};

TEST_P(DistCollectives, AllReduceEveryAlgorithmMatchesTheSequentialReduction) {
  const int world = GetParam();
  ThreadWorld(x86_ranks(world, [](int r) { return r; })).run([&](RankEnv& env) {
    ProcessGroup group(env, "g/device", first_ranks(world));
    for (DType dtype : kDtypes) {
      for (ReduceOp op : kOps) {
        for (std::int64_t numel : kSizes) {
          for (auto algorithm :
               {AllReduceAlgorithm::kRing, AllReduceAlgorithm::kLogicalRing,
                AllReduceAlgorithm::kRecursiveDoubling, AllReduceAlgorithm::kAuto}) {
            SCOPED_TRACE(std::string(dtype_name(dtype)) + " " + std::string(reduce_op_name(op)) +
                         " numel " + std::to_string(numel) + " " +
                         std::string(collectives::algorithm_name(algorithm)));
            Tensor t = input_of(dtype, numel, env.world_rank());
            group.all_reduce(t, op, algorithm);
            ASSERT_TRUE(bit_identical(t, reduced(dtype, numel, world, op)));
          }
        }
      }
    }
  });
}

TEST_P(DistCollectives, AllGatherReduceScatterBroadcastAndGather) {
  const int world = GetParam();
  ThreadWorld(x86_ranks(world, [](int r) { return r; })).run([&](RankEnv& env) {
    const int rank = env.world_rank();
    ProcessGroup group(env, "g/device", first_ranks(world));
    for (DType dtype : kDtypes) {
      for (std::int64_t numel : kSizes) {
        SCOPED_TRACE(std::string(dtype_name(dtype)) + " numel " + std::to_string(numel));
        // all_gather: block r is rank r's input.
        Tensor gathered = Tensor::zeros(dtype, {world * numel});
        group.all_gather_into_tensor(gathered, input_of(dtype, numel, rank));
        for (int r = 0; r < world; ++r) {
          ASSERT_TRUE(bit_identical(gathered.slice(r * numel, numel), input_of(dtype, numel, r)));
        }
        // reduce_scatter: this rank's chunk of the sum.
        const Tensor whole = reduced(dtype, numel, world, ReduceOp::kSum);
        const Tensor mine = collectives::ring_chunk(whole, world, rank);
        Tensor output = Tensor::zeros(dtype, {mine.numel()});
        group.reduce_scatter(output, input_of(dtype, numel, rank), ReduceOp::kSum);
        ASSERT_TRUE(bit_identical(output, mine.clone()));
        // broadcast from every root in turn.
        for (int root = 0; root < world; ++root) {
          Tensor t = rank == root ? input_of(dtype, numel, root) : Tensor::zeros(dtype, {numel});
          group.broadcast(t, root);
          ASSERT_TRUE(bit_identical(t, input_of(dtype, numel, root))) << "root " << root;
        }
        // gather to the last rank.
        std::vector<Tensor> outputs;
        for (int r = 0; r < world; ++r) outputs.push_back(Tensor::zeros(dtype, {numel}));
        group.gather(input_of(dtype, numel, rank), &outputs, world - 1);
        if (rank == world - 1) {
          for (int r = 0; r < world; ++r) {
            ASSERT_TRUE(
                bit_identical(outputs[static_cast<std::size_t>(r)], input_of(dtype, numel, r)));
          }
        }
      }
    }
  });
}

TEST(DistCollectives, ConcurrentCollectivesOnDifferentGroupsNeverMixMessages) {
  // Four ranks in two TP pairs {0,1}, {2,3} and two PP pairs {0,2}, {1,3}, plus the world: each
  // rank runs a TP all-reduce, a world all-gather, a PP all-reduce and a second TP all-reduce
  // back to back. Eager sends let a fast pair's messages arrive while its peers are still in
  // another group's collective; each result must still hold only its own group's inputs.
  ThreadWorld(x86_ranks(4, [](int r) { return r; })).run([](RankEnv& env) {
    const int me = env.world_rank();
    const int tp_first = me / 2 * 2;
    const int pp_first = me % 2;
    ProcessGroup tp(env, "tp" + std::to_string(tp_first) + "/device", {tp_first, tp_first + 1});
    ProcessGroup pp(env, "pp" + std::to_string(pp_first) + "/device", {pp_first, pp_first + 2});
    ProcessGroup world(env, "world/device", first_ranks(4));
    const auto filled = [](std::int64_t numel, float value) {
      Tensor t = Tensor::zeros(DType::kF32, {numel});
      for (float& x : t.data<float>()) x = value;
      return t;
    };
    Tensor tp_sum = filled(300, static_cast<float>(1 << me));  // ranks' bits: the sum names them
    tp.all_reduce(tp_sum, ReduceOp::kSum);
    Tensor gathered = filled(4 * 5, 0);
    world.all_gather_into_tensor(gathered, filled(5, static_cast<float>(100 + me)));
    Tensor pp_max = filled(70000, static_cast<float>(me));  // large: the ring
    pp.all_reduce(pp_max, ReduceOp::kMax);
    Tensor tp_again = filled(3, static_cast<float>(10 * me));
    tp.all_reduce(tp_again, ReduceOp::kSum, AllReduceAlgorithm::kRing);

    EXPECT_EQ(tp_sum.data<float>()[299], static_cast<float>((1 << tp_first) + (2 << tp_first)));
    for (int r = 0; r < 4; ++r) EXPECT_EQ(gathered.data<float>()[r * 5 + 4], 100.0f + r);
    EXPECT_EQ(pp_max.data<float>()[69999], static_cast<float>(pp_first + 2));
    EXPECT_EQ(tp_again.data<float>()[2], static_cast<float>(10 * (2 * tp_first + 1)));
  });
}

TEST(DistCollectives, PhantomTensorsMoveNoBytesButTheSameMessages) {
  ThreadWorld(x86_ranks(3, [](int r) { return r; })).run([](RankEnv& env) {
    ProcessGroup group(env, "g/device", first_ranks(3));
    Tensor phantom = Tensor::phantom(DType::kF32, {1 << 20});
    group.all_reduce(phantom, ReduceOp::kSum);
    EXPECT_TRUE(phantom.is_phantom());
    EXPECT_TRUE(phantom.bytes().empty());
  });
}

TEST(DistCollectives, AutoIsTheRingAtEverySizeAsGlooUnderPyTorch) {
  // PyTorch's gloo all-reduce is gloo's ring at every size.
  EXPECT_EQ(collectives::choose_allreduce(4096, 1024, 8), AllReduceAlgorithm::kRing);
  EXPECT_EQ(collectives::choose_allreduce(1 << 20, 1 << 18, 8), AllReduceAlgorithm::kRing);
  EXPECT_EQ(collectives::choose_allreduce(1 << 20, 4, 8), AllReduceAlgorithm::kRing);
}

INSTANTIATE_TEST_SUITE_P(WorldSizes, DistCollectives, ::testing::Values(1, 2, 3, 4, 5, 7, 8));

}  // namespace
}  // namespace commsim::comm
