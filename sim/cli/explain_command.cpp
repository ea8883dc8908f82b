#include <boost/program_options.hpp>
#include <iostream>

#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"
#include "sim/explain/explain_json.h"
#include "sim/explain/explain_text.h"
#include "sim/explain/group_prediction.h"
#include "sim/platform_summary.h"

namespace commsim::cli {

namespace po = boost::program_options;

int explain_command(const std::vector<std::string>& args) {
  po::options_description options("commsim explain SCENARIO [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("policy", po::value<std::string>(),
       "vLLM behaviour profile to explain under (default: the scenario's own `policy`)")  //
      ("json", po::value<std::string>(), "also write the explanation as JSON to this file");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nPrints, without running anything, the scenario's nodes and placement and, for\n"
                 "every group, the backend each member will choose under the policy and why:\n"
                 "the check that fails and on which ranks, name-check hangs, KeyErrors, and\n"
                 "what starting the SHM backend does. The scenario's policy_switches apply.\n"
                 "\nExit status: 0 explained, 2 unusable input.\n";
    return kExitPass;
  }
  const std::vector<std::string> paths = scenario_paths(vm);
  if (paths.empty()) throw UsageError("commsim explain: no scenario file given");
  if (paths.size() != 1) throw UsageError("commsim explain: give exactly one scenario file");
  const scenario::Scenario scenario = load_scenarios(paths).front();
  check_outputs(outputs_named(vm, {"json"}), scenario_inputs(paths));
  const comm::Policy named = vm.count("policy")
                                 ? policy_by_name(vm["policy"].as<std::string>(), "--policy")
                                 : policy_by_name(scenario.policy, "policy");
  // The profile with the scenario's single switches applied, as a run uses it.
  const comm::Policy policy = scenario.policy_switches.apply(named);

  const std::vector<explain::GroupPrediction> groups = explain::predict_groups(scenario, policy);
  // The network as SimGrid builds it: the route inside node 0 and along the groups' hops.
  std::vector<std::vector<int>> group_ranks;
  for (const explain::GroupPrediction& group : groups) group_ranks.push_back(group.ranks);
  const sim::PlatformSummary network =
      sim::summarize_platform(scenario, sim::pairs_to_show(scenario, group_ranks, 8));
  explain::write_explain_text(std::cout, scenario, policy, groups, [&](std::ostream& out) {
    sim::write_network_text(out, scenario, network);
  });
  if (vm.count("json")) {
    write_json_output({"--json", vm["json"].as<std::string>()},
                      explain::explain_json(scenario, policy, groups));
  }
  return kExitPass;
}

}  // namespace commsim::cli
