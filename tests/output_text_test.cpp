// The escaping of every text that reaches a file commsim writes, one function per format: CSV,
// JSON, XML (JUnit reports, SimGrid platform files) and gnuplot scripts and data files. Each is
// fed every byte 0x00-0xFF and hostile strings; gnuplot itself, where installed, runs scripts
// built from them and must run no command.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "results/csv_text.h"
#include "results/gnuplot_text.h"
#include "results/json_text.h"
#include "results/junit.h"
#include "results/xml_text.h"
#include "results/yaml_text.h"

namespace commsim::results {
namespace {

namespace fs = std::filesystem;

// Every single byte, all 256 bytes in one string, and strings written to break out of a quoted
// context in some format.
std::vector<std::string> hostile_texts() {
  std::vector<std::string> texts;
  std::string all;
  for (int byte = 0; byte < 256; ++byte) {
    texts.emplace_back(1, static_cast<char>(byte));
    all += static_cast<char>(byte);
  }
  texts.push_back(all);
  for (const char* text : {"a\nb",
                           "a\r\nb",
                           "x'\n!touch pwned\n'",
                           "`touch pwned`",
                           "\"; !touch pwned; \"",
                           "'",
                           "''",
                           "\"",
                           "\\",
                           "\\\n!touch pwned",
                           "]]>",
                           "--",
                           "-",
                           "a--b-",
                           "<!-- x -->",
                           "&amp;",
                           "!cmd",
                           "@GPVAL_PWD",
                           "$(touch pwned)",
                           " leading",
                           "trailing ",
                           "a,b",
                           "\xC3\xA9t\xC3\xA9",
                           "\xF0\x9F\x98\x80",
                           "\xC0\xAF",
                           "\xED\xA0\x80",
                           "\xEF\xBF\xBE",
                           "\xF4\x90\x80\x80",
                           "\xE2\x82"}) {
    texts.emplace_back(text);
  }
  texts.emplace_back(std::string("nul\0byte", 8));
  return texts;
}

bool valid_utf8(std::string_view text) {
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

bool has_control(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// ----- UTF-8 -----

TEST(OutputText, Utf8SequencesAreTheWellFormedOnes) {
  EXPECT_EQ(utf8_sequence_length("a"), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9"), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC"), 3u);
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(utf8_sequence_length("\x80"), 0u);              // a stray continuation byte
  EXPECT_EQ(utf8_sequence_length("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xE0\x80\xAF"), 0u);      // overlong '/'
  EXPECT_EQ(utf8_sequence_length("\xED\xA0\x80"), 0u);      // a surrogate
  EXPECT_EQ(utf8_sequence_length("\xF4\x90\x80\x80"), 0u);  // beyond U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xE2\x82"), 0u);          // truncated
  EXPECT_EQ(utf8_sequence_length("\xFF"), 0u);
}

// ----- CSV -----

// The fields of one CSV record read as RFC 4180 says; `rest` receives what follows the record.
std::vector<std::string> read_csv_record(const std::string& text, std::string* rest) {
  std::vector<std::string> fields(1);
  std::size_t i = 0;
  bool quoted = false;
  bool started = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && !started) {
      quoted = true;
      started = true;
    } else if (c == ',') {
      fields.emplace_back();
      started = false;
    } else if (c == '\n') {
      ++i;
      break;
    } else {
      fields.back() += c;
      started = true;
    }
  }
  *rest = text.substr(i);
  return fields;
}

TEST(OutputText, CsvFieldsReadBackAsTheyWereWithEveryByte) {
  for (const std::string& text : hostile_texts()) {
    const std::string row = "before," + csv_field(text) + ",after\nnext\n";
    std::string rest;
    const std::vector<std::string> fields = read_csv_record(row, &rest);
    ASSERT_EQ(fields.size(), 3u) << row;
    EXPECT_EQ(fields[0], "before");
    EXPECT_EQ(fields[1], text) << row;
    EXPECT_EQ(fields[2], "after");
    EXPECT_EQ(rest, "next\n") << row;
  }
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
}

// ----- JSON -----

TEST(OutputText, JsonKeepsEveryValidStringAndReplacesInvalidBytes) {
  for (const std::string& text : hostile_texts()) {
    const nlohmann::json json = {{"name", text}, {"list", {text, 1}}};
    std::string written;
    ASSERT_NO_THROW(written = json_file_text(json)) << text;
    EXPECT_TRUE(valid_utf8(written)) << written;
    for (char c : written) {
      EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 || c == '\n') << written;  // indentation
    }
    const nlohmann::json back = nlohmann::json::parse(written);
    if (valid_utf8(text)) {
      EXPECT_EQ(back, json) << written;
    } else {
      EXPECT_NE(back["name"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
    }
  }
  // Control characters are escaped, never written raw.
  EXPECT_EQ(json_text(nlohmann::json("a\nb\x01\"\\")), "\"a\\nb\\u0001\\\"\\\\\"");
  EXPECT_EQ(json_text(nlohmann::json("\xFF")), "\"\xEF\xBF\xBD\"");
}

// ----- YAML -----

TEST(OutputText, YamlScalarsReadBackAsTheyWereWithEveryByte) {
  for (const std::string& text : hostile_texts()) {
    const std::string quoted = yaml_quoted(text);
    EXPECT_TRUE(valid_utf8(quoted)) << quoted;
    EXPECT_FALSE(has_control(quoted)) << quoted;
    std::string back;
    ASSERT_NO_THROW(back = YAML::Load("cpu: " + quoted + "\nisa: avx2\n")["cpu"].as<std::string>())
        << quoted;
    if (valid_utf8(text)) {
      EXPECT_EQ(back, text) << quoted;
    } else {
      EXPECT_NE(back.find("\xEF\xBF\xBD"), std::string::npos) << quoted;
    }
  }
  EXPECT_EQ(yaml_quoted("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\x0A\"");
}

// ----- XML -----

// `escaped` with xml_escape's entities and character references turned back.
std::string xml_unescape(const std::string& escaped) {
  static const std::vector<std::pair<std::string, std::string>> kEntities = {
      {"&lt;", "<"},  {"&gt;", ">"},   {"&quot;", "\""}, {"&apos;", "'"},
      {"&#9;", "\t"}, {"&#10;", "\n"}, {"&#13;", "\r"},  {"&amp;", "&"}};
  std::string out;
  for (std::size_t i = 0; i < escaped.size();) {
    bool matched = false;
    for (const auto& [entity, text] : kEntities) {
      if (escaped.compare(i, entity.size(), entity) == 0) {
        out += text;
        i += entity.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += escaped[i++];
  }
  return out;
}

// Whether `text` can be XML 1.0 character data as it is: valid UTF-8 without control characters
// other than tab, line feed and carriage return, U+FFFE or U+FFFF.
bool xml_text_as_is(const std::string& text) {
  if (!valid_utf8(text)) return false;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7F) return false;
  }
  return text.find("\xEF\xBF\xBE") == std::string::npos &&
         text.find("\xEF\xBF\xBF") == std::string::npos;
}

TEST(OutputText, XmlEscapesMarkupAndReplacesWhatXmlCannotHold) {
  for (const std::string& text : hostile_texts()) {
    const std::string escaped = xml_escape(text);
    EXPECT_TRUE(valid_utf8(escaped)) << escaped;
    EXPECT_FALSE(has_control(escaped)) << escaped;
    EXPECT_EQ(escaped.find_first_of("<>\"'"), std::string::npos) << escaped;
    EXPECT_EQ(escaped.find("]]>"), std::string::npos) << escaped;
    if (xml_text_as_is(text)) {
      EXPECT_EQ(xml_unescape(escaped), text) << escaped;
    } else {
      EXPECT_NE(escaped.find("\xEF\xBF\xBD"), std::string::npos) << escaped;
    }
    const std::string comment = xml_comment_text(text);
    EXPECT_EQ(comment.find("--"), std::string::npos) << comment;
    EXPECT_TRUE(comment.empty() || comment.back() != '-') << comment;
  }
  EXPECT_EQ(xml_escape("a<b & 'c' \"d\""), "a&lt;b &amp; &apos;c&apos; &quot;d&quot;");
  EXPECT_EQ(xml_escape("tab\tline\n"), "tab&#9;line&#10;");
  EXPECT_EQ(xml_escape(std::string("\0\x1B", 2)), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(xml_comment_text("a--b-"), "a- -b- ");
}

bool have_program(const char* name) {
  return std::system((std::string("command -v ") + name + " > /dev/null 2>&1").c_str()) == 0;
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("commsim-output-text-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(OutputText, JunitWithHostileNamesIsWellFormedXml) {
  if (!have_program("xmllint")) GTEST_SKIP() << "xmllint is not installed (Debian: libxml2-utils)";
  std::vector<RunRecord> records;
  for (const std::string& text : hostile_texts()) {
    RunRecord record;
    record.scenario = text;
    record.scenario_path = text + ".yaml";
    record.policy = text;
    record.verdict = Verdict::kFail;
    record.mismatches = {{text, text, text, {text, 1, 1}}};
    records.push_back(record);
  }
  const fs::path dir = scratch_dir("junit");
  std::ofstream(dir / "report.xml") << [&] {
    std::ostringstream xml;
    write_junit(xml, "commsim ]]> -- '\"\n", records);
    return xml.str();
  }();
  const std::string lint = "xmllint --noout " + (dir / "report.xml").string() + " 2>&1";
  EXPECT_EQ(std::system(lint.c_str()), 0) << "xmllint rejects " << (dir / "report.xml");
  fs::remove_all(dir);
}

// ----- gnuplot -----

TEST(OutputText, GnuplotStringsNeverLeaveTheirQuotesOrTheLine) {
  for (const std::string& text : hostile_texts()) {
    const std::string quoted = gnuplot_string(text);
    ASSERT_GE(quoted.size(), 2u);
    EXPECT_EQ(quoted.front(), '\'');
    EXPECT_EQ(quoted.back(), '\'');
    EXPECT_FALSE(has_control(quoted)) << quoted;
    EXPECT_TRUE(valid_utf8(quoted)) << quoted;
    // Single-quoted strings joined by "'", and nothing else.
    std::string rest = quoted;
    while (true) {
      const std::size_t close = rest.find('\'', 1);
      ASSERT_NE(close, std::string::npos) << quoted;
      rest.erase(0, close + 1);
      if (rest.empty()) break;
      ASSERT_EQ(rest.substr(0, 6), ".\"'\".'") << quoted;
      rest.erase(0, 5);
    }
    const std::string data = gnuplot_data_string(text);
    EXPECT_EQ(data.front(), '"');
    EXPECT_EQ(data.back(), '"');
    EXPECT_EQ(data.substr(1, data.size() - 2).find_first_of("\"\\"), std::string::npos) << data;
    EXPECT_FALSE(has_control(data)) << data;
  }
  EXPECT_EQ(gnuplot_string("it's"), "'it'.\"'\".'s'");
  EXPECT_EQ(gnuplot_string("'"), "''.\"'\".''");
  EXPECT_EQ(gnuplot_string("a\nb"), "'a?b'");
  EXPECT_EQ(gnuplot_data_string("say \"x\"\\"), "\"say 'x'?\"");
}

// gnuplot itself runs a script built from each hostile text (a title, a print, a data file's
// labels, a plot's key): no command may run, and each string must print as gnuplot_string says.
TEST(OutputText, GnuplotRunsNoCommandFromHostileText) {
  if (!have_program("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (Debian: gnuplot-nox)";
  const fs::path dir = scratch_dir("gnuplot");
  std::ostringstream script;
  std::ostringstream data;
  std::ostringstream expected;
  script << "set print 'printed.txt'\nset terminal dumb noenhanced\nset output 'plot.txt'\n";
  int row = 0;
  for (const std::string& text : hostile_texts()) {
    script << "set title " << gnuplot_string(text) << " noenhanced\n"
           << "print " << gnuplot_string(text) << "\n";
    // As gnuplot_string says: control characters and invalid UTF-8 bytes as '?'.
    std::string shown;
    for (std::string_view left = text; !left.empty();) {
      const std::size_t length = utf8_sequence_length(left);
      const bool control = static_cast<unsigned char>(left[0]) < 0x20 || left[0] == 0x7F;
      shown += length == 0 || control ? std::string("?") : std::string(left.substr(0, length));
      left.remove_prefix(length == 0 ? 1 : length);
    }
    expected << shown << "\n";
    data << gnuplot_data_string(text) << " " << row++ << "\n";
  }
  std::ofstream(dir / "labels.dat") << data.str();
  script << "plot 'labels.dat' using 0:2:xtic(1) with lines title "
         << gnuplot_string("x'\n!touch pwned\n'") << "\n";
  std::ofstream(dir / "hostile.gp") << script.str();
  const std::string command = "cd " + dir.string() + " && gnuplot hostile.gp > gnuplot.log 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << std::ifstream(dir / "gnuplot.log").rdbuf();
  EXPECT_FALSE(fs::exists(dir / "pwned")) << "gnuplot ran a command from a string";
  std::ifstream printed(dir / "printed.txt");
  const std::string text{std::istreambuf_iterator<char>(printed), {}};
  EXPECT_EQ(text, expected.str());
  EXPECT_TRUE(fs::exists(dir / "plot.txt"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace commsim::results
