#include <array>
#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "results/junit.h"
#include "results/record_json.h"
#include "results/summary.h"
#include "results/verdict.h"
#include "sim/cli/baseline_options.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"
#include "sim/runtime.h"

namespace commsim::cli {

namespace po = boost::program_options;

int run_command(const std::vector<std::string>& args) {
  po::options_description options("commsim run SCENARIO... [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("policy", po::value<std::string>(),
       "vLLM behaviour profile to run under (default: each scenario's own `policy`)")  //
      ("json", po::value<std::string>(),
       "write the result record (an array when several scenarios run) to this file")           //
      ("junit", po::value<std::string>(), "write a JUnit XML report (one test per run) here")  //
      ("trace", po::value<std::string>(),
       "write the run's timeline here as a Chrome trace (Perfetto, chrome://tracing); one "
       "scenario only");
  BaselineOptions::add_to(options);
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nExit status: 0 every expectation held (and no run drifted from its baseline),"
                 "\n1 one did not (or a run drifted), 2 unusable input.\n";
    return kExitPass;
  }
  const std::vector<std::string> paths = expand_scenario_paths(scenario_paths(vm));
  if (paths.empty()) throw UsageError("commsim run: no scenario file given");
  std::vector<scenario::Scenario> scenarios;
  int skipped = 0;
  for (scenario::Scenario& scenario : load_scenarios(paths)) {
    if (const auto why = unsupported_here(scenario)) {
      std::cout << scenario.path << ": skipped: " << *why << "\n\n";
      ++skipped;
    } else {
      scenarios.push_back(std::move(scenario));
    }
  }
  sim::RunOptions run_options;
  std::string trace;
  if (vm.count("trace")) {
    if (scenarios.size() != 1) {
      throw UsageError("--trace: a trace holds one run; give one scenario file (got " +
                       std::to_string(scenarios.size()) + ")");
    }
    run_options.trace_json = &trace;
  }
  BaselineOptions baselines(vm);
  std::optional<comm::Policy> forced;
  if (vm.count("policy")) forced = policy_by_name(vm["policy"].as<std::string>(), "--policy");
  std::vector<std::array<std::string, 3>> planned;
  for (const scenario::Scenario& scenario : scenarios) {
    planned.push_back({scenario.name, forced ? forced->name : scenario.policy, scenario.path});
  }
  baselines.prepare(planned);
  std::vector<OutputFile> outputs = outputs_named(vm, {"json", "junit", "trace"});
  for (const OutputFile& file : baselines.outputs()) outputs.push_back(file);
  check_outputs(outputs, scenario_inputs(paths));

  int passed = 0;
  int failed = 0;
  int unchecked = 0;
  int drifted = 0;
  nlohmann::json records = nlohmann::json::array();
  std::vector<results::RunRecord> runs;
  for (const scenario::Scenario& scenario : scenarios) {
    const comm::Policy policy = forced ? *forced : policy_by_name(scenario.policy, "policy");
    results::RunRecord record = sim::run_isolated(scenario, policy, run_options);
    if (run_options.trace_json != nullptr) {
      write_output({"--trace", vm["trace"].as<std::string>()}, trace);
    }
    results::apply_expectations(record, scenario);
    results::write_summary(std::cout, record);
    drifted += baselines.check(record, std::cout);
    std::cout << '\n';
    passed += record.verdict == results::Verdict::kPass;
    failed += record.verdict == results::Verdict::kFail;
    unchecked += record.verdict == results::Verdict::kUnchecked;
    records.push_back(results::to_json(record));
    runs.push_back(std::move(record));
  }
  std::cout << "commsim: " << passed << " passed, " << failed << " failed";
  if (unchecked > 0) std::cout << ", " << unchecked << " unchecked";
  if (skipped > 0) std::cout << ", " << skipped << " skipped (this machine cannot run them)";
  if (drifted > 0) std::cout << ", " << drifted << " drifted from their baseline";
  std::cout << '\n';
  baselines.finish(std::cout);
  if (vm.count("junit")) {
    std::ostringstream xml;
    results::write_junit(xml, "commsim", runs);
    write_output({"--junit", vm["junit"].as<std::string>()}, xml.str());
  }
  if (vm.count("json")) {
    write_json_output({"--json", vm["json"].as<std::string>()},
                      records.size() == 1 ? records[0] : records);
  }
  return failed > 0 || drifted > 0 ? kExitFail : kExitPass;
}

}  // namespace commsim::cli
