// The hostile corpus's entries (tests/hostile/README.md): each input file and what it states about
// itself in its leading comment lines (or, for a file that cannot hold a comment, in NAME.expect).
//
//   # expect: 3:7: must be finite           position in the entry (line:col) and a text on that
//   line # expect: base.yaml:3:7: must be finite  position in another file of the case's tree #
//   expect: at xml.file: SimGrid cannot    (platform entries) reported at the scenario's xml.file
//   # expect: exit 2, no position: FIFO      an input without a position: a text only
//   # setup: fifo|link|sparse|secret|dir NAME [TARGET|BYTES]   made in the case's tree first
//   # run: explain other.yaml                the command line instead of the kind's own
//
// An XML entry writes its expectation as `<!-- expect: ... -->` on its first line.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace commsim::testing::hostile {

struct Expectation {
  enum class Where { kPosition, kXmlFile, kNone };
  Where where = Where::kNone;
  std::string file;  // kPosition: "" = the entry itself
  int line = 0;
  int column = 0;
  std::string text;  // on the same line as the position; may be empty for kPosition

  std::string describe() const {
    switch (where) {
      case Where::kPosition:
        return (file.empty() ? std::string("the entry") : file) + ":" + std::to_string(line) + ":" +
               std::to_string(column) + ": ... " + text;
      case Where::kXmlFile:
        return "topology.xml.file: ... " + text;
      case Where::kNone:
        break;
    }
    return "no position: " + text;
  }
};

struct Entry {
  std::filesystem::path path;
  std::string relative;  // e.g. "scenario/numbers/delay-1e308s.yaml"
  std::string kind;      // its top folder: scenario, explain, sweep, preset, platform, special
  Expectation expect;
  std::vector<std::string> setups;
  std::string command;  // "" = the kind's own
  std::string problem;  // why the entry's own statements cannot be read, or ""
};

// "L:C: rest" or "FILE:L:C: rest" into `expect`; false if it is neither.
inline bool parse_position(const std::string& value, Expectation& expect) {
  // The position ends at the first ": " whose prefix ends in ":<digits>:<digits>".
  for (std::size_t end = value.find(": "); end != std::string::npos;
       end = value.find(": ", end + 1)) {
    const std::string head = value.substr(0, end);
    const std::size_t second = head.rfind(':');
    if (second == std::string::npos || second == 0) continue;
    const std::size_t first = head.rfind(':', second - 1);
    const std::string line = head.substr(first == std::string::npos ? 0 : first + 1,
                                         second - (first == std::string::npos ? 0 : first + 1));
    const std::string column = head.substr(second + 1);
    const auto digits = [](const std::string& s) {
      return !s.empty() &&
             std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (!digits(line) || !digits(column)) continue;
    expect.where = Expectation::Where::kPosition;
    expect.file = first == std::string::npos ? "" : head.substr(0, first);
    expect.line = std::stoi(line);
    expect.column = std::stoi(column);
    expect.text = value.substr(end + 2);
    return true;
  }
  return false;
}

// One statement ("expect: ...", "setup: ...", "run: ...") into `entry`.
inline void take_statement(const std::string& statement, Entry& entry) {
  const auto starts = [&](const char* prefix) { return statement.rfind(prefix, 0) == 0; };
  if (starts("expect: ")) {
    const std::string value = statement.substr(8);
    if (value.rfind("exit 2, no position: ", 0) == 0) {
      entry.expect.where = Expectation::Where::kNone;
      entry.expect.text = value.substr(21);
    } else if (value.rfind("at xml.file: ", 0) == 0) {
      entry.expect.where = Expectation::Where::kXmlFile;
      entry.expect.text = value.substr(13);
    } else if (!parse_position(value, entry.expect)) {
      entry.problem = "cannot read the expectation '" + value + "'";
    }
    if (entry.expect.where != Expectation::Where::kPosition && entry.expect.text.empty()) {
      entry.problem = "an expectation without a position needs a text";
    }
  } else if (starts("setup: ")) {
    entry.setups.push_back(statement.substr(7));
  } else if (starts("run: ")) {
    entry.command = statement.substr(5);
  }
}

// The entry at `path`: its statements from NAME.expect beside it, or else from its leading `#`
// comment lines (YAML) or its first line's `<!-- ... -->` (XML).
inline Entry read_entry(const std::filesystem::path& root, const std::filesystem::path& path) {
  Entry entry;
  entry.path = path;
  entry.relative = std::filesystem::relative(path, root).string();
  entry.kind = entry.relative.substr(0, entry.relative.find('/'));
  std::filesystem::path sidecar = path;
  sidecar += ".expect";
  std::vector<std::string> statements;
  if (std::filesystem::exists(sidecar)) {
    std::ifstream in(sidecar);
    for (std::string line; std::getline(in, line);) statements.push_back(line);
  } else {
    std::ifstream in(path, std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("<!-- ", 0) == 0 && line.size() > 9 &&
          line.substr(line.size() - 4) == " -->") {
        statements.push_back(line.substr(5, line.size() - 9));
        break;
      }
      if (line.rfind("# ", 0) != 0) break;
      statements.push_back(line.substr(2));
    }
  }
  for (const std::string& statement : statements) take_statement(statement, entry);
  if (entry.problem.empty() && entry.expect.where == Expectation::Where::kNone &&
      entry.expect.text.empty()) {
    entry.problem = "states no expectation (a first line '# expect: ...', or NAME.expect)";
  }
  return entry;
}

// The entries of tests/hostile/<category>/, in name order (sidecars and READMEs are not entries).
inline std::vector<Entry> read_category(const std::filesystem::path& root,
                                        const std::string& category) {
  std::vector<std::filesystem::path> paths;
  const std::filesystem::path folder = root / category;
  if (!std::filesystem::is_directory(folder)) return {};
  for (const auto& item : std::filesystem::directory_iterator(folder)) {
    if (!item.is_regular_file() || item.path().extension() == ".expect") continue;
    paths.push_back(item.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Entry> entries;
  for (const auto& path : paths) entries.push_back(read_entry(root, path));
  return entries;
}

}  // namespace commsim::testing::hostile
