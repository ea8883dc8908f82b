// The one way commsim loads YAML: a file's text checked first for what yaml-cpp 0.7 cannot load
// safely, then loaded.
//
// What is refused, each with its line and column:
// - text that is not printable UTF-8 (binary data, control characters);
// - a document that starts with ',' (yaml-cpp 0.7 reads it as endless empty documents and never
//   returns: jbeder/yaml-cpp #1040);
// - nesting deeper than kMaxYamlDepth, an alias inside the node it names (a cycle: walking it
//   never ends), and documents that expand, aliases counted at their full size, to more than
//   kMaxYamlNodes nodes (an alias bomb).
// Only the first document is loaded; a second one is reported by its position.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace commsim::scenario {

constexpr int kMaxYamlDepth = 64;
constexpr long kMaxYamlNodes = 100000;

struct YamlProblem {
  int line = 0;  // 1-based
  int column = 0;
  std::string message;  // e.g. "YAML syntax error: end of map not found"
};

struct YamlDocument {
  std::optional<YamlProblem> problem;         // set: nothing was loaded
  YAML::Node root;                            // the first document; Null when the text holds none
  std::optional<YAML::Mark> second_document;  // where a second document starts, if one does
};

// Never throws.
YamlDocument load_yaml_document(const std::string& text);

}  // namespace commsim::scenario
