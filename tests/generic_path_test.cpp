// The generic send_tensor_dict / recv_tensor_dict path over torch.distributed: metadata object,
// then one send per non-empty tensor; plain values and empty tensors round-trip; TP slicing with
// an all_gather_group re-assembles full tensors on the receiver.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "communicators/errors.h"
#include "communicators/group_coordinator.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using testing::ThreadWorld;
using testing::x86_ranks;

Tensor iota_tensor(DType dtype, Shape shape, int offset) {
  Tensor t = Tensor::zeros(dtype, std::move(shape));
  auto bytes = t.mutable_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<std::byte>((i * 7 + static_cast<std::size_t>(offset)) & 0xFF);
  }
  return t;
}

void expect_same(const TensorDict& got, const TensorDict& sent) {
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const auto& [key, value] = sent.entries()[i];
    EXPECT_EQ(got.entries()[i].first, key) << "key order";
    if (const auto* tensor = std::get_if<Tensor>(&value)) {
      const auto* received = std::get_if<Tensor>(&got.entries()[i].second);
      ASSERT_NE(received, nullptr) << key;
      EXPECT_TRUE(bit_identical(*received, *tensor)) << key;
    } else {
      EXPECT_EQ(to_plain(got.entries()[i].second), to_plain(value)) << key;
    }
  }
}

TEST(GenericPath, RoundTripsTensorsPlainValuesAndEmptyTensors) {
  const Policy policy = *find_policy("vllm-pr40150");
  const TensorDict sent{
      {"hidden_states", iota_tensor(DType::kF32, {4, 8}, 1)},
      {"empty", Tensor::zeros(DType::kF32, {0, 8})},
      {"positions", iota_tensor(DType::kI64, {4}, 3)},
      {"step_kind", std::string("decode")},
      {"is_last", true},
      {"num_tokens", std::int64_t{4}},
      {"scale", 0.125},
      {"nothing", None{}},
      {"residual", iota_tensor(DType::kBF16, {4, 8}, 5)},
  };
  ThreadWorld(x86_ranks(2, [](int r) { return r; })).run([&](RankEnv& env) {
    GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    ASSERT_FALSE(pp.use_cpu_custom_send_recv());
    if (env.world_rank() == 0) {
      EXPECT_FALSE(pp.send_tensor_dict(sent).has_value());
    } else {
      const auto got = pp.recv_tensor_dict();
      ASSERT_TRUE(got.has_value());
      expect_same(*got, sent);
      const auto& empty = std::get<Tensor>(*got->find("empty"));
      EXPECT_EQ(empty.shape(), (Shape{0, 8}));
    }
  });
}

TEST(GenericPath, SingleRankGroupReturnsTheInputAndNone) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(1, [](int) { return 0; })).run([&](RankEnv& env) {
    GroupCoordinator pp(env, policy, "pp:0", {0}, true);
    EXPECT_EQ(pp.device_communicator(), nullptr);
    const TensorDict dict{{"x", std::int64_t{1}}};
    EXPECT_TRUE(pp.send_tensor_dict(dict).has_value());
    EXPECT_FALSE(pp.recv_tensor_dict().has_value());
  });
}

TEST(GenericPath, SendObjectToSelfIsAnAssertion) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(2, [](int r) { return r; })).run([&](RankEnv& env) {
    GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    EXPECT_THROW(pp.send_object({}, pp.rank_in_group()), AssertionError);
    EXPECT_THROW(pp.send_tensor_dict(TensorDict{}, 2), AssertionError);
  });
}

// World of 4 ranks, one per node: TP groups [0,1], [2,3]; PP groups [0,2], [1,3]. Every group
// spans nodes, so every group falls back to torch.distributed and the TP all-gather is gloo's.
TEST(GenericPath, TensorParallelSlicesAreReassembledOnTheReceiver) {
  const Policy policy = *find_policy("vllm-pr40150");
  const Tensor hidden = iota_tensor(DType::kF32, {2, 6}, 11);    // 12 elements: divisible by 2
  const Tensor odd = iota_tensor(DType::kF32, {3}, 13);          // 3 elements: sent whole
  const Tensor residual = iota_tensor(DType::kF32, {2, 6}, 17);  // override: sent whole
  const std::map<std::string, bool> overrides{{"residual", false}};
  ThreadWorld(x86_ranks(4, [](int r) { return r; })).run([&](RankEnv& env) {
    const int rank = env.world_rank();
    GroupCoordinator tp(env, policy, "tp:0", rank < 2 ? std::vector{0, 1} : std::vector{2, 3},
                        true);
    GroupCoordinator pp(env, policy, "pp:0", rank % 2 == 0 ? std::vector{0, 2} : std::vector{1, 3},
                        true);
    if (rank < 2) {
      pp.send_tensor_dict(
          TensorDict{{"hidden_states", hidden}, {"odd", odd}, {"residual", residual}}, std::nullopt,
          &tp, &overrides);
    } else {
      const auto got = pp.recv_tensor_dict(std::nullopt, &tp, &overrides);
      ASSERT_TRUE(got.has_value());
      expect_same(*got,
                  TensorDict{{"hidden_states", hidden}, {"odd", odd}, {"residual", residual}});
    }
  });
}

