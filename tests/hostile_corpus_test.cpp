// The hostile corpus (tests/hostile/, README.md there): every malformed, hostile or extreme input
// in it is refused by the commsim binary as a user would meet it, one ctest test per category.
//
// For each entry, in a fresh temporary tree of its own (a .git marker at its root, the entry
// copied in, special files made as its `setup:` lines say), commsim is run with a wall-time bound
// and a memory bound (2 GiB), and the test asserts: exit status 2; every line
// printed starts with "commsim: " (no stack trace, no SimGrid output, no "internal error"); the
// expected position (`FILE:LINE:COL: ` on the same line as the expected text) or, for an input
// without one, the expected text; nothing of a planted secret file echoed; and the tree left
// exactly as it was (no output files, no partial files).
#include "tests/hostile_corpus.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using commsim::testing::hostile::Entry;
using commsim::testing::hostile::Expectation;

// Every category: a folder of tests/hostile/ (the first part names the input kind and so the
// command; see README.md there). EveryFolderIsACategory keeps this list complete.
const std::vector<std::string>& categories() {
  static const std::vector<std::string> all = {
      "scenario/syntax",  "scenario/quotes",  "scenario/comma",   "scenario/bytes",
      "scenario/numbers", "scenario/types",   "scenario/keys",    "scenario/cross",
      "scenario/nesting", "scenario/aliases", "scenario/paths",   "explain/sample",
      "sweep/names",      "sweep/paths",      "sweep/syntax",     "sweep/grid",
      "preset/numbers",   "preset/syntax",    "platform/numbers", "platform/syntax",
      "special/files",
  };
  return all;
}

fs::path corpus_root() { return fs::path(COMMSIM_SOURCE_DIR) / "tests" / "hostile"; }

// Each input gets this long (the runs exit before simulating: they take milliseconds).
constexpr auto kWallTimeBound = std::chrono::seconds(10);
// The memory bound of the child: 2 GiB of address space. Sanitizer builds cannot take that cap
// (ASan reserves terabytes of virtual memory for its shadow, so any cap that lets it start caps
// nothing). In every build the runner also kills the child's process group once its processes
// together hold more than 2 GiB resident (commsim simulates in forked children).
constexpr rlim_t kAddressSpaceBytes = rlim_t{2} << 30;
constexpr std::size_t kMemoryBytes = std::size_t{2} << 30;
#ifdef COMMSIM_SANITIZED
constexpr bool kCapMemory = false;
// Under ASan each run is ~20 times slower and CI runs the whole suite under it: every 5th entry of
// each category (its first among them) keeps the corpus's cost there near one category's.
constexpr std::size_t kSampleEvery = 5;
#else
constexpr bool kCapMemory = true;
constexpr std::size_t kSampleEvery = 1;
#endif

struct Run {
  int exit_status = -1;  // -1: killed by a signal (the bound, or a crash)
  int signal = 0;
  bool timed_out = false;
  bool over_memory = false;  // its processes together held more than kMemoryBytes resident
  std::string output;        // stdout and stderr
};

