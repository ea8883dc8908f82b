#include <boost/program_options.hpp>
#include <iostream>

#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"
#include "sim/platform_xml.h"

namespace commsim::cli {

namespace po = boost::program_options;

int platform_command(const std::vector<std::string>& args) {
  po::options_description options("commsim platform SCENARIO [options]");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("xml", po::value<std::string>(),
       "write the SimGrid platform file here (default: standard output)");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nWrites the scenario's platform as a SimGrid platform file (version 4.1): a\n"
                 "cluster's hosts with their NIC and loopback links, a fat-tree, torus or\n"
                 "dragonfly as SimGrid's <cluster topology=...>, a platform file as it is.\n"
                 "Faults, unlike nodes of a generated topology and a cluster's NIC limits\n"
                 "cannot be exported.\n"
                 "\nExit status: 0 written, 2 unusable input.\n";
    return kExitPass;
  }
  const std::vector<std::string> paths = scenario_paths(vm);
  if (paths.empty()) throw UsageError("commsim platform: no scenario file given");
  if (paths.size() != 1) throw UsageError("commsim platform: give exactly one scenario file");
  const scenario::Scenario scenario = load_scenarios(paths).front();
  check_outputs(outputs_named(vm, {"xml"}), scenario_inputs(paths));
  std::string xml;
  try {
    xml = sim::platform_xml(scenario);
  } catch (const sim::PlatformExportError& error) {
    throw UsageError("commsim platform: " + paths.front() + ": " + error.what());
  }
  if (vm.count("xml")) {
    write_output({"--xml", vm["xml"].as<std::string>()}, xml);
  } else {
    std::cout << xml;
  }
  return kExitPass;
}

}  // namespace commsim::cli
