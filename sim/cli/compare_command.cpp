#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "results/record_json.h"
#include "results/summary.h"
#include "results/verdict.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"
#include "sim/runtime.h"

namespace commsim::cli {

namespace po = boost::program_options;

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ',')) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
  po::options_description options("commsim compare SCENARIO [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("policies", po::value<std::string>(),
       "comma-separated profiles (default: every policy the scenario has expectations for)")  //
      ("json", po::value<std::string>(), "write the result records as a JSON array to this file");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nExit status: 0 every expectation held under every policy, 1 one "
                 "did not, 2 unusable input, 77 this machine cannot run the scenario (bf16 "
                 "kernels on a CPU without them).\n";
    return kExitPass;
  }
  const std::vector<std::string> paths = scenario_paths(vm);
  if (paths.empty()) throw UsageError("commsim compare: no scenario file given");
  if (paths.size() != 1) throw UsageError("commsim compare: give exactly one scenario file");
  const scenario::Scenario scenario = load_scenarios(paths).front();
  if (const auto why = unsupported_here(scenario)) {
    std::cout << scenario.path << ": skipped: " << *why << "\n";
    return kExitSkipped;
  }

  std::vector<comm::Policy> policies;
  if (vm.count("policies")) {
    for (const std::string& name : split_commas(vm["policies"].as<std::string>())) {
      policies.push_back(policy_by_name(name, "--policies"));
    }
    if (policies.empty()) throw UsageError("commsim compare: --policies names no policy");
  } else {
    for (const std::string& name : comm::policy_names()) {  // in release order
      if (scenario.expect.contains(name)) policies.push_back(policy_by_name(name, "expect"));
    }
    if (policies.empty()) policies.push_back(policy_by_name(scenario.policy, "policy"));
  }

  check_outputs(outputs_named(vm, {"json"}), scenario_inputs(paths));
  std::vector<results::RunRecord> records;
  nlohmann::json json = nlohmann::json::array();
  bool any_failed = false;
  for (const comm::Policy& policy : policies) {
    results::RunRecord record = sim::run_isolated(scenario, policy);
    results::apply_expectations(record, scenario);
    any_failed = any_failed || record.verdict == results::Verdict::kFail;
    json.push_back(results::to_json(record));
    records.push_back(std::move(record));
  }
  results::write_comparison(std::cout, records);
  for (const results::RunRecord& record : records) {
    if (record.verdict == results::Verdict::kFail) {
      std::cout << '\n';
      results::write_summary(std::cout, record);
    }
  }
  if (vm.count("json")) write_json_output({"--json", vm["json"].as<std::string>()}, json);
  return any_failed ? kExitFail : kExitPass;
}

}  // namespace commsim::cli
