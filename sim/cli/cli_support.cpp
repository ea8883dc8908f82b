#include "sim/cli/cli_support.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "kernels/onednn_runtime.h"
#include "scenarios/input_file.h"
#include "scenarios/scenario_parser.h"
#include "sim/platform_file.h"
#include "sim/sweep/sweep_spec.h"

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

std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  for (const std::string& arg : args) {
    std::vector<std::string> found;
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, error)) {
        if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
          found.push_back(entry.path().string());
        }
      }
      if (found.empty()) throw UsageError(arg + ": directory holds no *.yaml scenario file");
    } else if (arg.find_first_of("*?[") != std::string::npos) {
      glob_t matches{};
      if (::glob(arg.c_str(), 0, nullptr, &matches) == 0) {
        for (std::size_t i = 0; i < matches.gl_pathc; ++i) found.emplace_back(matches.gl_pathv[i]);
      }
      ::globfree(&matches);
      if (found.empty()) throw UsageError(arg + ": pattern matches no file");
    } else {
      found.push_back(arg);
    }
    std::sort(found.begin(), found.end());
    paths.insert(paths.end(), found.begin(), found.end());
  }
  return paths;
}

std::vector<scenario::Scenario> load_scenarios(const std::vector<std::string>& paths) {
  std::vector<scenario::Scenario> scenarios;
  std::vector<std::string> errors;
  for (const std::string& path : paths) {
    scenario::ParseResult result = scenario::parse_scenario_file(path, &sim::read_platform_file);
    for (const scenario::ScenarioError& error : result.errors) errors.push_back(error.to_string());
    if (result.scenario) scenarios.push_back(std::move(*result.scenario));
  }
  if (!errors.empty()) throw UsageError(errors);
  return scenarios;
}

std::optional<std::string> unsupported_here(const scenario::Scenario& scenario) {
  const scenario::Workload& workload = scenario.workload;
  // bf16 communication alone needs only conversions, which every CPU runs.
  const bool bf16 = workload.model.dtype == comm::DType::kBF16;
  std::string why;
  if (workload.kind == "model" && workload.data == "real" && bf16 &&
      !kernels::bf16_supported(&why)) {
    return why;
  }
  return std::nullopt;
}

comm::Policy policy_by_name(const std::string& name, const std::string& option) {
  if (auto policy = comm::find_policy(name)) return *policy;
  std::string known;
  for (const std::string& candidate : comm::policy_names()) {
    known += (known.empty() ? "" : ", ") + candidate;
  }
  throw UsageError("unknown policy '" + name + "' for " + option + " (known: " + known + ")");
}

std::vector<InputFile> scenario_inputs(const std::vector<std::string>& paths) {
  std::vector<InputFile> inputs;
  for (const std::string& path : paths) {
    inputs.push_back({"the scenario file", path});
    // An input that cannot be read names no other file; loading it reports why.
    const scenario::InputText input = scenario::read_input_file(path, scenario::kMaxScenarioFileBytes);
    if (!input.text) continue;
    for (const std::string& file : sim::sweep::referenced_files(*input.text, path)) {
      inputs.push_back({"a file the scenario " + path + " reads", file});
    }
  }
  return inputs;
}

std::vector<OutputFile> outputs_named(const po::variables_map& vm,
                                      const std::vector<std::string>& options) {
  std::vector<OutputFile> outputs;
  for (const std::string& option : options) {
    if (vm.count(option)) outputs.push_back({"--" + option, vm[option].as<std::string>()});
  }
  return outputs;
}

}  // namespace commsim::cli
