// commsim: simulate vLLM's CPU communicators on a modelled cluster and check what happens.
#include <boost/program_options/errors.hpp>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "scenarios/printable.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: commsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO|DIR|GLOB... [--policy NAME] [--json FILE] [--junit FILE]\n"
    "      [--trace FILE] [--baseline DIR | --record-baseline DIR]\n"
    "                                                  run scenarios, check their expectations\n"
    "  compare SCENARIO [--policies A,B] [--json FILE] one scenario under several policies\n"
    "  bench SCENARIO [--sizes 4KiB:64MiB] ...         all-reduce time over sizes, per backend\n"
    "  platform SCENARIO [--xml FILE]                  the platform as a SimGrid platform file\n"
    "  explain SCENARIO [--policy NAME] [--json FILE]  each group's backend and why, without\n"
    "                                                  running anything\n"
    "  sweep SWEEP [--jobs N] [--shard K/N] [--out DIR] every point of a parameter grid: CSV,\n"
    "                                                  JSON, plots; 'sweep merge' joins shards\n"
    "  profiles [--json FILE]                          the vLLM profiles: commit, switches, and\n"
    "                                                  how each differs from the one before\n"
    "  calibrate [--out FILE] [--name NAME] [--threads N,...] [--quick]\n"
    "                                                  measure this machine's kernels and memory\n"
    "                                                  into a node preset file\n"
    "\n"
    "'commsim <command> --help' describes a command's options; 'commsim --version' says which\n"
    "commsim this is and which SimGrid and oneDNN it runs with.\n";

}  // namespace

int main(int argc, char** argv) {
  using commsim::cli::kExitBadInput;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitBadInput;
  }
  const std::string& command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "run") return commsim::cli::run_command(rest);
    if (command == "compare") return commsim::cli::compare_command(rest);
    if (command == "bench") return commsim::cli::bench_command(rest);
    if (command == "platform") return commsim::cli::platform_command(rest);
    if (command == "explain") return commsim::cli::explain_command(rest);
    if (command == "sweep") return commsim::cli::sweep_command(rest);
    if (command == "calibrate") return commsim::cli::calibrate_command(rest);
    if (command == "profiles") return commsim::cli::profiles_command(rest);
    if (command == "--version" || command == "version") {
      commsim::cli::print_version(std::cout);
      return commsim::cli::kExitPass;
    }
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << kUsage;
      return commsim::cli::kExitPass;
    }
    throw commsim::cli::UsageError(
        "unknown command '" + command +
        "' (commands: run, compare, bench, platform, explain, sweep, profiles, calibrate; "
        "--help, --version)");
  } catch (const commsim::cli::UsageError& error) {
    // One line per problem, each naming the file:line:col or the option it is about. Text from
    // input files is shown escaped: a control character or a line break never reaches the
    // terminal, and a problem that quotes one stays on its line.
    for (const std::string& problem : error.problems()) {
      std::cerr << "commsim: " << commsim::scenario::printable(problem) << '\n';
    }
  } catch (const boost::program_options::error& error) {
    std::cerr << "commsim " << command << ": " << commsim::scenario::printable(error.what())
              << '\n';
  } catch (const std::exception& error) {
    std::cerr << "commsim: internal error: " << commsim::scenario::printable(error.what()) << "\n";
    return 3;
  }
  return kExitBadInput;
}
