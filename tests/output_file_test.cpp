// Outputs never destroy anything: the rules of sim/cli/output_file.h, and end to end the commands
// that write files (an output naming an input, two outputs to one file, devices, FIFOs, symbolic
// links, a user's X.partial, a full disk), a killed commsim's simulation child, and a sweep whose
// name is written to stop gnuplot's string and run a command.
#include "sim/cli/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sim/cli/cli_support.h"
#include "tests/support/run_commsim.h"

namespace commsim::cli {
namespace {

namespace fs = std::filesystem;
using commsim::testing::Result;
using commsim::testing::run_commsim;
using commsim::testing::run_shell;

constexpr const char* kScenario = "scenarios/regressions/vllm-37933-interpp.yaml";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The names in `dir`.
std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

bool is_character_device(const char* path) {
  struct stat status {};
  return ::lstat(path, &status) == 0 && S_ISCHR(status.st_mode);
}

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("commsim-output-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // The message of the UsageError that `write` throws, or "" when it throws none.
  template <typename Write>
  static std::string error_of(Write write) {
    try {
      write();
    } catch (const UsageError& error) {
      return error.what();
    }
    return "";
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

// ----- the module -----

TEST_F(OutputFileTest, WritesANewFileWholeWithTheUsualModeAndNoTemporaryLeft) {
  write_output({"--json", path("new.json")}, "content\n");
  EXPECT_EQ(read(dir_ / "new.json"), "content\n");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(fs::status(dir_ / "new.json").permissions(), fs::perms((0666 & ~mask)));
  EXPECT_EQ(listing(dir_), std::set<std::string>({"new.json"}));
}

TEST_F(OutputFileTest, ReplacesAFileKeepingItsModeAndNeverTouchesAUsersPartialFile) {
  write(dir_ / "out.json", "old\n");
  ::chmod(path("out.json").c_str(), 0640);
  write(dir_ / "out.json.partial", "the user's own file\n");
  write_output({"--json", path("out.json")}, "new\n");
  EXPECT_EQ(read(dir_ / "out.json"), "new\n");
  EXPECT_EQ(fs::status(dir_ / "out.json").permissions(), fs::perms(0640));
  EXPECT_EQ(read(dir_ / "out.json.partial"), "the user's own file\n");
  EXPECT_EQ(listing(dir_), std::set<std::string>({"out.json", "out.json.partial"}));
}

TEST_F(OutputFileTest, WritesThroughASymbolicLinkWhichStays) {
  write(dir_ / "real.json", "old\n");
  fs::create_symlink("real.json", dir_ / "link.json");
  fs::create_symlink("link.json", dir_ / "link-to-link.json");
  write_output({"--json", path("link-to-link.json")}, "new\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.json"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link-to-link.json"));
  EXPECT_EQ(read(dir_ / "real.json"), "new\n");
  // A link to a file not made yet: the file is made where the link points.
  fs::create_directories(dir_ / "sub");
  fs::create_symlink("sub/later.json", dir_ / "dangling.json");
  write_output({"--json", path("dangling.json")}, "made\n");
  EXPECT_TRUE(fs::is_symlink(dir_ / "dangling.json"));
  EXPECT_EQ(read(dir_ / "sub" / "later.json"), "made\n");
  EXPECT_EQ(listing(dir_ / "sub"), std::set<std::string>({"later.json"}));
}

TEST_F(OutputFileTest, CharacterDevicesAreWrittenInPlaceAndAFullOneIsAnError) {
  write_output({"--json", "/dev/null"}, "discarded\n");
  EXPECT_TRUE(is_character_device("/dev/null"));
  EXPECT_EQ(error_of([] {
              write_output({"--json", "/dev/full"}, "x\n");
            }),
            "--json: cannot write '/dev/full': No space left on device");
  EXPECT_TRUE(is_character_device("/dev/full"));
}

TEST_F(OutputFileTest, AFifoWithoutAReaderIsAnErrorNotAWait) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of([&] {
              write_output({"--junit", path("fifo")}, "x\n");
            }),
            "--junit: cannot write '" + path("fifo") + "': no process reads the FIFO");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  struct stat status {};
  ASSERT_EQ(::lstat(path("fifo").c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode));
}

TEST_F(OutputFileTest, AFifoWithAReaderGetsTheText) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  // The reader's end is open before the write, as `cat FIFO &` would have it.
  const int reader = ::open(path("fifo").c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  write_output({"--json", path("fifo")}, "through the fifo\n");
  char buffer[64] = {};
  const ssize_t n = ::read(reader, buffer, sizeof buffer);
  ::close(reader);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0), "through the fifo\n");
  struct stat status {};
  ASSERT_EQ(::lstat(path("fifo").c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode));
}

TEST_F(OutputFileTest, DirectoriesAndSocketsAreRefused) {
  fs::create_directories(dir_ / "directory");
  EXPECT_EQ(error_of([&] {
              write_output({"--xml", path("directory")}, "x");
            }),
            "--xml: cannot write '" + path("directory") + "': it is a directory");
  const int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = path("socket");
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  std::copy(socket_path.begin(), socket_path.end(), address.sun_path);
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(error_of([&] {
              write_output({"--csv", socket_path}, "x");
            }),
            "--csv: cannot write '" + socket_path + "': it is a socket");
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--csv", socket_path}}, {});
            }),
            "--csv: cannot write '" + socket_path + "': it is a socket");
  ::close(server);
  EXPECT_TRUE(fs::is_socket(socket_path));
}

