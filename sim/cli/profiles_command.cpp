// commsim profiles: the vLLM profiles, the commit each reproduces, and how each differs from the
// profile before it.
#include <boost/program_options.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"

namespace commsim::cli {
namespace {

namespace po = boost::program_options;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::vector<std::string> arch_names(const comm::Policy& policy) {
  std::vector<std::string> names;
  for (comm::Arch arch : policy.arch_allow) names.emplace_back(comm::arch_name(arch));
  return names;
}

std::string rule_name(comm::CustomSendRecvRule rule) {
  return rule == comm::CustomSendRecvRule::kOpPresent ? "op_present" : "supports_tensor_dict";
}

std::string bool_name(bool value) { return value ? "true" : "false"; }

// "vLLM 2aab9acf4 (2026-04-20): #40150 merged", or the revision's own line.
std::string origin_line(const comm::ProfileSource& source) {
  if (!source.merged) return "unmerged: " + source.state;
  return "vLLM " + source.commit + " (" + source.date + "): " + source.state;
}

void write_text(std::ostream& out) {
  bool first = true;
  for (const comm::Policy& policy : comm::all_policies()) {
    if (!first) out << '\n';
    first = false;
    const comm::ProfileSource& source = policy.source;
    out << policy.name << '\n';
    out << "  " << origin_line(source) << '\n';
    out << "  switches: arch_allow [" << join(arch_names(policy)) << "], name_agreement_check "
        << bool_name(policy.name_agreement_check) << ", fallback_info_log "
        << bool_name(policy.fallback_info_log) << ", supports_tensor_dict "
        << bool_name(policy.has_supports_tensor_dict) << ", custom_send_recv_rule "
        << rule_name(policy.custom_send_recv_rule) << ", thread_num_min_allreduce "
        << bool_name(policy.thread_num_min_allreduce) << '\n';
    out << "  "
        << (source.compared_with.empty() ? std::string("as it is:")
                                         : "differs from " + source.compared_with + ":")
        << '\n';
    for (const std::string& difference : source.differences) out << "    - " << difference << '\n';
  }
}

nlohmann::json profiles_json() {
  nlohmann::json profiles = nlohmann::json::array();
  for (const comm::Policy& policy : comm::all_policies()) {
    const comm::ProfileSource& source = policy.source;
    std::vector<int> sizes(policy.shm_allreduce_world_sizes.begin(),
                           policy.shm_allreduce_world_sizes.end());
    profiles.push_back({
        {"name", policy.name},
        {"vllm_commit", source.merged ? nlohmann::json(source.commit) : nlohmann::json(nullptr)},
        {"date", source.merged ? nlohmann::json(source.date) : nlohmann::json(nullptr)},
        {"merged", source.merged},
        {"state", source.state},
        {"compared_with", source.compared_with.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(source.compared_with)},
        {"differences", source.differences},
        {"switches",
         {{"arch_allow", arch_names(policy)},
          {"name_agreement_check", policy.name_agreement_check},
          {"fallback_info_log", policy.fallback_info_log},
          {"supports_tensor_dict", policy.has_supports_tensor_dict},
          {"custom_send_recv_rule", rule_name(policy.custom_send_recv_rule)},
          {"thread_num_min_allreduce", policy.thread_num_min_allreduce},
          {"shm_allreduce_world_sizes", sizes},
          {"shm_max_ranks", policy.shm_max_ranks}}},
    });
  }
  return {{"profiles", profiles}};
}

}  // namespace

int profiles_command(const std::vector<std::string>& args) {
  po::options_description options("commsim profiles [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("json", po::value<std::string>(), "also write the profiles as JSON to this file");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nLists the vLLM profiles a scenario or --policy can name: the vLLM commit each\n"
                 "reproduces (or that it is an unmerged PR revision), its switches, and how it\n"
                 "differs from the profile before it, each difference citing vLLM's file:line.\n"
                 "\nExit status: 0 listed, 2 unusable input.\n";
    return kExitPass;
  }
  if (!scenario_paths(vm).empty()) throw UsageError("commsim profiles: takes no scenario file");
  check_outputs(outputs_named(vm, {"json"}), {});
  write_text(std::cout);
  if (vm.count("json"))
    write_json_output({"--json", vm["json"].as<std::string>()}, profiles_json());
  return kExitPass;
}

}  // namespace commsim::cli
