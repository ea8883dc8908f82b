// Shared pieces of the commsim subcommands: usage errors, loading scenarios, writing JSON.
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "scenarios/scenario.h"
#include "sim/cli/output_file.h"

namespace commsim::cli {

// Exit codes of every subcommand.
constexpr int kExitPass = 0;      // every expectation held
constexpr int kExitFail = 1;      // an expectation did not hold
constexpr int kExitBadInput = 2;  // unusable command line or scenario; nothing was run
constexpr int kExitSkipped = 77;  // commsim compare: this machine cannot run the scenario

// Problems with the command line or input files; main prints each problem on one line of its own
// (escaped whole, so a line break a problem quotes from a file stays inside that line) and exits 2.
// what() is the problems joined by line feeds.
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& problem) : UsageError(std::vector<std::string>{problem}) {}
  explicit UsageError(std::vector<std::string> problems)
      : std::runtime_error(joined(problems)), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  static std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const std::string& line : lines) text += (text.empty() ? "" : "\n") + line;
    return text;
  }
  std::vector<std::string> problems_;
};

// Parses a subcommand's arguments: `options` plus any number of positional scenario files (read
// them with scenario_paths). Unknown options throw boost::program_options errors.
boost::program_options::variables_map parse_command_line(
    const std::vector<std::string>& args,
    const boost::program_options::options_description& options);
// The positional scenario files; empty when none were given.
std::vector<std::string> scenario_paths(const boost::program_options::variables_map& vm);

// The scenario files named by `args`: a file as it is, a directory by every *.yaml under it, a
// glob pattern (*, ?, [...]) by what it matches; each group sorted. UsageError for a pattern or
// directory that names no file.
std::vector<std::string> expand_scenario_paths(const std::vector<std::string>& args);

// Parses every file. Throws UsageError listing every error, one "file:line:col: message" per line,
// when any file is unusable, so nothing runs on bad input.
std::vector<scenario::Scenario> load_scenarios(const std::vector<std::string>& paths);

// The profile named `name`; UsageError naming `option` and the known names otherwise.
// Why this machine cannot run `scenario` (a real bf16 model on a CPU without native bf16
// kernels), or nullopt when it can.
std::optional<std::string> unsupported_here(const scenario::Scenario& scenario);

comm::Policy policy_by_name(const std::string& name, const std::string& option);

// The files the scenario files at `paths` read: each scenario file, and the node preset files and
// platform file it names (for the check that no output overwrites an input, output_file.h).
std::vector<InputFile> scenario_inputs(const std::vector<std::string>& paths);

// Every option of `vm` among `options` that names an output file, for check_outputs.
std::vector<OutputFile> outputs_named(const boost::program_options::variables_map& vm,
                                      const std::vector<std::string>& options);

}  // namespace commsim::cli