// Resident memory of the processes of process group `group`, in bytes (from /proc).
std::size_t group_resident_bytes(pid_t group) {
  static const long page = ::sysconf(_SC_PAGESIZE);
  std::size_t total = 0;
  // Processes come and go while /proc is read: nothing here may throw (an exception would end
  // the runner with its reader thread still running, in std::terminate).
  std::error_code error;
  for (fs::directory_iterator it("/proc", error), end; !error && it != end; it.increment(error)) {
    const fs::directory_entry& item = *it;
    const std::string pid = item.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat_file(item.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
    const std::size_t name_end = stat.rfind(')');
    if (name_end == std::string::npos) continue;
    // After the name: state, ppid, pgrp, ... ; rss (in pages) is the 22nd of them.
    std::istringstream fields(stat.substr(name_end + 1));
    std::vector<std::string> values;
    for (std::string value; values.size() < 22 && fields >> value;) values.push_back(value);
    if (values.size() < 22 || std::strtol(values[2].c_str(), nullptr, 10) != group) continue;
    total += std::strtoull(values[21].c_str(), nullptr, 10) * static_cast<std::size_t>(page);
  }
  return total;
}

// Runs commsim with `args` in `directory`, bounded in wall time (and memory, see above).
Run run_bounded(const std::vector<std::string>& args, const fs::path& directory) {
  Run run;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return run;
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    ::setpgid(0, 0);  // its own process group, with every process it starts
    if (::chdir(directory.c_str()) != 0) ::_exit(126);
    if (kCapMemory) {
      const rlimit cap{kAddressSpaceBytes, kAddressSpaceBytes};
      ::setrlimit(RLIMIT_AS, &cap);
    }
    std::vector<char*> argv;
    std::string binary = COMMSIM_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copies = args;
    for (std::string& arg : copies) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  // Read on a thread so that a child printing a lot never blocks; kill it past the bound.
  std::thread reader([&] {
    char buffer[4096];
    for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
      if (run.output.size() < (std::size_t{1} << 20)) run.output.append(buffer, got);
    }
  });
  ::setpgid(child, child);
  const auto deadline = std::chrono::steady_clock::now() + kWallTimeBound;
  int status = 0;
  for (int polls = 0; ::waitpid(child, &status, WNOHANG) == 0; ++polls) {
    run.timed_out = std::chrono::steady_clock::now() > deadline;
    run.over_memory = polls % 50 == 0 && group_resident_bytes(child) > kMemoryBytes;
    if (run.timed_out || run.over_memory) {
      ::kill(-child, SIGKILL);
      ::waitpid(child, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  reader.join();
  ::close(pipe_fds[0]);
  if (WIFEXITED(status)) run.exit_status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  return run;
}

// Everything under `root`: paths, kinds and sizes (links not followed).
std::set<std::string> listing(const fs::path& root) {
  std::set<std::string> entries;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::file_status status = it->symlink_status();
    std::string line = fs::relative(it->path(), root).string() + " " +
                       std::to_string(static_cast<int>(status.type()));
    if (status.type() == fs::file_type::regular) line += " " + std::to_string(it->file_size());
    entries.insert(line);
  }
  return entries;
}

// A scenario that runs in milliseconds: what sweep entries vary, and what preset and platform
// entries are named from (`{node}` and `{topology}` are replaced).
const char* const kBaseScenario =
    "name: hostile-base\n"
    "policy: vllm-pr40150\n"
    "topology: { nodes: 2, node: { cores: 4 } }\n"
    "parallel: { tensor: 1, pipeline: 2 }\n"
    "workload: { kind: pp_handoff, tensors: { h: { dtype: f32, shape: [4] } } }\n";

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The marker a planted secret file holds: it must never reach the output.
constexpr const char* kSecret = "HOSTILE-SECRET-7d1f";

// Makes what a `setup:` line asks for, relative to the tree (it may climb out of it by `..`, into
// the case's own directory). Returns "" or why it could not.
std::string make_special(const fs::path& tree, const std::string& setup) {
  std::istringstream words(setup);
  std::string what, name, argument;
  words >> what >> name >> argument;
  const fs::path path = tree / name;
  fs::create_directories(path.parent_path());
  if (what == "fifo") return ::mkfifo(path.c_str(), 0600) == 0 ? "" : "mkfifo failed";
  if (what == "link") {
    std::error_code error;
    fs::create_symlink(argument, path, error);
    return error ? error.message() : "";
  }
  if (what == "sparse") {  // a file of `argument` bytes, none of them written
    std::ofstream(path).close();
    std::error_code error;
    fs::resize_file(path, std::stoull(argument), error);
    return error ? error.message() : "";
  }
  if (what == "secret") {  // a well-formed YAML file whose every line must stay unseen
    write_file(path, std::string(kSecret) + ": 1\n" + kSecret + "-2: [" + kSecret + "]\n");
    return "";
  }
  if (what == "dir") {
    fs::create_directories(path);
    return "";
  }
  return "unknown setup '" + what + "'";
}

class HostileCorpus : public ::testing::TestWithParam<std::string> {};

// A failure message naming the entry and what commsim printed.
std::string context(const Entry& entry, const Run& run) {
  return entry.relative + "\n--- commsim printed:\n" + run.output;
}

void check_entry(const Entry& entry, std::size_t case_number) {
  SCOPED_TRACE(entry.relative);
  ASSERT_TRUE(entry.problem.empty()) << entry.relative << ": " << entry.problem;
  const Expectation& expect = entry.expect;

  // The case's directory: `tree/` (the repository the entry sits in) and room outside it.
  const fs::path case_dir =
      fs::temp_directory_path() /
      ("commsim-hostile-" + std::to_string(::getpid()) + "-" + std::to_string(case_number));
  fs::remove_all(case_dir);
  const fs::path tree = case_dir / "tree";
  fs::create_directories(tree / ".git");
  const std::string name = entry.path.filename().string();
  fs::copy_file(entry.path, tree / name);
  for (const std::string& setup : entry.setups) {
    ASSERT_EQ(make_special(tree, setup), "") << setup;
  }

  std::vector<std::string> args;
  if (entry.kind == "scenario" || entry.kind == "special") {
    args = {"run", name};
  } else if (entry.kind == "explain") {
    args = {"explain", name};
  } else if (entry.kind == "sweep") {
    write_file(tree / "base.yaml", kBaseScenario);
    args = {"sweep", name};
  } else if (entry.kind == "preset") {
    std::string scenario = kBaseScenario;
    scenario.replace(scenario.find("{ cores: 4 }"), 12, "{ preset: ./" + name + " }");
    write_file(tree / "hostile.yaml", scenario);
    args = {"run", "hostile.yaml"};
  } else if (entry.kind == "platform") {
    std::string scenario = kBaseScenario;
    scenario.replace(scenario.find("{ nodes: 2, node: { cores: 4 } }"), 32,
                     "{ kind: xml, xml: { file: " + name + " } }");
    write_file(tree / "hostile.yaml", scenario);
    args = {"run", "hostile.yaml"};
  }
  if (!entry.command.empty()) {
    args.clear();
    std::istringstream words(entry.command);
    for (std::string word; words >> word;) args.push_back(word);
  }
  ASSERT_FALSE(args.empty()) << "no command for kind " << entry.kind;

  const std::set<std::string> before = listing(case_dir);
  const auto start = std::chrono::steady_clock::now();
  const Run run = run_bounded(args, tree);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  EXPECT_FALSE(run.timed_out) << "still running after the bound\n" << context(entry, run);
  EXPECT_FALSE(run.over_memory) << "held more than 2 GiB\n" << context(entry, run);
  EXPECT_EQ(run.signal, 0) << "killed by signal " << run.signal << "\n" << context(entry, run);
  EXPECT_EQ(run.exit_status, 2) << context(entry, run);
  EXPECT_LT(seconds, std::chrono::duration<double>(kWallTimeBound).count()) << entry.relative;
  EXPECT_EQ(run.output.find("internal error"), std::string::npos) << context(entry, run);
  EXPECT_EQ(run.output.find(kSecret), std::string::npos) << context(entry, run);
  EXPECT_FALSE(run.output.empty()) << entry.relative << ": refused without a word";

  // Every line is commsim's own, and one of them carries the expected position and text.
  bool found = false;
  std::string foreign_line;  // the first line that is not commsim's
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("commsim: ", 0) != 0 && foreign_line.empty()) foreign_line = line;
    if (line.find(expect.text) == std::string::npos) continue;
    if (expect.where == Expectation::Where::kPosition) {
      const std::string file = expect.file.empty() ? name : expect.file;
      const std::string position =
          file + ":" + std::to_string(expect.line) + ":" + std::to_string(expect.column) + ": ";
      // The position names the file as commsim was given it, or as the file naming it names it.
      const std::size_t at = line.find(position);
      if (at == std::string::npos || (at > 0 && line[at - 1] != ' ' && line[at - 1] != '/')) {
        continue;
      }
    } else if (expect.where == Expectation::Where::kXmlFile) {
      if (line.find("topology.xml.file: ") == std::string::npos) continue;
    }
    found = true;
  }
  EXPECT_EQ(foreign_line, "") << "a line not from commsim\n" << context(entry, run);
  EXPECT_TRUE(found) << "expected " << expect.describe() << "\n" << context(entry, run);

  EXPECT_EQ(listing(case_dir), before) << "commsim left files behind or removed some\n"
                                       << context(entry, run);
  std::error_code ignored;
  fs::remove_all(case_dir, ignored);
}

TEST_P(HostileCorpus, EveryEntryIsRefusedWithExitTwoAndItsPosition) {
  const std::vector<Entry> entries =
      commsim::testing::hostile::read_category(corpus_root(), GetParam());
  ASSERT_FALSE(entries.empty()) << "no entries in tests/hostile/" << GetParam();
  for (std::size_t i = 0; i < entries.size(); i += kSampleEvery) check_entry(entries[i], i);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Category, HostileCorpus, ::testing::ValuesIn(categories()), test_name);

TEST(HostileCorpusLayout, EveryFolderIsACategoryAndTheCorpusHasAtLeast150Entries) {
  std::set<std::string> folders;
  std::size_t count = 0;
  for (const auto& item : fs::recursive_directory_iterator(corpus_root())) {
    if (!item.is_regular_file() || item.path().extension() == ".expect" ||
        item.path().filename() == "README.md") {
      continue;
    }
    folders.insert(fs::relative(item.path().parent_path(), corpus_root()).string());
    ++count;
  }
  const std::set<std::string> listed(categories().begin(), categories().end());
  EXPECT_EQ(folders, listed);
  EXPECT_GE(count, 150u);
}

}  // namespace
