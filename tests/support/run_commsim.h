// Running the commsim binary from a test, as a user would: its exit code and everything it printed.
// REQUIRES: COMMSIM_BINARY is defined as the binary's path (tests/CMakeLists.txt does it).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace commsim::testing {

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` through the shell: its exit code and what it printed on stdout and stderr.
inline Result run_shell(const std::string& command) {
  Result result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (std::fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline Result run_commsim(const std::string& args) {
  return run_shell(std::string(COMMSIM_BINARY) + " " + args);
}

// A path in the temporary directory unique to this process: `name`-<pid>.json.
inline std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         (name + "-" + std::to_string(::getpid()) + ".json");
}

}  // namespace commsim::testing
