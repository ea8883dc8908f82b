// Reading a scenario file's YAML: fields with their positions, strict sections, typed scalars,
// and errors that name the file, line and column. The scenario parser (scenario_parser.cpp) and
// the topology parser (topology_parser.h) are built on it. Internal to commsim_scenarios.
#pragma once

#include <yaml-cpp/yaml.h>

#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/node_presets.h"
#include "scenarios/outcome.h"
#include "scenarios/run_limits.h"
#include "scenarios/scenario.h"
#include "scenarios/scenario_parser.h"
#include "scenarios/units.h"

namespace commsim::scenario::parsing {

using KeyList = std::vector<std::string_view>;

// ----- text -----

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");
std::string join(const KeyList& items);
// The name in `names` closest to `word` (a likely typo), if one is close enough.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& names);
std::string quote(std::string_view text);
// A decimal integer (sign, digits); *overflow is set when it does not fit in 64 bits.
std::optional<std::int64_t> parse_integer_text(std::string_view text, bool* overflow = nullptr);
// YAML 1.2's 0x.. and 0o.. integers.
std::optional<std::int64_t> parse_yaml_based_integer(std::string_view text);
// A YAML 1.2 float, .inf and .nan included.
std::optional<double> parse_yaml_float(std::string_view text);
std::vector<std::string> arch_names();
std::vector<std::string> dtype_names();

// ----- the document -----

// A value in the document, with the key that named it.
struct Field {
  std::string key;      // "" for the document root and for list items
  YAML::Mark key_mark;  // null for the document root and for list items
  YAML::Node value;
  std::string path;  // dotted path for messages, e.g. "topology.network.bandwidth"
};

inline std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// A mapping whose keys come from a fixed list; unknown keys have already been reported.
struct Section {
  Field self;
  std::vector<Field> fields;  // in file order

  const Field* find(std::string_view key) const {
    for (const Field& field : fields) {
      if (field.key == key) return &field;
    }
    return nullptr;
  }
};

// Reads fields of one file; every problem goes to `errors` with its position.
class FieldReader {
 public:
  FieldReader(std::string file, std::vector<ScenarioError>& errors)
      : file_(std::move(file)), errors_(errors) {}

 protected:
  // ----- positions and errors -----
  SourcePos pos(const YAML::Mark& mark) const;

  // Where a value is: the value itself, or its key when the value is empty (yaml-cpp places an
  // empty value at the start of the next token, which may be lines later).
  SourcePos at(const Field& field) const;

  // Where the key of a field is (the value's position when it has no key).
  SourcePos at_key(const Field& field) const;

  void error(SourcePos where, std::string message);

  static std::string label(const Field& field);

  static std::string where_in(const Field& field);

  // What a node is, for "got ..." in messages.
  static std::string describe(const YAML::Node& node);

  void type_error(const Field& field, std::string_view expected);

  // The one YAML document of `text` (yaml_guard.h), or nullopt with the problem reported at its
  // position. A second document is reported too (`what`: "a scenario file"), and the first is
  // still returned so that its own problems are found.
  std::optional<YAML::Node> load_document(const std::string& text, std::string_view what);

  // Runs `parse` (which reads a whole document); a YAML syntax error, an unreadable document or
  // any other exception it throws becomes an error with its position.
  void guarded(const std::function<void()>& parse);

  // ----- structure -----
  // The entries of a mapping, in file order, with scalar keys and no duplicates (reported).
  std::optional<std::vector<Field>> read_entries(const Field& field);

  // A mapping whose keys must come from `keys`; reports the others with a suggestion.
  std::optional<Section> read_section(const Field& field, const KeyList& keys);

  void require(const Section& section, const KeyList& keys);

  // ----- scalars -----
  std::optional<std::string> read_string(const Field& field);

  // A plain (unquoted) scalar, or one explicitly tagged `tag`; nullopt otherwise.
  static std::optional<std::string> plain_scalar(const YAML::Node& node, std::string_view tag);

  std::optional<std::int64_t> read_integer(const Field& field, std::int64_t min, std::int64_t max);

  std::optional<int> read_int(const Field& field, int min, int max = INT_MAX);

  std::optional<std::uint64_t> read_uint64(const Field& field);

  std::optional<bool> read_bool(const Field& field);

  // A quantity with a unit. `positive`: must be > 0; otherwise >= 0.
  std::optional<double> read_quantity(const Field& field, Quantity (*parse_text)(std::string_view),
                                      std::string_view noun, bool positive);

  std::optional<double> check_sign(const Field& field, double value, bool positive);

  std::optional<double> read_bandwidth(const Field& field);

  std::optional<double> read_time(const Field& field);

  // GFLOP/s per core as a bare number, or a speed with a flops unit; returns flop/s.
  // A plain number (no unit).
  std::optional<double> read_number(const Field& field);

  std::optional<double> read_core_flops(const Field& field);

  // A plain number in [low, high]; `range` states the interval in the message.
  std::optional<double> read_number_in(const Field& field, double low, double high,
                                       std::string_view range);

  std::optional<comm::Arch> read_arch(const Field& field);

  // A built-in preset's name, or a preset file (a value ending in .yaml or .yml, see
  // preset_file.h) relative to this file's directory, which is read and registered under its
  // resolved path. Its problems are reported at the value, one each. nullptr when unusable.
  const NodePreset* read_preset(const Field& field);

  // `written` relative to the directory of the file being read (as it is when absolute, or when
  // the file has no directory), lexically normalised.
  std::string beside_file(const std::string& written) const;

  std::optional<comm::DType> read_dtype(const Field& field);

  // A node's `kernels:` mapping (efficiency in (0, 1], bf16_speedup > 0, call_overhead a time)
  // into `model`; with `all_required`, every key must be given.
  void read_kernel_model(const Field& field, KernelModel& model, bool all_required);

  std::optional<Outcome> read_outcome(const Field& field);

  // A name from `allowed` (first entry) for a kind of thing (`noun`).
  std::optional<std::string> read_choice(const Field& field,
                                         const std::vector<std::string>& allowed,
                                         std::string_view noun);

  // A YAML scalar typed as the YAML 1.2 core schema types it.
  std::optional<comm::PlainValue> read_plain_value(const Field& field);

  // A mapping of names to scalar strings (numbers keep their text), merged into `environment`.
  void read_env(const Field& field, std::map<std::string, std::string>& environment);

  // A list of whole numbers from `min`, or nullopt (reported).
  std::optional<std::vector<int>> read_int_list(const Field& field, int min, int max = kMaxRanks);

  // A list of strings, e.g. segment names.
  std::optional<std::vector<std::string>> read_string_list(const Field& field);

  std::string file_;
  std::vector<ScenarioError>& errors_;
};

}  // namespace commsim::scenario::parsing
