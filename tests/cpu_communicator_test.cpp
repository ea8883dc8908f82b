// CpuCommunicator and GroupCoordinator on a group that falls back to torch.distributed: the INFO
// line, supports_tensor_dict, use_cpu_custom_send_recv per profile, the fast-path guards with
// vLLM's exact messages, and the errors of the name check.
#include "communicators/cpu_communicator.h"

#include <gtest/gtest.h>

#include <mutex>

#include "communicators/errors.h"
#include "communicators/group_coordinator.h"
#include "communicators/rank_env_wrapper.h"
#include "tests/support/thread_world.h"

namespace commsim::comm {
namespace {

using testing::ThreadWorld;
using testing::x86_ranks;

constexpr const char* kNoFastpath =
    "CpuCommunicator does not support tensor dict fastpath with torch.distributed backend.";

// Two ranks on two nodes forming "pp:0": their launch ports differ, so the names disagree.
std::vector<NodeFacts> two_nodes() {
  return x86_ranks(2, [](int rank) { return rank; });
}

struct Observed {
  std::mutex mutex;
  std::vector<std::string> logs;
  std::vector<bool> custom_send_recv;
  std::vector<std::string> errors;
};

// A RankEnv decorator that keeps the log lines a rank writes.
class LogCapture final : public RankEnvWrapper {
 public:
  LogCapture(RankEnv& inner, Observed& observed) : RankEnvWrapper(inner), observed_(observed) {}
  void log(LogLevel, const std::string& logger, const std::string& text) override {
    std::lock_guard lock(observed_.mutex);
    observed_.logs.push_back(logger + " INFO " + text);
  }

 private:
  Observed& observed_;
};

TEST(CpuCommunicator, CrossNodePipelineGroupFallsBackWithTheInfoLine) {
  Observed observed;
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(two_nodes()).run([&](RankEnv& inner) {
    LogCapture env(inner, observed);
    GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    ASSERT_NE(pp.device_communicator(), nullptr);
    const CpuCommunicator& communicator = *pp.device_communicator();
    EXPECT_EQ(communicator.backend(), Backend::kTorchDistributed);
    EXPECT_EQ(communicator.decision().failed, SelectionCheck::kNameAgreement);
    EXPECT_FALSE(communicator.supports_tensor_dict());
    EXPECT_FALSE(pp.use_cpu_custom_send_recv());
    EXPECT_EQ(communicator.make_group_name(),
              env.world_rank() == 0 ? "29500-pp:0-[0-1]-cpushm" : "29501-pp:0-[0-1]-cpushm");
  });
  ASSERT_EQ(observed.logs.size(), 2u);
  for (const std::string& line : observed.logs) {
    EXPECT_EQ(line,
              "vllm.distributed.device_communicators.cpu_communicator INFO CPU SHM communicator "
              "disabled for group pp:0: ranks do not share the same SHM group name, falling back "
              "to torch.distributed.");
  }
}

TEST(CpuCommunicator, FastPathOnFallbackRaisesNotImplementedAfterPr40150) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(two_nodes()).run([&](RankEnv& env) {
    GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    CpuCommunicator& communicator = *pp.device_communicator();
    try {
      if (env.world_rank() == 0) {
        communicator.send_tensor_dict(TensorDict{{"x", Tensor::zeros(DType::kF32, {2})}}, 1);
      } else {
        communicator.recv_tensor_dict(0);
      }
      FAIL() << "the fast path must raise";
    } catch (const NotImplementedError& error) {
      EXPECT_EQ(error.message(), kNoFastpath);
      EXPECT_EQ(std::string(error.what()), std::string("NotImplementedError: ") + kNoFastpath);
    }
  });
}

TEST(CpuCommunicator, FastPathOnFallbackIsAnAttributeErrorInV0180) {
  const Policy policy = *find_policy("vllm-0.18.0");
  ThreadWorld(two_nodes()).run([&](RankEnv& env) {
    GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    // v0.18.0 derives the flag from the build alone, although the backend fell back.
    EXPECT_TRUE(pp.use_cpu_custom_send_recv());
    EXPECT_FALSE(pp.device_communicator()->supports_tensor_dict());
    const TensorDict dict{{"hidden_states", Tensor::zeros(DType::kF32, {2, 2})}};
    if (env.world_rank() == 0) {
      try {
        pp.send_tensor_dict(dict);
        FAIL() << "send_tensor_dict must raise";
      } catch (const AttributeError& error) {
        EXPECT_EQ(error.message(),
                  "module 'torch.distributed' has no attribute 'send_tensor_dict'");
      }
    } else {
      try {
        pp.recv_tensor_dict();
        FAIL() << "recv_tensor_dict must raise";
      } catch (const AttributeError& error) {
        EXPECT_EQ(error.message(),
                  "module 'torch.distributed' has no attribute 'recv_tensor_dict'");
      }
    }
  });
}

TEST(CpuCommunicator, BuildWithoutTheOpKeepsTheGenericPathInEveryProfile) {
  for (const std::string name : {"vllm-0.18.0", "vllm-pr40150"}) {
    const Policy policy = *find_policy(name);
    auto nodes = two_nodes();
    for (NodeFacts& node : nodes) node.has_init_shm_manager = false;
    ThreadWorld(nodes).run([&](RankEnv& env) {
      GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
      EXPECT_EQ(pp.device_communicator()->decision().failed, SelectionCheck::kInitShmManagerOp);
      EXPECT_FALSE(pp.device_communicator()->decision().agreement_collective_ran);
      EXPECT_FALSE(pp.use_cpu_custom_send_recv()) << name;
    });
  }
}

TEST(CpuCommunicator, UnsetDistIdentIsAKeyErrorInTheNameCheck) {
  auto nodes = two_nodes();
  nodes[0].environment.erase("VLLM_DIST_IDENT");
  nodes[1].environment.erase("VLLM_DIST_IDENT");
  const Policy policy = *find_policy("vllm-pr40150");
  try {
    ThreadWorld(nodes).run([&](RankEnv& env) {
      GroupCoordinator pp(env, policy, "pp:0", {0, 1}, true);
    });
    FAIL() << "KeyError expected";
  } catch (const KeyError& error) {
    EXPECT_EQ(std::string(error.what()), "KeyError: 'VLLM_DIST_IDENT'");
  }
}

TEST(CpuCommunicator, AllGatherConcatenatesAlongTheLastDim) {
  const Policy policy = *find_policy("vllm-pr40150");
  ThreadWorld(two_nodes()).run([&](RankEnv& env) {
    GroupCoordinator tp(env, policy, "tp:0", {0, 1}, true);
    Tensor input = Tensor::zeros(DType::kF32, {2, 3});
    auto values = input.data<float>();
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = static_cast<float>(10 * env.world_rank() + static_cast<int>(i));
    }
    const Tensor out = tp.all_gather(input, -1);
    ASSERT_EQ(out.shape(), (Shape{2, 6}));
    const std::vector<float> expected{0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15};
    const auto got = out.data<float>();
    EXPECT_EQ(std::vector<float>(got.begin(), got.end()), expected);
  });
}

}  // namespace
}  // namespace commsim::comm
