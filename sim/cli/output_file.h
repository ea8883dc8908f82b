// The files commsim writes, and the rules that keep a write from destroying anything. Every
// subcommand that writes a file goes through here.
//
// Before anything runs, check_outputs refuses (exit 2, one line each) an output that is one of
// the command's inputs, two outputs that are one file, and a target that cannot be written.
// write_output then writes:
//   - a regular file (or a new one) whole or not at all: a temporary file with a unique name in
//     the same directory, every write, fsync and close checked, then renamed over the target; on
//     any failure the temporary file is removed and the target is left as it was. SIGINT,
//     SIGTERM, SIGHUP and SIGQUIT wait until the rename is done, so an interrupted commsim leaves
//     no temporary file;
//   - a character device (/dev/null, a terminal) or a FIFO in place, never replacing it; a FIFO
//     that no process reads is an error, not a wait;
//   - through a symbolic link: the link stays, the file it points to gets the content, and the
//     rules above apply to that file.
// Directories, sockets and block devices are refused.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace commsim::cli {

// A file a command writes: the option that names it ("--json") and its path as given.
struct OutputFile {
  std::string option;
  std::string path;
};

// A file a command reads: what it is ("the scenario file", "a preset file") and its path.
struct InputFile {
  std::string what;
  std::string path;
};

// Throws UsageError, one line per problem, when an output is an input (the same file by device
// and inode, through any link), when two outputs are one file (character devices excepted: two
// outputs may both go to /dev/null), or when an output's target cannot be written (a directory,
// socket or block device; a missing or read-only directory; a read-only file).
void check_outputs(const std::vector<OutputFile>& outputs, const std::vector<InputFile>& inputs);

// Writes `text` to `output.path` by the rules above. Throws UsageError
// "OPTION: cannot write 'PATH': WHY" (WHY from strerror, or what the target is) on any failure.
void write_output(const OutputFile& output, std::string_view text);

// write_output of `json` as a JSON file (results/json_text.h).
void write_json_output(const OutputFile& output, const nlohmann::json& json);

}  // namespace commsim::cli