TEST(GenericPath, ForcedSliceOfAnIndivisibleTensorIsAReshapeError) {
  const Policy policy = *find_policy("vllm-pr40150");
  const std::map<std::string, bool> force{{"odd", true}};
  try {
    ThreadWorld(x86_ranks(4, [](int r) { return r; })).run([&](RankEnv& env) {
      const int rank = env.world_rank();
      GroupCoordinator tp(env, policy, "tp:0", rank < 2 ? std::vector{0, 1} : std::vector{2, 3},
                          true);
      GroupCoordinator pp(env, policy, "pp:0",
                          rank % 2 == 0 ? std::vector{0, 2} : std::vector{1, 3}, true);
      if (rank < 2) {
        pp.send_tensor_dict(TensorDict{{"odd", iota_tensor(DType::kF32, {3}, 0)}}, std::nullopt,
                            &tp, &force);
      } else {
        // The senders fail before sending tensors; receive only the metadata.
        pp.recv_object(0);
      }
    });
    FAIL() << "RuntimeError expected";
  } catch (const RuntimeError& error) {
    EXPECT_EQ(error.message(), "shape '[2, -1]' is invalid for input of size 3");
  }
}

// _should_use_all_gather (parallel_state.py:799-811 @ 2aab9acf4): no group, no slicing; else
// divisibility by the group's size, unless the key is named.
TEST(GenericPath, ShouldUseAllGatherFollowsDivisibilityUnlessNamed) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([&](RankEnv& env) {
    GroupCoordinator tp(env, policy, "tp:0", {0, 1}, false);
    const std::map<std::string, bool> empty;
    const std::map<std::string, bool> residual_whole{{"residual", false}};
    EXPECT_FALSE(GroupCoordinator::should_use_all_gather("residual", 8, nullptr, nullptr));
    EXPECT_TRUE(GroupCoordinator::should_use_all_gather("residual", 8, &tp, &empty));
    EXPECT_FALSE(GroupCoordinator::should_use_all_gather("residual", 9, &tp, &empty));
    EXPECT_FALSE(GroupCoordinator::should_use_all_gather("residual", 8, &tp, &residual_whole));
    EXPECT_TRUE(GroupCoordinator::should_use_all_gather("hidden", 8, &tp, &residual_whole));
  });
}

// The worker's dict without sequence parallelism: all_gather_tensors empty. A residual whose size
// does not divide by TP goes whole (no reshape error); one that divides is sliced: each TP rank
// sends its own block, and the receivers all-gather the blocks. The two sending TP ranks hold
// different values, so the received residual shows whose block is whose.
TEST(GenericPath, ResidualIsSlicedOnlyWhenItsSizeDividesByTp) {
  const Policy policy = *find_policy("vllm-pr40150");
  const std::map<std::string, bool> worker_default;  // no sequence parallelism
  ThreadWorld(x86_ranks(4, [](int r) { return r; })).run([&](RankEnv& env) {
    const int rank = env.world_rank();
    GroupCoordinator tp(env, policy, "tp:0", rank < 2 ? std::vector{0, 1} : std::vector{2, 3},
                        true);
    GroupCoordinator pp(env, policy, "pp:0", rank % 2 == 0 ? std::vector{0, 2} : std::vector{1, 3},
                        true);
    if (rank < 2) {
      const auto filled = [&](Shape shape) {
        Tensor t = Tensor::zeros(DType::kF32, std::move(shape));
        for (float& v : t.data<float>()) v = static_cast<float>(rank + 1);
        return t;
      };
      WorkList handles =
          pp.isend_tensor_dict(TensorDict{{"odd", filled({3})}, {"residual", filled({2, 4})}},
                               std::nullopt, &tp, &worker_default);
      EXPECT_EQ(handles.size(), 2u);  // one isend per tensor, waited by the caller
      pp.wait_sends(handles);
      EXPECT_TRUE(handles.empty());
    } else {
      auto pending = pp.irecv_tensor_dict(std::nullopt, &tp, &worker_default);
      EXPECT_EQ(pending.handles.size(), 2u);
      EXPECT_EQ(pending.postprocess.size(), 1u);  // the residual's all-gather
      const auto got = pp.wait_for_comm(pending);
      ASSERT_TRUE(got.has_value());
      const Tensor& odd = std::get<Tensor>(*got->find("odd"));
      const Tensor& residual = std::get<Tensor>(*got->find("residual"));
      const float own_sender = static_cast<float>(rank - 2 + 1);
      for (const float v : odd.data<float>()) EXPECT_EQ(v, own_sender);  // whole, from its peer
      EXPECT_EQ(residual.shape(), (Shape{2, 4}));
      const auto values = residual.data<float>();
      for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(values[i], i < 4 ? 1.0f : 2.0f) << i;  // block 0 from TP rank 0, 1 from 1
      }
    }
  });
}

// On the SHM fast path the send is synchronous: isend_tensor_dict returns no handle.
TEST(GenericPath, FastPathSendsHaveNoHandles) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(x86_ranks(2, [](int) { return 0; })).run([&](RankEnv& env) {
    GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    ASSERT_TRUE(pp.use_cpu_custom_send_recv());
    if (env.world_rank() == 0) {
      EXPECT_TRUE(
          pp.isend_tensor_dict(TensorDict{{"x", iota_tensor(DType::kF32, {4}, 1)}}).empty());
    } else {
      auto pending = pp.irecv_tensor_dict();
      EXPECT_TRUE(pending.handles.empty());
      const auto got = pp.wait_for_comm(pending);
      ASSERT_TRUE(got.has_value());
      EXPECT_TRUE(
          bit_identical(std::get<Tensor>(*got->find("x")), iota_tensor(DType::kF32, {4}, 1)));
    }
  });
}

}  // namespace
}  // namespace commsim::comm
