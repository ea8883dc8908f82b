#include "communicators/policy.h"

namespace commsim::comm {
namespace {

// vLLM paths below are relative to vLLM's repository; line numbers are those of the commit named.
// The files of 2aab9acf4 are the reference; the other commits are read from the diffs between
// them (cpu_communicator.py is line-for-line the same up to line 44 at 8311f083b, cbd361fd4 and
// 2aab9acf4).

Policy pre_34169() {
  Policy policy{.name = "vllm-pre-34169",
                .arch_allow = {Arch::kX86, Arch::kArm},
                .name_agreement_check = false,
                .fallback_info_log = false,
                .has_supports_tensor_dict = false,
                .custom_send_recv_rule = CustomSendRecvRule::kOpPresent,
                .source = {}};
  policy.source = {
      .commit = "8311f083b",
      .date = "2026-01-29",
      .state = "main after #33317 (and #32792), before #34169",
      .merged = true,
      .compared_with = "",
      .differences = {
          "architecture gate X86 or ARM (#32792): "
          "vllm/distributed/device_communicators/cpu_communicator.py:31-35 @ 8311f083b",
          "SHM when the gate, hasattr(torch.ops._C, \"init_shm_manager\") and a tp/pp name "
          "prefix hold; no name agreement and no INFO line: cpu_communicator.py:31-39 @ 8311f083b",
          "MIN all-reduce of the thread counts before init_shm_manager (#33317): "
          "cpu_communicator.py:245-255 @ 2aab9acf4, unchanged since 8311f083b",
          "use_cpu_custom_send_recv = is_cpu() and hasattr(torch.ops._C, \"init_shm_manager\"): "
          "vllm/distributed/parallel_state.py, the lines #40150 replaces (:397-401 @ 2aab9acf4)",
      }};
  return policy;
}

Policy v0_18_0(const Policy& before) {
  Policy policy = before;
  policy.name = "vllm-0.18.0";
  policy.name_agreement_check = true;
  policy.fallback_info_log = true;
  policy.source = {
      .commit = "cbd361fd4",
      .date = "2026-03-02",
      .state = "main after #34169 (the code of the v0.18.0 release, inferred)",
      .merged = true,
      .compared_with = before.name,
      .differences = {
          "a fourth check: every rank all_gather_objects its SHM group name over the device "
          "group and SHM needs all names equal (#34169): cpu_communicator.py:38 @ cbd361fd4, "
          "_all_group_ranks_share_shm_group_name at cpu_communicator.py:65-77 @ 2aab9acf4",
          "an INFO line when a tp/pp group falls back, whichever check failed: "
          "cpu_communicator.py:41-46 @ cbd361fd4",
          "GroupCoordinator gains isend_tensor_dict / irecv_tensor_dict, which send_tensor_dict / "
          "recv_tensor_dict wrap (parallel_state.py @ cbd361fd4); the worker of 8311f083b is not "
          "in the reference, so the PP hand-off follows gpu_worker.py @ 2aab9acf4 under every "
          "profile",
      }};
  return policy;
}

Policy pr40150(const Policy& before) {
  Policy policy = before;
  policy.name = "vllm-pr40150";
  policy.has_supports_tensor_dict = true;
  policy.custom_send_recv_rule = CustomSendRecvRule::kSupportsTensorDict;
  policy.source = {
      .commit = "2aab9acf4",
      .date = "2026-04-20",
      .state = "#40150 merged",
      .merged = true,
      .compared_with = before.name,
      .differences = {
          "supports_tensor_dict = the backend is SHM: cpu_communicator.py:48-49 @ 2aab9acf4",
          "send_tensor_dict / recv_tensor_dict raise NotImplementedError on torch.distributed: "
          "cpu_communicator.py:149-153,160-164 @ 2aab9acf4",
          "use_cpu_custom_send_recv = is_cpu() and device_communicator and supports_tensor_dict: "
          "parallel_state.py:397-401 @ 2aab9acf4",
          "isend/irecv_tensor_dict default dst/src before the SHM path: "
          "parallel_state.py:861-863,959-961 @ 2aab9acf4",
          "architecture gate unchanged, X86 or ARM: cpu_communicator.py:31-35 @ 2aab9acf4",
      }};
  return policy;
}

Policy pr40150_x86_revision(const Policy& merged) {
  Policy policy = merged;
  policy.name = "vllm-pr40150-x86-revision";
  policy.arch_allow = {Arch::kX86};
  policy.source = {
      .commit = "",
      .date = "",
      .state =
          "a revision of #40150 with the ARM line of the architecture gate commented out, "
          "as the PR's summary shows it",
      .merged = false,
      .compared_with = merged.name,
      .differences = {
          "architecture gate X86 only: cpu_communicator.py:34 @ 2aab9acf4 (ARM) absent; never in "
          "vLLM's history, every commit since #32792 has X86 or ARM",
      }};
  return policy;
}

Policy main_2026_05_21(const Policy& before) {
  Policy policy = before;
  policy.name = "vllm-main-2026-05-21";
  policy.source = {
      .commit = "0a54df284",
      .date = "2026-05-21",
      .state = "a later main",
      .merged = true,
      .compared_with = before.name,
      .differences = {
          "nothing commsim models: backend selection, the SHM start and operations and the "
          "tensor-dict routing are those of 2aab9acf4 (no change to shm.cpp; the diff touches "
          "none of those lines)",
          "not modelled: an EP group's all2all manager is AgRsAll2AllManager, with a new warning "
          "for other backends (cpu_communicator.py:51-67 @ 0a54df284; MoE is not modelled)",
          "not modelled: graph_capture accepts XpuCommunicator and ROCm aiter "
          "(parallel_state.py:472-508 @ 0a54df284; GPU only)",
          "not modelled: CPUWorker's memory-shortage message and the warm-up of models without "
          "KV cache (cpu_worker.py:71-78,215-219 @ 0a54df284; worker start-up is not modelled)",
      }};
  return policy;
}

std::vector<Policy> make_profiles() {
  const Policy first = pre_34169();
  const Policy second = v0_18_0(first);
  const Policy merged = pr40150(second);
  return {first, second, merged, pr40150_x86_revision(merged), main_2026_05_21(merged)};
}

}  // namespace

const std::vector<Policy>& all_policies() {
  static const std::vector<Policy> kProfiles = make_profiles();
  return kProfiles;
}

std::optional<Policy> find_policy(std::string_view name) {
  for (const Policy& policy : all_policies()) {
    if (policy.name == name) return policy;
  }
  return std::nullopt;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const Policy& policy : all_policies()) names.push_back(policy.name);
  return names;
}

}  // namespace commsim::comm
