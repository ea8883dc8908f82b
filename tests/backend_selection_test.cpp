// The backend-selection truth table: each of vLLM's four conditions failing alone, under the
// profiles before and after PR #40150, with the short-circuit and the INFO line.
#include "communicators/backend_selection.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace commsim::comm {
namespace {

struct Row {
  std::string label;
  Arch arch;
  bool has_op;
  std::string group;
  bool names_agree;
  // expected
  Backend backend;
  std::optional<SelectionCheck> failed;
  bool collective_ran;
  bool logs;
};

struct SelectionCase {
  std::string policy;
  Row row;
};

std::string case_name(const ::testing::TestParamInfo<SelectionCase>& info) {
  std::string name = info.param.policy + "_" + info.param.row.label;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class BackendSelectionTable : public ::testing::TestWithParam<SelectionCase> {};

TEST_P(BackendSelectionTable, MatchesVllm) {
  const SelectionCase& c = GetParam();
  const Policy policy = *find_policy(c.policy);
  int collective_calls = 0;
  const BackendDecision decision =
      select_backend(policy, c.row.arch, c.row.has_op, c.row.group, [&] {
        ++collective_calls;
        return c.row.names_agree;
      });
  EXPECT_EQ(decision.backend, c.row.backend);
  EXPECT_EQ(decision.failed, c.row.failed);
  EXPECT_EQ(decision.agreement_collective_ran, c.row.collective_ran);
  EXPECT_EQ(collective_calls, c.row.collective_ran ? 1 : 0) << "short-circuit broken";
  if (c.row.logs) {
    ASSERT_TRUE(decision.info_log.has_value());
    EXPECT_EQ(*decision.info_log, "CPU SHM communicator disabled for group " + c.row.group +
                                      ": ranks do not share the same SHM group name, falling "
                                      "back to torch.distributed.");
  } else {
    EXPECT_FALSE(decision.info_log.has_value());
  }
}

using S = SelectionCheck;
constexpr Backend kShm = Backend::kShm;
constexpr Backend kDist = Backend::kTorchDistributed;

// Rows shared by the profiles with the name check (v0.18.0 and from PR #40150 on).
std::vector<SelectionCase> with_name_check(const std::string& policy, Backend arm_backend) {
  const bool arm_shm = arm_backend == kShm;
  return {
      {policy, {"all_pass", Arch::kX86, true, "tp:0", true, kShm, std::nullopt, true, false}},
      {policy,
       {"arch_powerpc", Arch::kPowerPC, true, "tp:0", true, kDist, S::kArchitecture, false, true}},
      {policy,
       {"arch_arm", Arch::kArm, true, "pp:0", true, arm_backend,
        arm_shm ? std::nullopt : std::optional(S::kArchitecture), arm_shm, !arm_shm}},
      {policy,
       {"op_missing", Arch::kX86, false, "pp:0", true, kDist, S::kInitShmManagerOp, false, true}},
      {policy, {"name_dp", Arch::kX86, true, "dp:0", true, kDist, S::kGroupName, false, false}},
      {policy,
       {"name_world", Arch::kX86, true, "world:0", true, kDist, S::kGroupName, false, false}},
      {policy,
       {"name_prefix_tp1", Arch::kX86, true, "tp:1", true, kShm, std::nullopt, true, false}},
      {policy,
       {"names_disagree", Arch::kX86, true, "pp:0", false, kDist, S::kNameAgreement, true, true}},
  };
}

std::vector<SelectionCase> all_cases() {
  std::vector<SelectionCase> cases = with_name_check("vllm-0.18.0", kShm);
  // The merged #40150 and the later main keep ARM in the gate; the unmerged revision does not.
  for (auto& c : with_name_check("vllm-pr40150", kShm)) cases.push_back(c);
  for (auto& c : with_name_check("vllm-pr40150-x86-revision", kDist)) cases.push_back(c);
  for (auto& c : with_name_check("vllm-main-2026-05-21", kShm)) cases.push_back(c);
  // Before PR #34169 there is no name check, no collective and no log line.
  const std::string pre = "vllm-pre-34169";
  cases.push_back(
      {pre, {"all_pass", Arch::kX86, true, "tp:0", true, kShm, std::nullopt, false, false}});
  cases.push_back(
      {pre, {"names_disagree", Arch::kX86, true, "pp:0", false, kShm, std::nullopt, false, false}});
  cases.push_back(
      {pre,
       {"op_missing", Arch::kX86, false, "pp:0", true, kDist, S::kInitShmManagerOp, false, false}});
  cases.push_back({pre,
                   {"arch_powerpc", Arch::kPowerPC, true, "tp:0", true, kDist, S::kArchitecture,
                    false, false}});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Profiles, BackendSelectionTable, ::testing::ValuesIn(all_cases()),
                         case_name);

TEST(BackendSelection, PolicyProfilesDifferWhereVllmDoes) {
  const Policy v0180 = *find_policy("vllm-0.18.0");
  const Policy pr40150 = *find_policy("vllm-pr40150");
  EXPECT_EQ(v0180.custom_send_recv_rule, CustomSendRecvRule::kOpPresent);
  EXPECT_EQ(pr40150.custom_send_recv_rule, CustomSendRecvRule::kSupportsTensorDict);
  EXPECT_FALSE(v0180.has_supports_tensor_dict);
  EXPECT_TRUE(pr40150.has_supports_tensor_dict);
  EXPECT_FALSE(find_policy("vllm-9.9").has_value());
}

}  // namespace
}  // namespace commsim::comm
