// Reading the files commsim is given, and the files they name, without being led astray.
//
// Every input (a scenario, a sweep, a preset file, a SimGrid platform file, a baseline record) is
// read through read_input_file: it must be a regular file (links are followed) no larger than its
// kind's limit, so a device, a FIFO or a huge file is refused at once instead of hanging the run
// or eating the machine's memory. Files named inside other files are resolved by
// resolve_named_file, which keeps them inside the naming file's tree.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace commsim::scenario {

// The largest input of each kind, in bytes (the README's "Limits" section).
constexpr std::size_t kMaxScenarioFileBytes = std::size_t{1} << 20;   // scenarios, sweeps, presets
constexpr std::size_t kMaxPlatformFileBytes = std::size_t{16} << 20;  // SimGrid platform XML
constexpr std::size_t kMaxRecordFileBytes = std::size_t{64} << 20;    // baselines, sweep points

// A file's whole text, or why it cannot be read.
struct InputText {
  std::optional<std::string> text;
  std::string error;  // when !text: "it is a FIFO", "No such file or directory", ...
};

// Reads `path` whole. Refuses, without blocking or reading past the limit, anything that is not a
// regular file once links are followed (directories, devices, FIFOs, sockets) and files larger
// than `max_bytes`. Never throws.
InputText read_input_file(const std::string& path, std::size_t max_bytes);

// A file that the file `naming_file` names as `written` (a preset file, a platform file, a sweep's
// scenario). The rule: `written` is relative, read from `naming_file`'s directory, and, with links
// followed, stays inside the naming file's tree: the nearest directory above it that holds a
// `.git`, or, where none does, the naming file's own directory. The resolved path (lexically
// normal, as written relative to the naming file's directory) or why it is refused.
struct NamedFile {
  std::optional<std::string> path;
  std::string error;
};
NamedFile resolve_named_file(const std::string& naming_file, const std::string& written);

}  // namespace commsim::scenario
