// The commsim subcommands. Each takes the arguments after its name and returns the exit code;
// they throw UsageError (cli_support.h) for unusable input.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace commsim::cli {

// commsim run SCENARIO|DIR|GLOB... [--policy NAME] [--json FILE] [--junit FILE]
int run_command(const std::vector<std::string>& args);

// commsim compare SCENARIO [--policies A,B,...] [--json FILE]
int compare_command(const std::vector<std::string>& args);

// commsim bench SCENARIO [--sizes MIN:MAX] [--dtype T] [--backends shm,torch.distributed] ...
int bench_command(const std::vector<std::string>& args);

// commsim sweep SWEEP [--out DIR] [--jobs N] [--shard K/N]; commsim sweep merge ...
int sweep_command(const std::vector<std::string>& args);

// commsim platform SCENARIO [--xml FILE]
int platform_command(const std::vector<std::string>& args);

// commsim explain SCENARIO [--policy NAME] [--json FILE]: what every group will choose and why,
// predicted from the scenario without running it.
int explain_command(const std::vector<std::string>& args);

// commsim calibrate [--out FILE] [--name NAME] [--threads N,...] [--quick]: measures this
// machine's kernels and memory and writes a node preset file (scenarios/preset_file.h).
int calibrate_command(const std::vector<std::string>& args);

// commsim profiles [--json FILE]: every vLLM profile, the commit it reproduces and how it
// differs from the one before.
int profiles_command(const std::vector<std::string>& args);

// commsim --version: commsim's version and git revision, and the SimGrid and oneDNN it runs with.
void print_version(std::ostream& out);

}  // namespace commsim::cli
