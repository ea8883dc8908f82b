// The input layer that every file goes through before it is parsed: regular files of bounded size
// (scenarios/input_file.h), files named inside files kept in their tree, the guarded YAML loader
// (scenarios/yaml_guard.h) and escaping for terminals (scenarios/printable.h).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "scenarios/input_file.h"
#include "scenarios/printable.h"
#include "scenarios/scenario_parser.h"
#include "scenarios/yaml_guard.h"

namespace {

namespace fs = std::filesystem;
using commsim::scenario::first_unprintable;
using commsim::scenario::first_unprintable_in_line;
using commsim::scenario::InputText;
using commsim::scenario::load_yaml_document;
using commsim::scenario::NamedFile;
using commsim::scenario::printable;
using commsim::scenario::read_input_file;
using commsim::scenario::resolve_named_file;
using commsim::scenario::YamlDocument;

// A fresh directory of this test's own, removed at the end.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("commsim-input-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// ----- printable -----

TEST(Printable, KeepsTextAndEscapesControlCharactersAndBrokenUtf8) {
  EXPECT_EQ(printable("plain text: é, ü, 漢字"), "plain text: é, ü, 漢字");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable("a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
  EXPECT_EQ(printable(std::string("nul\0!", 5)), "nul\\x00!");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
  EXPECT_EQ(printable("\xc2\x9b"), "\\xc2\\x9b");  // C1 CSI, a terminal's escape too
  EXPECT_EQ(printable("bad \xff byte"), "bad \\xff byte");
  EXPECT_EQ(printable("cut \xe6\xbc"), "cut \\xe6\\xbc");   // a sequence cut short
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

TEST(Printable, EveryByteComesOutPrintable) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string out = printable(std::string(1, static_cast<char>(byte)));
    EXPECT_FALSE(first_unprintable_in_line(out).has_value()) << byte;
  }
}

TEST(Printable, FindsTheFirstByteThatIsNotYamlText) {
  EXPECT_FALSE(first_unprintable("name: x\n\tdescription: y\r\n").has_value());
  EXPECT_FALSE(first_unprintable("\xef\xbb\xbfname: x").has_value());  // a byte-order mark
  EXPECT_EQ(first_unprintable("name: \x1b"), 6u);
  EXPECT_EQ(first_unprintable("ok: \xff"), 4u);
  EXPECT_EQ(first_unprintable_in_line("a\tb"), 1u);
  // NEL and Unicode's line and paragraph separators break a line too: YAML text may hold them,
  // one line of text (a name) may not, and they are shown escaped.
  EXPECT_FALSE(first_unprintable("a\xc2\x85" "b \xe2\x80\xa8").has_value());
  EXPECT_EQ(first_unprintable_in_line("x\xc2\x85y"), 1u);
  EXPECT_EQ(first_unprintable_in_line("x\xe2\x80\xa8y"), 1u);
  EXPECT_EQ(first_unprintable_in_line("x\xe2\x80\xa9y"), 1u);
  EXPECT_EQ(printable("x\xc2\x85y\xe2\x80\xa8"), "x\\xc2\\x85y\\xe2\\x80\\xa8");
  const std::string text = "a: 1\nb: é\x01";
  const auto where = commsim::scenario::line_column(text, *first_unprintable(text));
  EXPECT_EQ(where.line, 2);
  EXPECT_EQ(where.column, 5);
}

// ----- read_input_file -----

TEST(InputFile, ReadsARegularFileWhole) {
  TempDir dir;
  const std::string text = "name: x\n" + std::string(100000, '#') + "\n";
  const InputText input = read_input_file(dir.write("s.yaml", text).string(), 1 << 20);
  ASSERT_TRUE(input.text.has_value()) << input.error;
  EXPECT_EQ(*input.text, text);
}

TEST(InputFile, RefusesWhatIsNotARegularFileWithoutBlocking) {
  TempDir dir;
  const auto refused = [](const std::string& path) {
    const auto start = std::chrono::steady_clock::now();
    const InputText input = read_input_file(path, 1 << 20);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << path;
    EXPECT_FALSE(input.text.has_value()) << path;
    return input.error;
  };
  EXPECT_EQ(refused("/dev/zero"), "it is a character device, not a regular file");
  EXPECT_EQ(refused("/dev/urandom"), "it is a character device, not a regular file");
  EXPECT_EQ(refused(dir.path().string()), "it is a directory, not a regular file");
  const fs::path fifo = dir.path() / "fifo.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(refused(fifo.string()), "it is a FIFO, not a regular file");  // no writer: no wait
  const fs::path link = dir.path() / "zero.yaml";
  fs::create_symlink("/dev/zero", link);
  EXPECT_EQ(refused(link.string()), "it is a character device, not a regular file");
  EXPECT_EQ(refused((dir.path() / "missing.yaml").string()), "No such file or directory");
}

TEST(InputFile, RefusesAFileLargerThanTheLimit) {
  TempDir dir;
  const fs::path file = dir.write("big.yaml", std::string(4097, 'a'));
  const InputText input = read_input_file(file.string(), 4096);
  EXPECT_FALSE(input.text.has_value());
  EXPECT_EQ(input.error, "it is larger than 4096 bytes, the limit for this kind of file");
  EXPECT_TRUE(read_input_file(file.string(), 4097).text.has_value());
  // Sparse: the size is refused from the file's metadata, nothing is read.
  const fs::path sparse = dir.path() / "sparse.yaml";
  std::ofstream(sparse).close();
  fs::resize_file(sparse, std::uintmax_t{64} << 30);
  const InputText huge = read_input_file(sparse.string(), commsim::scenario::kMaxScenarioFileBytes);
  EXPECT_EQ(huge.error, "it is larger than 1 MiB, the limit for this kind of file");
}

// ----- resolve_named_file -----

TEST(NamedFile, IsReadBesideTheFileThatNamesIt) {
  TempDir dir;
  dir.write("presets/host.yaml", "preset: {}\n");
  const fs::path scenario = dir.write("scenarios/s.yaml", "");
  const NamedFile beside = resolve_named_file(scenario.string(), "../presets/host.yaml");
  // Without a .git above, the tree is the scenario's own directory: climbing out is refused.
  EXPECT_FALSE(beside.path.has_value());
  EXPECT_NE(beside.error.find("leads outside the tree of " + scenario.string()), std::string::npos)
      << beside.error;
  // With a .git at the top, the whole work tree is the scenario's.
  fs::create_directories(dir.path() / ".git");
  const NamedFile inside = resolve_named_file(scenario.string(), "../presets/host.yaml");
  ASSERT_TRUE(inside.path.has_value()) << inside.error;
  EXPECT_EQ(*inside.path, (dir.path() / "presets/host.yaml").string());
  EXPECT_TRUE(resolve_named_file(scenario.string(), "here.yaml").path.has_value());
}

TEST(NamedFile, RefusesAbsolutePathsClimbingOutAndLinksOut) {
  TempDir dir;
  fs::create_directories(dir.path() / ".git");
  const fs::path scenario = dir.write("s.yaml", "");
  const NamedFile absolute = resolve_named_file(scenario.string(), "/etc/passwd.yaml");
  EXPECT_FALSE(absolute.path.has_value());
  EXPECT_NE(absolute.error.find("absolute paths are not read"), std::string::npos);
  EXPECT_FALSE(resolve_named_file(scenario.string(), "../../../etc/x.yaml").path.has_value());
  EXPECT_FALSE(resolve_named_file(scenario.string(), "a/../../x.yaml").path.has_value());
  fs::create_directory_symlink("/etc", dir.path() / "etc");
  EXPECT_FALSE(resolve_named_file(scenario.string(), "etc/hosts.yaml").path.has_value());
  EXPECT_FALSE(resolve_named_file(scenario.string(), "").path.has_value());
}

// ----- load_yaml_document -----

// The position and message of a refused text; "" when it loaded.
std::string refusal(const std::string& text) {
  const YamlDocument document = load_yaml_document(text);
  if (!document.problem) return "";
  return std::to_string(document.problem->line) + ":" + std::to_string(document.problem->column) +
         ": " + document.problem->message;
}

TEST(YamlGuard, RefusesADocumentStartingWithACommaInsteadOfLoopingForever) {
  const std::string unexpected =
      "YAML syntax error: unexpected ','; a document cannot start with it";
  EXPECT_EQ(refusal(","), "1:1: " + unexpected);
  EXPECT_EQ(refusal("# comment\n  ,"), "2:3: " + unexpected);
  EXPECT_EQ(refusal("---\n,\n"), "2:1: " + unexpected);
  EXPECT_EQ(refusal(",a: 1"), "1:1: " + unexpected);
  // After a first document, a second one is reported by its position, not loaded.
  const YamlDocument two = load_yaml_document("a: 1\n---\n,\n");
  EXPECT_FALSE(two.problem.has_value());
  ASSERT_TRUE(two.second_document.has_value());
  EXPECT_EQ(two.second_document->line, 1);
  EXPECT_EQ(two.root["a"].as<int>(), 1);
}

TEST(YamlGuard, RefusesBinaryAndControlCharacters) {
  EXPECT_EQ(refusal("name: a\x1b[2Jb\n"),
            "1:8: not YAML text: U+001B is a control character or not UTF-8");
  EXPECT_EQ(refusal("a: 1\nname: \xff\xfe\n"),
            "2:7: not YAML text: byte 0xFF is a control character or not UTF-8");
  EXPECT_EQ(refusal(std::string("a: \0", 4)),
            "1:4: not YAML text: U+0000 is a control character or not UTF-8");
}

TEST(YamlGuard, RefusesCyclesAliasBombsAndDeepNesting) {
  EXPECT_EQ(refusal("a: &a [1, *a]\n"),
            "1:11: a YAML alias inside the node it names (a cycle) cannot be read");
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  EXPECT_NE(refusal(bomb).find("the YAML holds more than 100000 values"), std::string::npos);
  EXPECT_EQ(refusal(std::string(65, '[') + std::string(65, ']')),
            "1:65: the YAML nests deeper than 64 levels");
  EXPECT_NE(refusal(std::string(100000, '[')).find("the YAML nests deeper than 64 levels"),
            std::string::npos);
  // Aliases that expand to a modest size are fine.
  const YamlDocument shared = load_yaml_document("a: &n {x: 1}\nb: *n\n");
  ASSERT_FALSE(shared.problem.has_value());
  EXPECT_EQ(shared.root["b"]["x"].as<int>(), 1);
}

TEST(YamlGuard, ReportsSyntaxErrorsAtTheirPosition) {
  // yaml-cpp 0.7 alone would read the rest of the file into the string.
  EXPECT_EQ(refusal("name: \"unterminated\npolicy: x\n"),
            "1:7: YAML syntax error: the double-quoted string that starts here is never closed");
  EXPECT_EQ(refusal("name: \"a \\\" b\"\n"), "");  // an escaped quote does not close it
  EXPECT_EQ(refusal("name: 'unterminated\n"),
            "1:7: YAML syntax error: the single-quoted string that starts here is never closed");
  EXPECT_EQ(refusal("name: 'it''s'\n"), "");  // '' is a quote inside the string
  EXPECT_EQ(refusal("a: [1, 2\n"), "2:1: YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(refusal(""), "");
  EXPECT_TRUE(load_yaml_document("").root.IsNull());
}

// ----- through the scenario parser -----

TEST(InputSafety, AScenarioFileThatIsNotOneGetsOneLine) {
  TempDir dir;
  const auto errors = [](const std::string& path) {
    const auto result = commsim::scenario::parse_scenario_file(path, nullptr);
    EXPECT_FALSE(result.scenario.has_value());
    std::string lines;
    for (const auto& error : result.errors) lines += error.to_string() + "\n";
    return lines;
  };
  EXPECT_EQ(errors("/dev/zero"),
            "/dev/zero: cannot read scenario file: it is a character device, not a regular file\n");
  const fs::path comma = dir.write("comma.yaml", ",");
  EXPECT_EQ(errors(comma.string()),
            comma.string() +
                ":1:1: YAML syntax error: unexpected ','; a document cannot start with it\n");
  const fs::path escape = dir.write("escape.yaml", "name: \"\\e[31mred\"\n");
  EXPECT_NE(errors(escape.string())
                .find(escape.string() +
                      ":1:7: name: holds the control character U+001B; write it without escapes"),
            std::string::npos)
      << errors(escape.string());
}

}  // namespace
