#include "scenarios/yaml_guard.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <map>
#include <sstream>
#include <vector>

#include "scenarios/printable.h"

namespace commsim::scenario {

namespace {

// Stops the event pass: a problem, or a second document (all that is needed of it).
struct StopEvents {
  std::optional<YamlProblem> problem;
};

// Walks the parser's events, as yaml-cpp's loader would build nodes, and checks their shape.
class ShapeCheck : public YAML::EventHandler {
 public:
  explicit ShapeCheck(const std::string& text) : text_(text) {}

  std::optional<YAML::Mark> second_document;

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents_;
    if (documents_ == 2) second_document = mark;
    // A document that starts where the previous one started consumed nothing: the ',' loop.
    if (documents_ > 1 && mark.pos == last_start_.pos) {
      stop(mark, "YAML syntax error: unexpected ','; a document cannot start with it");
    }
    if (documents_ > 2) throw StopEvents{};  // the caller needs only the second one's position
    last_start_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    if (const char quote = unclosed_quote(mark)) {
      stop(mark, std::string("YAML syntax error: the ") + (quote == '"' ? "double" : "single") +
                     "-quoted string that starts here is never closed");
    }
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    for (const Open& open : stack_) {
      if (open.anchor == anchor) {
        stop(mark, "a YAML alias inside the node it names (a cycle) cannot be read");
      }
    }
    const auto size = sizes_.find(anchor);
    add(mark, size == sizes_.end() ? 1 : size->second);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    long nodes;  // this collection and everything in it so far, aliases expanded
  };

  [[noreturn]] static void stop(const YAML::Mark& mark, std::string message) {
    throw StopEvents{YamlProblem{mark.line + 1, mark.column + 1, std::move(message)}};
  }

  void add(const YAML::Mark& mark, long nodes) {
    total_ += nodes;
    if (!stack_.empty()) stack_.back().nodes += nodes;
    if (total_ > kMaxYamlNodes) {
      stop(mark, "the YAML holds more than " + std::to_string(kMaxYamlNodes) +
                     " values (aliases counted at their full size)");
    }
  }
  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != 0) sizes_[anchor] = 1;
    add(mark, 1);
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= kMaxYamlDepth) {
      stop(mark, "the YAML nests deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }
    add(mark, 1);
    stack_.push_back({anchor, 0});
  }
  void close() {
    if (stack_.empty()) return;
    const Open done = stack_.back();
    stack_.pop_back();
    if (!stack_.empty()) stack_.back().nodes += done.nodes;
    if (done.anchor != 0) sizes_[done.anchor] = done.nodes + 1;
  }

  // yaml-cpp 0.7 takes a quoted scalar left open to the end of the file as a string of everything
  // after the quote; YAML makes it an error. The quote character (' or ") that the scalar at
  // `mark` opens with and never closes, or 0.
  char unclosed_quote(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) return 0;
    const char quote = text_[static_cast<std::size_t>(mark.pos)];
    if (quote != '"' && quote != '\'') return 0;
    for (std::size_t i = static_cast<std::size_t>(mark.pos) + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;  // an escape
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is a quote inside a single-quoted string
          continue;
        }
        return 0;
      }
    }
    return quote;
  }

  const std::string& text_;
  int documents_ = 0;
  YAML::Mark last_start_ = YAML::Mark::null_mark();
  std::vector<Open> stack_;
  std::map<YAML::anchor_t, long> sizes_;
  long total_ = 0;
};

YamlProblem from_exception(const YAML::Exception& error) {
  const YAML::Mark& mark = error.mark;
  std::string message = error.msg;
  // yaml-cpp's depth guard says only "bad file".
  if (dynamic_cast<const YAML::DeepRecursion*>(&error) != nullptr) {
    message = "the YAML nests too deep";
  }
  const bool known = !mark.is_null();
  return YamlProblem{known ? mark.line + 1 : 1, known ? mark.column + 1 : 1,
                     "YAML syntax error: " + message};
}

}  // namespace

YamlDocument load_yaml_document(const std::string& text) {
  YamlDocument result;
  if (const auto offset = first_unprintable(text)) {
    const LineColumn where = line_column(text, *offset);
    result.problem = YamlProblem{
        where.line, where.column,
        "not YAML text: " + character_name(text, *offset) + " is a control character or not UTF-8"};
    return result;
  }
  ShapeCheck check(text);
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(check)) {
    }
  } catch (const StopEvents& stop) {
    if (stop.problem) {
      result.problem = stop.problem;
      return result;
    }
  } catch (const YAML::Exception& error) {
    result.problem = from_exception(error);
    return result;
  } catch (const std::exception& error) {
    result.problem = YamlProblem{1, 1, std::string("cannot read the YAML: ") + error.what()};
    return result;
  }
  result.second_document = check.second_document;
  try {
    // yaml-cpp builds the first document only; the events above showed it is safe to.
    result.root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    result.problem = from_exception(error);
  } catch (const std::exception& error) {
    result.problem = YamlProblem{1, 1, std::string("cannot read the YAML: ") + error.what()};
  }
  return result;
}

}  // namespace commsim::scenario