TEST_F(OutputFileTest, AnOutputThatIsAnInputOrAnotherOutputIsRefusedBeforehand) {
  write(dir_ / "s.yaml", "name: s\n");
  fs::create_symlink("s.yaml", dir_ / "link.json");
  fs::create_hard_link(dir_ / "s.yaml", dir_ / "hard.json");
  const std::vector<InputFile> inputs = {{"the scenario file", path("s.yaml")}};
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--json", path("s.yaml")}}, inputs);
            }),
            "--json: '" + path("s.yaml") + "' is the scenario file '" + path("s.yaml") +
                "', an input; refusing to overwrite it");
  // Through a link, a hard link and another spelling of the path, it is still the input.
  for (const std::string& output : {path("link.json"), path("hard.json"), path("./s.yaml")}) {
    EXPECT_NE(error_of([&] {
                check_outputs({{"--trace", output}}, inputs);
              }).find("--trace: '" + output + "' is the scenario file"),
              std::string::npos)
        << output;
  }
  // Two outputs naming one file, existing or not: one line naming both options.
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--json", path("a")}, {"--trace", path("./a")}}, inputs);
            }),
            "--json and --trace: both write '" + path("./a") + "' ('" + path("a") +
                "'); give each its own file");
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--json", path("s.yaml")}, {"--junit", path("a")}}, inputs);
            }).find('\n'),
            std::string::npos);
  // /dev/null may take several outputs.
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--json", "/dev/null"}, {"--junit", "/dev/null"}}, inputs);
            }),
            "");
  EXPECT_EQ(read(dir_ / "s.yaml"), "name: s\n");
  EXPECT_FALSE(fs::exists(dir_ / "a"));
}

TEST_F(OutputFileTest, ReadOnlyFilesAndMissingDirectoriesAreRefusedBeforehand) {
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--json", path("no/such/x.json")}}, {});
            }),
            "--json: cannot write '" + path("no/such/x.json") + "': its directory '" +
                path("no/such") + "': No such file or directory");
  if (::geteuid() == 0) GTEST_SKIP() << "root writes read-only files";
  write(dir_ / "ro.json", "keep\n");
  ::chmod(path("ro.json").c_str(), 0444);
  EXPECT_EQ(error_of([&] {
              check_outputs({{"--json", path("ro.json")}}, {});
            }),
            "--json: cannot write '" + path("ro.json") + "': Permission denied");
}

