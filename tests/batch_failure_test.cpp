// commsim run on a batch in which one simulation's process dies (here: killed from outside, as
// the kernel's OOM killer would): that run gets a failed record saying why, the other runs go
// on, the JSON and JUnit reports hold every run, and the exit status is 1.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/run_commsim.h"

namespace {

namespace fs = std::filesystem;
using commsim::testing::temp_path;

// A run that takes minutes of wall time: it is killed long before it ends.
constexpr char kLongRun[] = R"(name: long-allreduce
policy: vllm-pr40150
topology: { kind: cluster, nodes: 2 }
parallel: { tensor: 2, pipeline: 2 }
workload:
  kind: tp_allreduce
  steps: 20000
  tensors: { partial: { dtype: f32, shape: [65536] } }
)";

constexpr char kShortRun[] = "scenarios/regressions/vllm-37933-interpp.yaml";

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The children of process `parent`, from /proc/<pid>/stat ("pid (name) state ppid ...").
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (const dirent* entry = ::readdir(proc)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_text(fs::path("/proc") / name / "stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent) {
      children.push_back(static_cast<pid_t>(std::stoi(name)));
    }
  }
  ::closedir(proc);
  return children;
}

TEST(BatchFailure, ARunWhoseSimulationDiesIsRecordedAndTheBatchGoesOn) {
  const fs::path dir = temp_path("commsim-batch-failure").replace_extension();
  fs::create_directories(dir);
  const fs::path long_run = dir / "long-allreduce.yaml";
  std::ofstream(long_run) << kLongRun;
  const fs::path json = dir / "runs.json";
  const fs::path junit = dir / "runs.xml";
  const fs::path output = dir / "output.txt";

  const pid_t commsim = ::fork();
  ASSERT_GE(commsim, 0);
  if (commsim == 0) {
    const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execl(COMMSIM_BINARY, COMMSIM_BINARY, "run", long_run.c_str(), kShortRun, "--json",
            json.c_str(), "--junit", junit.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // The first child commsim starts is the long run's simulation.
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!killed && std::chrono::steady_clock::now() < deadline) {
    for (const pid_t child : children_of(commsim)) killed = ::kill(child, SIGKILL) == 0 || killed;
    if (!killed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!killed) ::kill(commsim, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(commsim, &status, 0), commsim);
  ASSERT_TRUE(killed) << "the long run's simulation never started";
  const std::string printed = read_text(output);
  ASSERT_TRUE(WIFEXITED(status)) << printed;
  EXPECT_EQ(WEXITSTATUS(status), 1) << printed;
  EXPECT_NE(printed.find("simulation failed: killed by signal 9 (Killed)"), std::string::npos)
      << printed;
  EXPECT_NE(printed.find("commsim: 1 passed, 1 failed"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("internal error"), std::string::npos) << printed;

  const nlohmann::json records = nlohmann::json::parse(read_text(json));
  ASSERT_TRUE(records.is_array());
  ASSERT_EQ(records.size(), 2u);
  const nlohmann::json& died = records[0];
  EXPECT_EQ(died.at("scenario"), "long-allreduce");
  EXPECT_EQ(died.at("verdict"), "fail");
  EXPECT_EQ(died.at("simulation_failure"), "killed by signal 9 (Killed)");
  ASSERT_EQ(died.at("ranks").size(), 4u);
  for (const auto& rank : died.at("ranks")) EXPECT_EQ(rank.at("outcome"), "unknown");
  EXPECT_EQ(died.at("mismatches")[0].at("what"), "simulation");
  const nlohmann::json& went_on = records[1];
  EXPECT_EQ(went_on.at("scenario"), "vllm-37933-interpp");
  EXPECT_EQ(went_on.at("verdict"), "pass");
  EXPECT_FALSE(went_on.contains("simulation_failure"));

  const std::string xml = read_text(junit);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"0\" errors=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error message=\"the simulation failed\">killed by signal 9 (Killed)"),
            std::string::npos)
      << xml;
  fs::remove_all(dir);
}

}  // namespace
