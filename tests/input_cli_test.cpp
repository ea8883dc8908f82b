// Inputs that are not what they claim, end to end: every command that reads a scenario, a sweep or
// a preset file answers at once with one line and exit code 2, and never reads what a file names
// outside the file's own tree.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/run_commsim.h"

namespace {

namespace fs = std::filesystem;
using commsim::testing::Result;
using commsim::testing::run_commsim;

// A directory of this test's own with a .git marker (the tree that named files must stay in).
class Tree {
 public:
  Tree() {
    root_ = fs::temp_directory_path() /
            ("commsim-input-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(root_);
    fs::create_directories(root_ / ".git");
  }
  ~Tree() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = root_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  const fs::path& root() const { return root_; }

 private:
  static inline int counter_ = 0;
  fs::path root_;
};

// A scenario that runs in a few milliseconds, with a node taking `node`.
std::string scenario_text(const std::string& node = "{ cores: 4 }") {
  return "name: small\npolicy: vllm-pr40150\ntopology: { nodes: 2, node: " + node +
         " }\nparallel: { tensor: 1, pipeline: 2 }\n"
         "workload: { kind: pp_handoff, tensors: { h: { dtype: f32, shape: [4] } } }\n";
}

// Runs commsim and checks that it refused quickly: exit 2, and every line it printed starts with
// "commsim" (no stack trace, no SimGrid output).
Result refused(const std::string& args) {
  const auto start = std::chrono::steady_clock::now();
  Result result = run_commsim(args);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << args;
  EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.output;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.rfind("commsim", 0), 0u) << args << ": " << line;
  }
  return result;
}

TEST(InputCli, ACommaFileIsASyntaxErrorForRunExplainAndSweep) {
  Tree tree;
  const fs::path comma = tree.write("comma.yaml", ",");
  const std::string expected =
      comma.string() + ":1:1: YAML syntax error: unexpected ','; a document cannot start with it";
  for (const std::string command : {"run ", "explain ", "compare ", "sweep "}) {
    EXPECT_NE(refused(command + comma.string()).output.find(expected), std::string::npos);
  }
  const fs::path sweep = tree.write("s.sweep.yaml", "name: s\nscenario: comma.yaml\ngrid: {}\n");
  EXPECT_NE(refused("sweep " + sweep.string()).output.find(expected), std::string::npos);
}

TEST(InputCli, DevicesFifosAndLinksToDevicesAreRefusedWithoutReading) {
  Tree tree;
  EXPECT_NE(
      refused("run /dev/zero")
          .output.find(
              "/dev/zero: cannot read scenario file: it is a character device, not a regular file"),
      std::string::npos);
  refused("explain /dev/urandom");
  const fs::path fifo = tree.root() / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(refused("run " + fifo.string()).output.find("it is a FIFO, not a regular file"),
            std::string::npos);
  // A preset file that is a link to /dev/zero leads outside the tree; a FIFO inside it is no
  // regular file. Both are refused at the preset: value's position, neither is opened for long.
  fs::create_symlink("/dev/zero", tree.root() / "zero.yaml");
  const fs::path scenario = tree.write("s.yaml", scenario_text("{ preset: zero.yaml }"));
  EXPECT_NE(refused("run " + scenario.string())
                .output.find(scenario.string() + ":3:39: topology.node.preset: cannot read preset "
                                                 "file 'zero.yaml': it leads outside the tree"),
            std::string::npos);
  const fs::path through_fifo = tree.write("f.yaml", scenario_text("{ preset: fifo.yaml }"));
  EXPECT_NE(refused("run " + through_fifo.string())
                .output.find(through_fifo.string() + ":3:39: topology.node.preset: " +
                             (tree.root() / "fifo.yaml").string() +
                             ": cannot read preset file: it is a FIFO, not a regular file"),
            std::string::npos);
  const fs::path sweep =
      tree.write("s.sweep.yaml", "name: s\nscenario: fifo.yaml\ngrid: { parallel.data: [1] }\n");
  EXPECT_NE(refused("sweep " + sweep.string()).output.find("it is a FIFO"), std::string::npos);
}

TEST(InputCli, AnOversizedScenarioIsRefusedBeforeItIsRead) {
  Tree tree;
  const fs::path big = tree.root() / "big.yaml";
  std::ofstream(big).close();
  fs::resize_file(big, std::uintmax_t{8} << 30);  // sparse: nothing is written
  EXPECT_NE(refused("run " + big.string()).output.find("larger than 1 MiB"), std::string::npos);
}

TEST(InputCli, NamedFilesOutsideTheTreeAreNeitherReadNorEchoed) {
  Tree tree;
  // /etc/passwd would be echoed line by line as unknown keys if it were read.
  const fs::path sweep =
      tree.write("s.sweep.yaml", "name: s\nscenario: /etc/passwd\ngrid: { parallel.data: [1] }\n");
  Result result = refused("sweep " + sweep.string());
  EXPECT_NE(result.output.find(sweep.string() + ":2:11: scenario: cannot read '/etc/passwd': give "
                                                "it relative to the directory of"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("root:"), std::string::npos);
  const fs::path climbing = tree.write(
      "c.sweep.yaml",
      "name: c\nscenario: ../../../../../../../../etc/passwd\ngrid: { parallel.data: [1] }\n");
  EXPECT_NE(refused("sweep " + climbing.string()).output.find("leads outside the tree"),
            std::string::npos);
  const fs::path preset = tree.write("p.yaml", scenario_text("{ preset: /etc/host.yaml }"));
  EXPECT_NE(refused("explain " + preset.string()).output.find("absolute paths are not read"),
            std::string::npos);
  const fs::path xml =
      tree.write("x.yaml",
                 "name: x\npolicy: vllm-pr40150\ntopology: { kind: xml, xml: { file: "
                 "../../../../../../../../../../usr/share/x.xml } }\n");
  EXPECT_NE(refused("run " + xml.string()).output.find("leads outside the tree"),
            std::string::npos);
}

TEST(InputCli, ControlCharactersNeverReachTheTerminal) {
  Tree tree;
  const fs::path escaped =
      tree.write("e.yaml", scenario_text() + "description: \"\\e]0;pwned\\a\"\n");
  Result result = refused("run " + escaped.string());
  EXPECT_EQ(result.output.find('\x1b'), std::string::npos);
  EXPECT_NE(result.output.find("description: holds the control character U+001B"),
            std::string::npos)
      << result.output;
  // An unknown policy quoted from the file with an escape in it is shown escaped.
  const fs::path policy = tree.write("p.yaml", "name: p\npolicy: \"v\\x1b[2J\"\n");
  result = refused("run " + policy.string());
  EXPECT_EQ(result.output.find('\x1b'), std::string::npos) << result.output;
  const fs::path raw = tree.write("r.yaml", "name: \xff\xfe\n");
  EXPECT_NE(refused("explain " + raw.string())
                .output.find(raw.string() + ":1:7: not YAML text: byte 0xFF"),
            std::string::npos);
}

}  // namespace
