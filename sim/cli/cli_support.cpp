#include "sim/cli/cli_support.h"

#include <filesystem>
#include <fstream>

#include "scenarios/scenario_parser.h"

namespace commsim::cli {

namespace po = boost::program_options;

po::variables_map parse_command_line(const std::vector<std::string>& args,
                                     const po::options_description& options) {
  po::options_description hidden;
  hidden.add_options()("scenario", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("scenario", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  return vm;
}

std::vector<std::string> scenario_paths(const po::variables_map& vm) {
  if (!vm.count("scenario")) return {};
  return vm["scenario"].as<std::vector<std::string>>();
}

std::vector<scenario::Scenario> load_scenarios(const std::vector<std::string>& paths) {
  std::vector<scenario::Scenario> scenarios;
  std::string errors;
  for (const std::string& path : paths) {
    scenario::ParseResult result = scenario::parse_scenario_file(path);
    for (const scenario::ScenarioError& error : result.errors) {
      errors += (errors.empty() ? "" : "\n") + error.to_string();
    }
    if (result.scenario) scenarios.push_back(std::move(*result.scenario));
  }
  if (!errors.empty()) throw UsageError(errors);
  return scenarios;
}

comm::Policy policy_by_name(const std::string& name, const std::string& option) {
  if (auto policy = comm::find_policy(name)) return *policy;
  std::string known;
  for (const std::string& candidate : comm::policy_names()) {
    known += (known.empty() ? "" : ", ") + candidate;
  }
  throw UsageError("unknown policy '" + name + "' for " + option + " (known: " + known + ")");
}

void write_json_file(const std::string& path, const nlohmann::json& json) {
  const std::filesystem::path target(path);
  std::filesystem::path temporary = target;
  temporary += ".partial";
  {
    std::ofstream out(temporary);
    out << json.dump(2) << '\n';
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw UsageError("cannot write --json file '" + path + "'");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw UsageError("cannot write --json file '" + path + "'");
  }
}

}  // namespace commsim::cli