// A write past the file size limit (as a full disk) fails with the reason, leaves the target as
// it was and no temporary file; SIGXFSZ, left at its default, does not kill the writer.
TEST_F(OutputFileTest, AFullDiskIsAnErrorThatLeavesTheTargetAndNoTemporary) {
  write(dir_ / "out.json", "old\n");
  int message_pipe[2];
  ASSERT_EQ(::pipe(message_pipe), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_DFL);
    const rlimit limit{1000, 1000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    const std::string message = error_of([&] {
      write_output({"--json", path("out.json")}, std::string(100000, 'x'));
    });
    (void)!::write(message_pipe[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(message_pipe[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(message_pipe[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, n);
  ::close(message_pipe[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  EXPECT_EQ(message, "--json: cannot write '" + path("out.json") + "': File too large");
  EXPECT_EQ(read(dir_ / "out.json"), "old\n");
  EXPECT_EQ(listing(dir_), std::set<std::string>({"out.json"}));
}

// SIGTERM while a writer replaces files over and over: it dies between writes, never leaving a
// temporary file or a part-written target.
TEST_F(OutputFileTest, ATerminatedWriterLeavesNoTemporaryFile) {
  const std::string text(8 << 20, 'x');
  for (int attempt = 0; attempt < 5; ++attempt) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (int i = 0; i < 1000; ++i) write_output({"--json", path("out.json")}, text);
      ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + 15 * attempt));
    ::kill(child, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
    const std::set<std::string> names = listing(dir_);
    EXPECT_TRUE(names.empty() || names == std::set<std::string>({"out.json"}))
        << names.size() << " files, e.g. " << *names.begin();
    if (fs::exists(dir_ / "out.json")) {
      EXPECT_EQ(fs::file_size(dir_ / "out.json"), text.size());
    }
  }
}

// ----- end to end -----

class OutputCommandTest : public OutputFileTest {
 protected:
  void SetUp() override {
    OutputFileTest::SetUp();
    fs::copy_file(kScenario, dir_ / "s.yaml");
    scenario_text_ = read(dir_ / "s.yaml");
  }
  std::string scenario() const { return path("s.yaml"); }
  std::string scenario_text_;
};

TEST_F(OutputCommandTest, AnOutputNamingTheScenarioIsRefusedAndTheScenarioKept) {
  for (const std::string& command : {"run " + scenario() + " --json " + scenario(),
                                     "run " + scenario() + " --trace " + scenario(),
                                     "run " + scenario() + " --junit " + scenario(),
                                     "explain " + scenario() + " --json " + scenario(),
                                     "compare " + scenario() + " --json " + scenario(),
                                     "platform " + scenario() + " --xml " + scenario()}) {
    const Result result = run_commsim(command);
    EXPECT_EQ(result.exit_code, 2) << command << "\n" << result.output;
    const std::string option =
        command.substr(command.rfind(" --") + 1, command.rfind(' ') - command.rfind(" --") - 1);
    EXPECT_EQ(result.output, "commsim: " + option + ": '" + scenario() +
                                 "' is the scenario file '" + scenario() +
                                 "', an input; refusing to overwrite it\n")
        << command;
    EXPECT_EQ(read(dir_ / "s.yaml"), scenario_text_) << command;
  }
  EXPECT_EQ(listing(dir_), std::set<std::string>({"s.yaml"}));
}

TEST_F(OutputCommandTest, TwoOutputsToOneFileAreRefusedBeforeAnythingRuns) {
  const Result result =
      run_commsim("run " + scenario() + " --json " + path("a") + " --trace " + path("a"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_EQ(result.output, "commsim: --json and --trace: both write '" + path("a") +
                               "'; give each its own file\n");
  EXPECT_EQ(result.output.find("passed"), std::string::npos);  // nothing ran
  EXPECT_EQ(listing(dir_), std::set<std::string>({"s.yaml"}));
}

TEST_F(OutputCommandTest, DevicesStayDevicesAndAFullOneFailsTheRun) {
  const Result to_null = run_commsim("run " + scenario() + " --json /dev/null --junit /dev/null");
  EXPECT_EQ(to_null.exit_code, 0) << to_null.output;
  EXPECT_TRUE(is_character_device("/dev/null"));
  const Result to_full = run_commsim("run " + scenario() + " --json /dev/full");
  EXPECT_EQ(to_full.exit_code, 2) << to_full.output;
  EXPECT_NE(to_full.output.find("commsim: --json: cannot write '/dev/full': No space left on "
                                "device\n"),
            std::string::npos)
      << to_full.output;
  EXPECT_TRUE(is_character_device("/dev/full"));
  // /dev/stdout, here a pipe behind a /proc link, is written in place.
  const Result to_stdout = run_commsim("platform " + scenario() + " --xml /dev/stdout");
  EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.output;
  EXPECT_NE(to_stdout.output.find("<platform version=\"4.1\">"), std::string::npos)
      << to_stdout.output;
  for (const auto& entry : fs::directory_iterator("/dev")) {
    EXPECT_EQ(entry.path().filename().string().find(".full.commsim-"), std::string::npos);
  }
}

TEST_F(OutputCommandTest, AFifoIsWrittenWhenReadAndIsAnErrorWhenNot) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  const Result unread = run_commsim("run " + scenario() + " --json " + path("fifo"));
  EXPECT_EQ(unread.exit_code, 2) << unread.output;
  EXPECT_NE(unread.output.find("commsim: --json: cannot write '" + path("fifo") +
                               "': no process reads the FIFO\n"),
            std::string::npos)
      << unread.output;
  const Result read_by_cat = run_shell("cat " + path("fifo") + " > " + path("copy.json") +
                                       " & sleep 0.3; " + COMMSIM_BINARY + " run " + scenario() +
                                       " --json " + path("fifo") + "; code=$?; wait; exit $code");
  EXPECT_EQ(read_by_cat.exit_code, 0) << read_by_cat.output;
  EXPECT_NE(read(dir_ / "copy.json").find("\"scenario\": \"vllm-37933-interpp\""),
            std::string::npos);
  struct stat status {};
  ASSERT_EQ(::lstat(path("fifo").c_str(), &status), 0);
  EXPECT_TRUE(S_ISFIFO(status.st_mode));
}

TEST_F(OutputCommandTest, ALinkIsWrittenThroughAndAUsersPartialFileIsKept) {
  write(dir_ / "real.json", "old\n");
  fs::create_symlink("real.json", dir_ / "link.json");
  write(dir_ / "out.json.partial", "mine\n");
  const Result result = run_commsim("run " + scenario() + " --json " + path("link.json") +
                                    " --junit " + path("out.json"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.json"));
  EXPECT_NE(read(dir_ / "real.json").find("\"verdict\": \"pass\""), std::string::npos);
  EXPECT_NE(read(dir_ / "out.json").find("<testsuites>"), std::string::npos);
  EXPECT_EQ(read(dir_ / "out.json.partial"), "mine\n");
  EXPECT_EQ(listing(dir_), std::set<std::string>({"s.yaml", "real.json", "link.json", "out.json",
                                                  "out.json.partial"}));
}

// A file size limit stands for a full disk (SIGXFSZ ignored, as the shell leaves it): exit 2, the
// target unchanged, nothing left behind.
TEST_F(OutputCommandTest, AFullDiskFailsTheRunAndLeavesTheTargetAndNoTemporary) {
  write(dir_ / "out.xml", "old\n");
  write(dir_ / "out.json", "old\n");
  // No byte may be written: the JUnit report, written first, fails.
  const Result junit = run_shell("ulimit -f 0; trap '' XFSZ; exec " + std::string(COMMSIM_BINARY) +
                                 " run " + scenario() + " --junit " + path("out.xml"));
  EXPECT_EQ(junit.exit_code, 2) << junit.output;
  EXPECT_NE(junit.output.find("commsim: --junit: cannot write '" + path("out.xml") +
                              "': File too large\n"),
            std::string::npos)
      << junit.output;
  // 512 bytes may be written: the record (several KiB) is cut short.
  const Result json = run_shell("ulimit -f 1; trap '' XFSZ; exec " + std::string(COMMSIM_BINARY) +
                                " run " + scenario() + " --json " + path("out.json"));
  EXPECT_EQ(json.exit_code, 2) << json.output;
  EXPECT_NE(json.output.find("commsim: --json: cannot write '" + path("out.json") +
                             "': File too large\n"),
            std::string::npos)
      << json.output;
  EXPECT_EQ(read(dir_ / "out.xml"), "old\n");
  EXPECT_EQ(read(dir_ / "out.json"), "old\n");
  EXPECT_EQ(listing(dir_), std::set<std::string>({"s.yaml", "out.xml", "out.json"}));
}

// The processes whose parent is `parent`, from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

// Whether `pid` is gone or a zombie (dead, waiting for whoever adopted it to reap it).
bool dead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

TEST_F(OutputCommandTest, KillingRunKillsItsSimulationChild) {
  write(dir_ / "long.yaml",
        "name: long\npolicy: vllm-pr40150\n"
        "topology: { kind: cluster, nodes: 8, node: { cores: 8 } }\n"
        "parallel: { tensor: 64 }\n"
        "workload: { kind: tp_allreduce, steps: 100000, tensors: { x: { dtype: f32, shape: [4] } } "
        "}\n");
  const pid_t commsim = ::fork();
  ASSERT_GE(commsim, 0);
  if (commsim == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execl(COMMSIM_BINARY, COMMSIM_BINARY, "run", path("long.yaml").c_str(), nullptr);
    ::_exit(127);
  }
  std::vector<pid_t> simulations;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (simulations.empty() && std::chrono::steady_clock::now() < deadline) {
    simulations = children_of(commsim);
    if (simulations.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(simulations.empty()) << "commsim run started no simulation child";
  ASSERT_FALSE(dead(simulations.front())) << "the simulation ended before the test killed commsim";
  ::kill(commsim, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(commsim, &status, 0), commsim);
  const auto gone_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!dead(simulations.front()) && std::chrono::steady_clock::now() < gone_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(dead(simulations.front()))
      << "the simulation child " << simulations.front() << " outlived its killed commsim";
  if (!dead(simulations.front())) ::kill(simulations.front(), SIGKILL);
}

// A sweep's name and grid values written to end gnuplot's strings and run commands: no command
// runs. A name the sweep refuses (it also names the results directory) is refused before any plot.
TEST_F(OutputCommandTest, AHostileSweepRunsNoCommand) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "gnuplot is not installed (Debian: gnuplot-nox)";
  }
  const std::string pwned = path("PWNED");
  const std::string payload = "x'\\n!touch " + pwned + "\\n'`touch " + pwned + "`";
  // A sweep reads its scenario from its own tree: a copy beside it.
  fs::copy_file(kScenario, dir_ / "base.yaml");
  const std::string grid = "scenario: base.yaml\ngrid:\n  topology.network.latency: [1us, 20us]\n";
  write(dir_ / "named.yaml", "name: \"" + payload + "\"\n" + grid + "metrics: [sim_time_s]\n");
  const Result named = run_shell("cd " + dir_.string() + " && " + COMMSIM_BINARY + " sweep " +
                                 path("named.yaml") + " --out " + path("named"));
  EXPECT_TRUE(named.exit_code == 0 || named.exit_code == 2) << named.output;
  // The grid's values label the plot's lines.
  write(dir_ / "valued.yaml", "name: valued\n" + grid + "  description: [\"" + payload +
                                  "\", \"'\"]\nmetrics: [sim_time_s]\n" +
                                  "plot: { x: topology.network.latency }\n");
  const Result valued = run_shell("cd " + dir_.string() + " && " + COMMSIM_BINARY + " sweep " +
                                  path("valued.yaml") + " --out " + path("valued"));
  EXPECT_EQ(valued.exit_code, 0) << valued.output;
  EXPECT_TRUE(fs::exists(dir_ / "valued" / "sim_time_s.svg")) << valued.output;
  EXPECT_FALSE(fs::exists(pwned)) << "gnuplot ran a command from the sweep file";
}

}  // namespace
}  // namespace commsim::cli
