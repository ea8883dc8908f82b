#include "scenarios/scenario_parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <utility>

#include "communicators/policy.h"
#include "scenarios/node_presets.h"
#include "scenarios/outcome.h"
#include "scenarios/platform_facts.h"
#include "scenarios/units.h"

namespace commsim::scenario {
namespace {

using comm::Arch;
using comm::DType;
using KeyList = std::vector<std::string_view>;

constexpr int kMaxRanks = 65536;  // keeps world sizes and rank numbers well inside int

const KeyList kTopKeys = {"name",      "description", "policy",   "policy_switches",
                          "topology",  "nodes",       "ranks",    "parallel",
                          "placement", "faults",      "workload", "expect"};
const KeyList kPlacementKeys = {"kind", "map", "oversubscribe"};
const KeyList kFaultKeys = {"kind", "node", "rank", "at", "factor", "delay"};
const KeyList kRankOverrideKeys = {"threads", "env", "unset_env"};
const KeyList kPolicySwitchKeys = {"arch_allow",
                                   "name_agreement_check",
                                   "fallback_info_log",
                                   "supports_tensor_dict",
                                   "custom_send_recv_rule",
                                   "thread_num_min_allreduce",
                                   "shm_allreduce_world_sizes"};
const KeyList kWaitingKeys = {"op", "group", "peer"};
const KeyList kTopRequired = {"name", "policy", "topology", "parallel", "workload"};
const KeyList kTopologyKeys = {"kind",     "nodes", "node",      "network",
                               "fat_tree", "torus", "dragonfly", "xml"};
const std::vector<std::string> kTopologyKinds = {"single_node", "cluster",   "fat_tree",
                                                 "torus",       "dragonfly", "xml"};
const KeyList kFatTreeKeys = {"levels", "down", "up", "links"};
const KeyList kTorusKeys = {"dimensions"};
const KeyList kDragonflyKeys = {"groups", "chassis", "routers", "nodes"};
const KeyList kXmlKeys = {"file", "nodes"};
const KeyList kNodeKeys = {
    "preset",           "arch",    "cores", "core_gflops", "memory_bandwidth", "memory_latency",
    "init_shm_manager", "threads", "env",   "stale_shm"};
const KeyList kNodeOverrideKeys = {"preset",    "arch",        "init_shm_manager", "threads",
                                   "cores",     "core_gflops", "memory_bandwidth", "memory_latency",
                                   "nic_limit", "env",         "stale_shm"};
const KeyList kNetworkKeys = {"bandwidth",    "latency", "loopback_bandwidth", "loopback_latency",
                              "crosstraffic", "model",   "nic_limit"};
const KeyList kParallelKeys = {"tensor", "pipeline", "data"};
const KeyList kWorkloadKeys = {"kind",           "steps",  "seed",       "tensors",   "extras",
                               "probe_fastpath", "values", "collective", "algorithm", "op",
                               "dtype",          "count",  "root",       "phantom",   "via"};
// The keys of `kind: collective` only.
const KeyList kCollectiveKeys = {"collective", "algorithm", "op",      "dtype",
                                 "count",      "root",      "phantom", "via"};
const KeyList kNumericsKeys = {"rel_l2", "max_abs"};
const KeyList kTensorKeys = {"dtype", "shape"};
const KeyList kExpectKeys = {"groups", "ranks", "data", "numerics", "sim_time"};
const KeyList kGroupKeys = {"backend", "supports_tensor_dict", "use_cpu_custom_send_recv", "log",
                            "no_log"};
const KeyList kRankKeys = {"outcome", "error", "probe", "waiting"};
const KeyList kProbeKeys = {"outcome", "error"};
const KeyList kErrorKeys = {"type", "message", "op"};
const KeyList kDataKeys = {"dicts_delivered", "bit_identical", "collectives", "collectives_exact"};
const KeyList kSimTimeKeys = {"min", "max"};

// ---------------------------------------------------------------------------------------------
// Text helpers.

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string join(const KeyList& items) {
  return join(std::vector<std::string>(items.begin(), items.end()));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
// transpositions each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

// The candidate closest to `word` (case-insensitively), if it is close enough to be a plausible
// typo: at most 3 edits, and at most half the candidate's length.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  const std::string word_lower = lower(word);
  for (const std::string& name : names) {
    const std::size_t distance = edit_distance(word_lower, lower(name));
    const std::size_t limit = std::clamp<std::size_t>(name.size() / 2, 1, 3);
    if (distance <= limit && distance < best_distance) {
      best = name;
      best_distance = distance;
    }
  }
  return best;
}

std::string quote(std::string_view text) { return "'" + std::string(text) + "'"; }

// Parses a whole decimal integer ("12", "-3", "+4"); nullopt if the text is anything else or does
// not fit in int64. *overflow is set when the text has the right form but does not fit.
std::optional<std::int64_t> parse_integer_text(std::string_view text, bool* overflow = nullptr) {
  if (overflow != nullptr) *overflow = false;
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  const std::size_t first_digit = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  if (digits.size() <= first_digit) return std::nullopt;
  for (std::size_t i = first_digit; i < digits.size(); ++i) {
    if (digits[i] < '0' || digits[i] > '9') return std::nullopt;
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    if (overflow != nullptr) *overflow = true;
    return std::nullopt;
  }
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// YAML 1.2 core-schema hexadecimal (0x1F) or octal (0o17) integer.
std::optional<std::int64_t> parse_yaml_based_integer(std::string_view text) {
  if (text.size() < 3 || text[0] != '0') return std::nullopt;
  int base = 0;
  if (text[1] == 'x') base = 16;
  if (text[1] == 'o') base = 8;
  if (base == 0) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data() + 2, end, value, base);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// YAML 1.2 core-schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, .inf, .nan.
std::optional<double> parse_yaml_float(std::string_view text) {
  for (std::string_view inf : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}) {
    if (text == inf) return std::numeric_limits<double>::infinity();
  }
  for (std::string_view inf : {"-.inf", "-.Inf", "-.INF"}) {
    if (text == inf) return -std::numeric_limits<double>::infinity();
  }
  for (std::string_view nan : {".nan", ".NaN", ".NAN"}) {
    if (text == nan) return std::numeric_limits<double>::quiet_NaN();
  }
  std::size_t i = 0;
  const auto digits = [&] {
    std::size_t count = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++count;
    return count;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t mantissa_digits = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa_digits += digits();
  }
  if (mantissa_digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  std::string_view number = text;
  if (number[0] == '+') number.remove_prefix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec == std::errc::result_out_of_range) {
    return number[0] == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Names accepted for enumerations.

std::vector<std::string> arch_names() {
  std::vector<std::string> names;
  for (Arch arch : {Arch::kX86, Arch::kArm, Arch::kPowerPC, Arch::kS390X, Arch::kRiscV}) {
    names.emplace_back(comm::arch_name(arch));
  }
  return names;
}

std::vector<std::string> dtype_names() {
  std::vector<std::string> names;
  for (std::string_view short_name : {"f32", "bf16", "f16", "i64", "i32", "u8"}) {
    if (comm::parse_dtype(short_name)) names.emplace_back(short_name);
  }
  for (DType dtype :
       {DType::kF32, DType::kBF16, DType::kF16, DType::kI64, DType::kI32, DType::kU8}) {
    names.emplace_back(comm::dtype_name(dtype));
  }
  return names;
}

const std::vector<std::string> kBackends = {"shm", "torch.distributed", "mixed", "undecided"};

// ---------------------------------------------------------------------------------------------
// The parser.

// A value in the document, with the key that named it.
struct Field {
  std::string key;      // "" for the document root and for list items
  YAML::Mark key_mark;  // null for the document root and for list items
  YAML::Node value;
  std::string path;  // dotted path for messages, e.g. "topology.network.bandwidth"
};

std::string child_path(const std::string& parent, std::string_view key) {
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

class Parser {
 public:
  Parser(std::string file, PlatformFileReader reader)
      : file_(std::move(file)), reader_(std::move(reader)) {}

  ParseResult parse(const std::string& text) {
    ParseResult result;
    try {
      parse_document(text);
    } catch (const YAML::ParserException& e) {
      error(pos(e.mark), "YAML syntax error: " + e.msg);
    } catch (const YAML::Exception& e) {
      error(pos(e.mark), "cannot read the YAML: " + e.msg);
    } catch (const std::exception& e) {
      error(SourcePos{file_, 0, 0}, std::string("internal error while parsing: ") + e.what());
    }
    if (errors_.empty()) {
      result.scenario = std::move(scenario_);
    } else {
      std::stable_sort(
          errors_.begin(), errors_.end(), [](const ScenarioError& a, const ScenarioError& b) {
            return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
          });
      result.errors = std::move(errors_);
    }
    return result;
  }

 private:
  // ----- positions and errors -----

  SourcePos pos(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.line < 0) return SourcePos{file_, 0, 0};
    return SourcePos{file_, mark.line + 1, mark.column + 1};
  }

  // Where a value is: the value itself, or its key when the value is empty (yaml-cpp places an
  // empty value at the start of the next token, which may be lines later).
  SourcePos at(const Field& field) const {
    const bool value_placed =
        field.value.IsDefined() && !field.value.IsNull() && !field.value.Mark().is_null();
    if (value_placed) return pos(field.value.Mark());
    if (!field.key_mark.is_null()) return pos(field.key_mark);
    if (!field.value.Mark().is_null()) return pos(field.value.Mark());
    return SourcePos{file_, 1, 1};
  }

  // Where the key of a field is (the value's position when it has no key).
  SourcePos at_key(const Field& field) const {
    if (!field.key_mark.is_null()) return pos(field.key_mark);
    return at(field);
  }

  void error(SourcePos where, std::string message) {
    errors_.push_back(ScenarioError{std::move(where), std::move(message)});
  }

  static std::string label(const Field& field) {
    return field.path.empty() ? std::string("the scenario") : field.path;
  }

  static std::string where_in(const Field& field) {
    return field.path.empty() ? std::string("at the top level") : "in " + field.path;
  }

  // What a node is, for "got ..." in messages.
  static std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return "nothing (null)";
      case YAML::NodeType::Scalar:
        if (node.Tag() == "!") return quote(node.Scalar()) + " (quoted, so a string)";
        return quote(node.Scalar());
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Map:
        return "a mapping";
    }
    return "something else";
  }

  void type_error(const Field& field, std::string_view expected) {
    error(at(field),
          label(field) + ": expected " + std::string(expected) + ", got " + describe(field.value));
  }

  // ----- structure -----

  // The entries of a mapping, in file order, with scalar keys and no duplicates (reported).
  std::optional<std::vector<Field>> read_entries(const Field& field) {
    if (!field.value.IsMap()) {
      type_error(field, "a mapping");
      return std::nullopt;
    }
    std::vector<Field> entries;
    std::map<std::string, int> first_line;
    for (const auto& entry : field.value) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        error(pos(key.Mark()),
              "keys " + where_in(field) + " must be plain names, got " + describe(key));
        continue;
      }
      const std::string name = key.Scalar();
      const SourcePos key_pos = pos(key.Mark());
      const auto [seen, inserted] = first_line.emplace(name, key_pos.line);
      if (!inserted) {
        error(key_pos, "duplicate key " + quote(name) + " " + where_in(field) +
                           " (first given on line " + std::to_string(seen->second) + ")");
        continue;
      }
      entries.push_back(Field{name, key.Mark(), entry.second, child_path(field.path, name)});
    }
    return entries;
  }

  // A mapping whose keys must come from `keys`; reports the others with a suggestion.
  std::optional<Section> read_section(const Field& field, const KeyList& keys) {
    auto entries = read_entries(field);
    if (!entries) return std::nullopt;
    Section section{field, {}};
    const std::vector<std::string> names(keys.begin(), keys.end());
    for (Field& entry : *entries) {
      if (std::find(keys.begin(), keys.end(), entry.key) != keys.end()) {
        section.fields.push_back(std::move(entry));
        continue;
      }
      std::string message = "unknown key " + quote(entry.key) + " " + where_in(field);
      if (auto suggestion = closest(entry.key, names)) {
        message += " (did you mean " + quote(*suggestion) + "?)";
      } else {
        message += "; valid keys: " + join(keys);
      }
      error(pos(entry.key_mark), std::move(message));
    }
    return section;
  }

  void require(const Section& section, const KeyList& keys) {
    for (std::string_view key : keys) {
      if (section.find(key) == nullptr) {
        const std::string what =
            section.self.path.empty() ? std::string("the scenario") : section.self.path;
        error(at_key(section.self), "missing required key " + quote(key) + " in " + what);
      }
    }
  }

  // ----- scalars -----

  std::optional<std::string> read_string(const Field& field) {
    if (!field.value.IsScalar()) {
      type_error(field, "a string");
      return std::nullopt;
    }
    return field.value.Scalar();
  }

  // A plain (unquoted) scalar, or one explicitly tagged `tag`; nullopt otherwise.
  static std::optional<std::string> plain_scalar(const YAML::Node& node, std::string_view tag) {
    if (!node.IsScalar()) return std::nullopt;
    if (node.Tag() != "?" && node.Tag() != tag) return std::nullopt;
    return node.Scalar();
  }

  std::optional<std::int64_t> read_integer(const Field& field, std::int64_t min, std::int64_t max) {
    const auto text = plain_scalar(field.value, "tag:yaml.org,2002:int");
    bool overflow = false;
    const auto value = text ? parse_integer_text(*text, &overflow) : std::nullopt;
    if (!value && !overflow) {
      type_error(field, "an integer");
      return std::nullopt;
    }
    if (overflow) {
      error(at(field), label(field) + ": " + *text + " is too large");
      return std::nullopt;
    }
    if (*value < min || *value > max) {
      const std::string range =
          max >= INT_MAX ? "at least " + std::to_string(min)
                         : "between " + std::to_string(min) + " and " + std::to_string(max);
      error(at(field), label(field) + ": must be " + range + ", got " + *text);
      return std::nullopt;
    }
    return value;
  }

  std::optional<int> read_int(const Field& field, int min, int max = INT_MAX) {
    const auto value = read_integer(field, min, max);
    if (!value) return std::nullopt;
    return static_cast<int>(*value);
  }

  std::optional<std::uint64_t> read_uint64(const Field& field) {
    const auto text = plain_scalar(field.value, "tag:yaml.org,2002:int");
    const bool digits_only =
        text && !text->empty() &&
        std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits_only) {
      type_error(field, "a non-negative integer");
      return std::nullopt;
    }
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || ptr != text->data() + text->size()) {
      error(at(field), label(field) + ": must be at most " +
                           std::to_string(std::numeric_limits<std::uint64_t>::max()) + ", got " +
                           *text);
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> read_bool(const Field& field) {
    const auto text = plain_scalar(field.value, "tag:yaml.org,2002:bool");
    if (text) {
      if (*text == "true" || *text == "True" || *text == "TRUE") return true;
      if (*text == "false" || *text == "False" || *text == "FALSE") return false;
    }
    type_error(field, "a boolean (true or false)");
    return std::nullopt;
  }

  // A quantity with a unit. `positive`: must be > 0; otherwise >= 0.
  std::optional<double> read_quantity(const Field& field, Quantity (*parse_text)(std::string_view),
                                      std::string_view noun, bool positive) {
    if (!field.value.IsScalar()) {
      type_error(field, std::string(noun) + " with a unit");
      return std::nullopt;
    }
    const Quantity quantity = parse_text(field.value.Scalar());
    if (!quantity) {
      error(at(field), label(field) + ": " + quantity.error);
      return std::nullopt;
    }
    return check_sign(field, *quantity.value, positive);
  }

  std::optional<double> check_sign(const Field& field, double value, bool positive) {
    if (positive && !(value > 0)) {
      error(at(field), label(field) + ": must be greater than 0, got " + field.value.Scalar());
      return std::nullopt;
    }
    if (!positive && value < 0) {
      error(at(field), label(field) + ": must not be negative, got " + field.value.Scalar());
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> read_bandwidth(const Field& field) {
    return read_quantity(field, &parse_bandwidth, "a bandwidth", /*positive=*/true);
  }

  std::optional<double> read_time(const Field& field) {
    return read_quantity(field, &parse_time, "a time", /*positive=*/false);
  }

  // GFLOP/s per core as a bare number, or a speed with a flops unit; returns flop/s.
  // A plain number (no unit).
  std::optional<double> read_number(const Field& field) {
    double value = 0;
    if (field.value.IsScalar() && parse_plain_number(field.value.Scalar(), &value)) return value;
    type_error(field, "a number");
    return std::nullopt;
  }

  std::optional<double> read_core_flops(const Field& field) {
    if (field.value.IsScalar()) {
      double gflops = 0;
      if (parse_plain_number(field.value.Scalar(), &gflops)) {
        return check_sign(field, gflops * 1e9, /*positive=*/true);
      }
      const Quantity quantity = parse_flops(field.value.Scalar());
      if (quantity) return check_sign(field, *quantity.value, /*positive=*/true);
    }
    type_error(field,
               "GFLOP/s per core as a number (e.g. 100) or a speed with a unit (e.g. 100Gf)");
    return std::nullopt;
  }

  std::optional<Arch> read_arch(const Field& field) {
    const auto text = read_string(field);
    if (!text) return std::nullopt;
    if (auto arch = comm::parse_arch(*text)) return arch;
    error(at(field),
          label(field) + ": unknown arch " + quote(*text) + "; valid: " + join(arch_names()));
    return std::nullopt;
  }

  const NodePreset* read_preset(const Field& field) {
    const auto text = read_string(field);
    if (!text) return nullptr;
    if (const NodePreset* preset = find_node_preset(*text)) return preset;
    std::vector<std::string> names;
    for (const NodePreset& preset : node_presets()) names.emplace_back(preset.name);
    error(at(field),
          label(field) + ": unknown node preset " + quote(*text) + "; valid: " + join(names));
    return nullptr;
  }

  std::optional<DType> read_dtype(const Field& field) {
    const auto text = read_string(field);
    if (!text) return std::nullopt;
    if (auto dtype = comm::parse_dtype(*text)) return dtype;
    error(at(field),
          label(field) + ": unknown dtype " + quote(*text) + "; valid: " + join(dtype_names()));
    return std::nullopt;
  }

  std::optional<Outcome> read_outcome(const Field& field) {
    const auto text = read_string(field);
    if (!text) return std::nullopt;
    if (const auto outcome = parse_outcome(*text)) return outcome;
    error(at(field),
          label(field) + ": unknown outcome " + quote(*text) + "; valid: " + join(outcome_names()));
    return std::nullopt;
  }

  // A name from `allowed` (first entry) for a kind of thing (`noun`).
  std::optional<std::string> read_choice(const Field& field,
                                         const std::vector<std::string>& allowed,
                                         std::string_view noun) {
    const auto text = read_string(field);
    if (!text) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *text) != allowed.end()) return text;
    error(at(field), label(field) + ": unknown " + std::string(noun) + " " + quote(*text) +
                         "; valid: " + join(allowed));
    return std::nullopt;
  }

  // A YAML scalar typed as the YAML 1.2 core schema types it.
  std::optional<comm::PlainValue> read_plain_value(const Field& field) {
    const YAML::Node& node = field.value;
    if (node.IsNull()) return comm::PlainValue{comm::None{}};
    if (!node.IsScalar()) {
      type_error(field, "a scalar (null, boolean, integer, float or string)");
      return std::nullopt;
    }
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return comm::PlainValue{text};
    if (text == "true" || text == "True" || text == "TRUE") return comm::PlainValue{true};
    if (text == "false" || text == "False" || text == "FALSE") return comm::PlainValue{false};
    bool overflow = false;
    if (auto integer = parse_integer_text(text, &overflow)) return comm::PlainValue{*integer};
    if (overflow) {
      error(at(field), label(field) + ": integer " + text + " does not fit in 64 bits");
      return std::nullopt;
    }
    if (auto based = parse_yaml_based_integer(text)) return comm::PlainValue{*based};
    if (auto real = parse_yaml_float(text)) return comm::PlainValue{*real};
    return comm::PlainValue{text};
  }

  // A mapping of names to scalar strings (numbers keep their text), merged into `environment`.
  void read_env(const Field& field, std::map<std::string, std::string>& environment) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      if (!entry.value.IsScalar()) {
        type_error(entry, "a string");
        continue;
      }
      environment[entry.key] = entry.value.Scalar();
    }
  }

  // ----- sections -----

  void parse_document(const std::string& text) {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    scenario_.path = file_;
    if (documents.empty() || documents[0].IsNull()) {
      error(SourcePos{file_, 1, 1},
            "the scenario file is empty; expected a mapping with keys " + join(kTopRequired));
      return;
    }
    if (documents.size() > 1) {
      error(pos(documents[1].Mark()),
            "a scenario file holds one YAML document, found " + std::to_string(documents.size()));
    }
    const Field root{"", YAML::Mark::null_mark(), documents[0], ""};
    const auto top = read_section(root, kTopKeys);
    if (!top) return;
    require(*top, kTopRequired);

    if (const Field* field = top->find("name")) {
      if (auto name = read_string(*field)) {
        if (name->empty()) {
          error(at(*field), "name: must not be empty");
        }
        scenario_.name = *name;
      }
    }
    if (const Field* field = top->find("description")) {
      if (auto description = read_string(*field)) scenario_.description = *description;
    }
    if (const Field* field = top->find("policy")) {
      if (auto policy = read_string(*field)) {
        if (comm::find_policy(*policy)) {
          scenario_.policy = *policy;
        } else {
          error(at(*field), "policy: unknown policy " + quote(*policy) +
                                "; valid: " + join(comm::policy_names()));
        }
      }
    }
    if (const Field* field = top->find("topology")) parse_topology(*field);
    if (const Field* field = top->find("nodes")) parse_node_overrides(*field);
    if (const Field* field = top->find("parallel")) parse_parallel(*field);
    if (const Field* field = top->find("placement")) parse_placement(*field);
    check_placement();
    if (const Field* field = top->find("ranks")) parse_rank_overrides(*field);
    if (const Field* field = top->find("policy_switches")) parse_policy_switches(*field);
    if (const Field* field = top->find("faults")) parse_faults(*field);
    if (const Field* field = top->find("workload")) parse_workload(*field);
    if (const Field* field = top->find("expect")) parse_expect(*field);
  }

  void parse_topology(const Field& field) {
    const auto section = read_section(field, kTopologyKeys);
    if (!section) return;
    Topology& topology = scenario_.topology;
    if (const Field* kind = section->find("kind")) {
      if (auto text = read_choice(*kind, kTopologyKinds, "topology kind")) {
        topology.kind = *text;
      } else {
        nodes_valid_ = false;
      }
    }
    // Each generated kind has its own shape section, and no other kind takes one.
    for (const char* shape : {"fat_tree", "torus", "dragonfly", "xml"}) {
      const Field* f = section->find(shape);
      if (f && topology.kind != shape) {
        error(at_key(*f), f->path + ": only for topology kind '" + shape + "' (kind is '" +
                              topology.kind + "')");
      } else if (!f && topology.kind == shape) {
        error(at_key(field),
              "topology: kind '" + std::string(shape) + "' needs a '" + shape + "' section");
        nodes_valid_ = false;
      }
    }
    std::optional<int> shape_nodes;  // what the kind's shape makes the node count
    if (topology.kind == "single_node") shape_nodes = 1;
    if (const Field* f = section->find("fat_tree"); f && topology.kind == "fat_tree") {
      shape_nodes = parse_fat_tree(*f, topology.fat_tree);
    }
    if (const Field* f = section->find("torus"); f && topology.kind == "torus") {
      shape_nodes = parse_torus(*f, topology.torus);
    }
    if (const Field* f = section->find("dragonfly"); f && topology.kind == "dragonfly") {
      shape_nodes = parse_dragonfly(*f, topology.dragonfly);
    }
    if (const Field* f = section->find("xml"); f && topology.kind == "xml") {
      shape_nodes = parse_xml_platform(*f, topology);
    }
    const bool shaped = topology.kind != "cluster";
    if (shaped && !shape_nodes) nodes_valid_ = false;
    if (shape_nodes) topology.nodes = *shape_nodes;
    if (const Field* nodes = section->find("nodes")) {
      if (auto count = read_int(*nodes, 1, kMaxRanks)) {
        if (!shaped) {
          topology.nodes = *count;
        } else if (shape_nodes && *count != *shape_nodes) {
          error(at(*nodes), "topology.nodes: " + std::to_string(*count) + " but the " +
                                topology.kind + " has " + std::to_string(*shape_nodes) +
                                " nodes; leave 'nodes' out, the shape gives it");
        }
      } else {
        nodes_valid_ = false;
      }
    }
    if (shape_nodes && *shape_nodes > kMaxRanks) {
      error(at_key(field), "topology: " + std::to_string(*shape_nodes) +
                               " nodes is more than the supported " + std::to_string(kMaxRanks));
      nodes_valid_ = false;
    }
    if (const Field* node = section->find("node")) {
      parse_node(*node, topology.node);
      if (topology.kind == "xml") refuse_host_hardware(*node, "topology.node");
    }
    if (const Field* network = section->find("network")) {
      if (const auto net = read_section(*network, kNetworkKeys)) {
        if (const Field* bandwidth = net->find("bandwidth")) {
          if (auto value = read_bandwidth(*bandwidth)) topology.network.bandwidth = *value;
        }
        if (const Field* latency = net->find("latency")) {
          if (auto value = read_time(*latency)) topology.network.latency = *value;
        }
        if (const Field* f = net->find("loopback_bandwidth")) {
          if (auto value = read_bandwidth(*f)) topology.network.loopback_bandwidth = *value;
        }
        if (const Field* f = net->find("loopback_latency")) {
          if (auto value = read_time(*f)) topology.network.loopback_latency = *value;
        }
        if (const Field* f = net->find("model")) {
          if (auto model = read_choice(*f, {"LV08", "CM02", "SMPI"}, "network model")) {
            topology.network.model = *model;
          }
        }
        if (const Field* f = net->find("crosstraffic")) {
          if (auto value = read_bool(*f)) topology.network.crosstraffic = *value;
        }
        if (const Field* f = net->find("nic_limit")) {
          if (auto value = read_bandwidth(*f)) topology.network.nic_limit = *value;
        }
        if (topology.kind == "xml") {
          // The file's links carry their own bandwidths and latencies.
          for (const char* key :
               {"bandwidth", "latency", "loopback_bandwidth", "loopback_latency", "nic_limit"}) {
            if (const Field* f = net->find(key)) {
              error(at_key(*f), f->path +
                                    ": an xml platform's links are the file's own; only "
                                    "'model' and 'crosstraffic' apply");
            }
          }
        }
      }
    }
  }

  // A list of whole numbers from `min`, or nullopt (reported).
  std::optional<std::vector<int>> read_int_list(const Field& field, int min) {
    if (!field.value.IsSequence()) {
      type_error(field, "a list of whole numbers");
      return std::nullopt;
    }
    if (field.value.size() == 0) {
      error(at(field), label(field) + ": expected a list of whole numbers, got an empty list");
      return std::nullopt;
    }
    std::vector<int> values;
    bool ok = true;
    for (std::size_t i = 0; i < field.value.size(); ++i) {
      const Field item{"", YAML::Mark::null_mark(), field.value[i],
                       field.path + "[" + std::to_string(i) + "]"};
      if (auto value = read_int(item, min, kMaxRanks)) {
        values.push_back(*value);
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return values;
  }

  // The product of `factors`, or nullopt when it passes kMaxRanks.
  static std::optional<int> product(const std::vector<int>& factors) {
    std::int64_t total = 1;
    for (int factor : factors) {
      total *= factor;
      if (total > kMaxRanks) return std::nullopt;
    }
    return static_cast<int>(total);
  }

  std::optional<int> too_many_nodes(const Field& field) {
    error(at_key(field), field.path + ": more than " + std::to_string(kMaxRanks) + " nodes");
    return std::nullopt;
  }

  // SimGrid's FatTreeParams: `levels`, then per level `down`, `up` and `links`.
  std::optional<int> parse_fat_tree(const Field& field, FatTreeShape& shape) {
    const auto section = read_section(field, kFatTreeKeys);
    if (!section) return std::nullopt;
    require(*section, kFatTreeKeys);
    const Field* levels = section->find("levels");
    if (levels == nullptr) return std::nullopt;
    const auto count = read_int(*levels, 1, 16);
    bool ok = count.has_value();
    for (const auto& [key, list] : {std::pair{"down", &shape.down}, std::pair{"up", &shape.up},
                                    std::pair{"links", &shape.links}}) {
      const Field* f = section->find(key);
      if (f == nullptr) {
        ok = false;
        continue;
      }
      auto values = read_int_list(*f, 1);
      if (!values) {
        ok = false;
      } else if (count && values->size() != static_cast<std::size_t>(*count)) {
        error(at(*f), f->path + ": " + std::to_string(values->size()) + " entries for " +
                          std::to_string(*count) + " levels; one per level");
        ok = false;
      } else {
        *list = std::move(*values);
      }
    }
    if (!ok) return std::nullopt;
    shape.levels = *count;
    const auto nodes = product(shape.down);
    if (!nodes) return too_many_nodes(field);
    // SimGrid builds, at level i + 1, up[0] x .. x up[i] x down[i+1] x .. x down[top] switches,
    // each with up[i] x links[i] links to the level above.
    constexpr std::int64_t kMaxElements = std::int64_t{1} << 20;
    std::int64_t elements = *nodes;
    std::int64_t links = 0;
    std::int64_t below = *nodes;
    for (int level = 0; level < shape.levels && elements <= kMaxElements; ++level) {
      links += below * shape.up[level] * shape.links[level];
      below = below / shape.down[level] * shape.up[level];
      elements += below;
    }
    if (elements > kMaxElements || links > 4 * kMaxElements) {
      error(at_key(field), field.path + ": more than " + std::to_string(kMaxElements) +
                               " switches and nodes, or " + std::to_string(4 * kMaxElements) +
                               " links; make 'up' or 'links' smaller");
      return std::nullopt;
    }
    return nodes;
  }

  std::optional<int> parse_torus(const Field& field, TorusShape& shape) {
    const auto section = read_section(field, kTorusKeys);
    if (!section) return std::nullopt;
    require(*section, kTorusKeys);
    const Field* f = section->find("dimensions");
    if (f == nullptr) return std::nullopt;
    auto dimensions = read_int_list(*f, 1);
    if (!dimensions) return std::nullopt;
    if (dimensions->size() > 1 &&
        std::find(dimensions->begin(), dimensions->end(), 1) != dimensions->end()) {
      // SimGrid links each node to its next one in every dimension: in a ring of 1 that is
      // itself, and two such links clash.
      error(at(*f), f->path +
                        ": a dimension of 1 adds nothing to a torus of several dimensions "
                        "(and SimGrid cannot build it); leave it out");
      return std::nullopt;
    }
    shape.dimensions = std::move(*dimensions);
    const auto nodes = product(shape.dimensions);
    return nodes ? nodes : too_many_nodes(field);
  }

  // SimGrid's DragonflyParams: (count, links) for groups, chassis and routers, then nodes.
  std::optional<int> parse_dragonfly(const Field& field, DragonflyShape& shape) {
    const auto section = read_section(field, kDragonflyKeys);
    if (!section) return std::nullopt;
    require(*section, kDragonflyKeys);
    bool ok = true;
    for (const auto& [key, pair] :
         {std::pair{"groups", &shape.groups}, std::pair{"chassis", &shape.chassis},
          std::pair{"routers", &shape.routers}}) {
      const Field* f = section->find(key);
      if (f == nullptr) {
        ok = false;
        continue;
      }
      const auto values = read_int_list(*f, 1);
      if (values && values->size() == 2) {
        *pair = {(*values)[0], (*values)[1]};
      } else {
        if (values) {
          error(at(*f), f->path + ": expected [count, links], got " +
                            std::to_string(values->size()) + " entries");
        }
        ok = false;
      }
    }
    const Field* nodes = section->find("nodes");
    const auto per_router = nodes ? read_int(*nodes, 1, kMaxRanks) : std::nullopt;
    if (!ok || !per_router) return std::nullopt;
    if (shape.groups.first > shape.routers.first) {
      // SimGrid links group g to router g of every group's first chassis (and its routing indexes
      // a chassis' routers by group): more groups than routers has no route between some groups.
      error(at(*section->find("groups")),
            field.path + ".groups: " + std::to_string(shape.groups.first) + " groups but " +
                std::to_string(shape.routers.first) +
                " routers per chassis; SimGrid's dragonfly joins group g through router g, so "
                "there can be at most as many groups as routers per chassis");
      return std::nullopt;
    }
    shape.nodes = *per_router;
    const auto total =
        product({shape.groups.first, shape.chassis.first, shape.routers.first, shape.nodes});
    return total ? total : too_many_nodes(field);
  }

  // kind: xml. SimGrid reads the file (through reader_); each node's host properties become its
  // platform facts.
  std::optional<int> parse_xml_platform(const Field& field, Topology& topology) {
    const auto section = read_section(field, kXmlKeys);
    if (!section) return std::nullopt;
    require(*section, {"file"});
    if (const Field* f = section->find("nodes")) {
      if (auto unit = read_choice(*f, {"hosts", "zones"}, "node unit")) {
        topology.xml.node_unit = *unit;
      }
    }
    const Field* file = section->find("file");
    if (file == nullptr) return std::nullopt;
    const auto name = read_string(*file);
    if (!name) return std::nullopt;
    const std::filesystem::path written(*name);
    const std::filesystem::path beside = std::filesystem::path(file_).parent_path();
    topology.xml.file = (written.is_absolute() || beside.empty() ? written : beside / written)
                            .lexically_normal()
                            .string();
    if (!reader_) {
      error(at(*file), file->path +
                           ": reading SimGrid platform files needs the simulator; "
                           "parse the scenario through commsim");
      return std::nullopt;
    }
    PlatformFileNodes found = reader_(topology.xml.file, topology.xml.node_unit);
    if (!found.error.empty()) {
      error(at(*file), file->path + ": " + found.error);
      return std::nullopt;
    }
    if (found.nodes.empty()) {
      error(at(*file), file->path + ": " + topology.xml.file + " has no " +
                           (topology.xml.node_unit == "hosts" ? "hosts" : "zones holding hosts"));
      return std::nullopt;
    }
    for (const PlatformNode& node : found.nodes) {
      PlatformFacts facts = platform_facts(node);
      if (!facts.facts) {
        error(at(*file), file->path + ": " + topology.xml.file + ": " + facts.error);
        return std::nullopt;
      }
      topology.platform_facts.push_back(std::move(*facts.facts));
    }
    topology.xml.nodes = std::move(found.nodes);
    return static_cast<int>(topology.xml.nodes.size());
  }

  void parse_node(const Field& field, NodeSpec& node) {
    const auto section = read_section(field, kNodeKeys);
    if (!section) return;
    // The preset first: the keys beside it override it.
    if (const Field* f = section->find("preset")) {
      if (const NodePreset* preset = read_preset(*f)) {
        node.preset = std::string(preset->name);
        node.arch = preset->arch;
        node.hardware = preset->hardware;
      }
    }
    if (const Field* f = section->find("arch")) {
      if (auto arch = read_arch(*f)) node.arch = *arch;
    }
    if (const Field* f = section->find("cores")) {
      if (auto cores = read_int(*f, 1)) node.hardware.cores = *cores;
    }
    if (const Field* f = section->find("core_gflops")) {
      if (auto flops = read_core_flops(*f)) node.hardware.core_flops = *flops;
    }
    if (const Field* f = section->find("memory_bandwidth")) {
      if (auto bandwidth = read_bandwidth(*f)) node.hardware.memory_bandwidth = *bandwidth;
    }
    if (const Field* f = section->find("memory_latency")) {
      if (auto latency = read_time(*f)) node.hardware.memory_latency = *latency;
    }
    if (const Field* f = section->find("init_shm_manager")) {
      if (auto present = read_bool(*f)) node.has_init_shm_manager = *present;
    }
    if (const Field* f = section->find("threads")) {
      if (auto threads = read_int(*f, 1)) node.num_threads = *threads;
    }
    if (const Field* f = section->find("env")) read_env(*f, node.environment);
    if (const Field* f = section->find("stale_shm")) {
      if (auto names = read_string_list(*f)) node.stale_shm_segments = std::move(*names);
    }
  }

  // A list of strings, e.g. segment names.
  std::optional<std::vector<std::string>> read_string_list(const Field& field) {
    if (!field.value.IsSequence()) {
      type_error(field, "a list of names");
      return std::nullopt;
    }
    std::vector<std::string> names;
    bool ok = true;
    for (std::size_t i = 0; i < field.value.size(); ++i) {
      const Field item{"", YAML::Mark::null_mark(), field.value[i],
                       field.path + "[" + std::to_string(i) + "]"};
      if (auto name = read_string(item)) {
        names.push_back(*name);
      } else {
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return names;
  }

  void parse_node_overrides(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    const int nodes = scenario_.topology.nodes;
    const std::string valid_range =
        nodes == 1 ? std::string("node0") : "node0 .. node" + std::to_string(nodes - 1);
    for (const Field& entry : *entries) {
      std::optional<std::int64_t> index;
      if (entry.key.size() > 4 && entry.key.compare(0, 4, "node") == 0 &&
          (entry.key.size() == 5 || entry.key[4] != '0') &&
          std::all_of(entry.key.begin() + 4, entry.key.end(),
                      [](char c) { return c >= '0' && c <= '9'; })) {
        index = parse_integer_text(std::string_view(entry.key).substr(4));
      }
      if (!index) {
        error(pos(entry.key_mark),
              "nodes: " + quote(entry.key) + " is not a node name; expected nodeN, e.g. node0");
        continue;
      }
      if (nodes_valid_ && *index >= nodes) {
        error(pos(entry.key_mark), "nodes: " + quote(entry.key) + " does not exist; topology has " +
                                       std::to_string(nodes) + " node" + (nodes == 1 ? "" : "s") +
                                       " (" + valid_range + ")");
        continue;
      }
      if (*index > INT_MAX) continue;  // only reachable when topology.nodes is invalid
      parse_node_override(entry, scenario_.node_overrides[static_cast<int>(*index)]);
    }
  }

  // A platform file's hosts have their own cores and speed: `where` may not give them.
  void refuse_host_hardware(const Field& field, const std::string& where) {
    if (!field.value.IsMap()) return;
    for (const auto& entry : field.value) {
      const std::string key = entry.first.Scalar();
      if (key == "cores" || key == "core_gflops") {
        error(pos(entry.first.Mark()), where + "." + key +
                                           ": an xml platform's hosts give their own cores and "
                                           "speed; change the file instead");
      }
    }
  }

  void parse_node_override(const Field& field, NodeOverride& node) {
    node.pos = at(field);
    const auto section = read_section(field, kNodeOverrideKeys);
    if (!section) return;
    if (scenario_.topology.kind == "xml") refuse_host_hardware(field, field.path);
    if (const Field* f = section->find("preset")) {
      if (const NodePreset* preset = read_preset(*f)) node.preset = std::string(preset->name);
    }
    if (const Field* f = section->find("memory_latency")) node.memory_latency = read_time(*f);
    if (const Field* f = section->find("nic_limit")) {
      node.nic_limit = read_bandwidth(*f);
      if (scenario_.topology.kind == "xml") {
        error(at_key(*f), f->path + ": an xml platform's links are the file's own");
      }
    }
    if (const Field* f = section->find("arch")) node.arch = read_arch(*f);
    if (const Field* f = section->find("init_shm_manager")) {
      node.has_init_shm_manager = read_bool(*f);
    }
    if (const Field* f = section->find("threads")) node.num_threads = read_int(*f, 1);
    if (const Field* f = section->find("cores")) node.cores = read_int(*f, 1);
    if (const Field* f = section->find("core_gflops")) node.core_flops = read_core_flops(*f);
    if (const Field* f = section->find("memory_bandwidth")) {
      node.memory_bandwidth = read_bandwidth(*f);
    }
    if (const Field* f = section->find("env")) read_env(*f, node.environment);
    if (const Field* f = section->find("stale_shm")) node.stale_shm_segments = read_string_list(*f);
  }

  void parse_parallel(const Field& field) {
    const auto section = read_section(field, kParallelKeys);
    if (!section) {
      parallel_valid_ = false;
      return;
    }
    Parallel& parallel = scenario_.parallel;
    const std::pair<const char*, int*> sizes[] = {
        {"tensor", &parallel.tensor}, {"pipeline", &parallel.pipeline}, {"data", &parallel.data}};
    for (const auto& [key, target] : sizes) {
      if (const Field* f = section->find(key)) {
        if (auto size = read_int(*f, 1, kMaxRanks)) {
          *target = *size;
        } else {
          parallel_valid_ = false;
        }
      }
    }
    if (!parallel_valid_) return;
    const std::int64_t world = std::int64_t{parallel.tensor} * parallel.pipeline * parallel.data;
    const std::string product = "tensor " + std::to_string(parallel.tensor) + " x pipeline " +
                                std::to_string(parallel.pipeline) + " x data " +
                                std::to_string(parallel.data);
    if (world > kMaxRanks) {
      error(at_key(field), "parallel: world size " + std::to_string(world) + " (" + product +
                               ") is larger than the supported " + std::to_string(kMaxRanks));
      parallel_valid_ = false;
      return;
    }
    parallel_pos_ = at_key(field);
    parallel_product_ = product;
  }

  void parse_placement(const Field& field) {
    const auto section = read_section(field, kPlacementKeys);
    if (!section) return;
    Placement& placement = scenario_.placement;
    if (const Field* f = section->find("kind")) {
      if (auto kind = read_choice(*f, {"packed", "round_robin", "explicit"}, "placement")) {
        placement.kind = *kind;
      }
    }
    if (const Field* f = section->find("oversubscribe")) {
      if (auto allowed = read_bool(*f)) placement.oversubscribe = *allowed;
      oversubscribe_pos_ = at(*f);
    }
    const Field* map = section->find("map");
    if (map && placement.kind != "explicit") {
      error(at(*map), map->path + ": only for placement kind 'explicit'");
    } else if (!map && placement.kind == "explicit") {
      error(at_key(field), "placement: kind 'explicit' needs a map (the node of each rank)");
      placement_valid_ = false;
    } else if (map) {
      if (!map->value.IsSequence()) {
        type_error(*map, "a list with the node of each rank");
        placement_valid_ = false;
        return;
      }
      for (std::size_t i = 0; i < map->value.size(); ++i) {
        const Field item{"", YAML::Mark::null_mark(), map->value[i],
                         map->path + "[" + std::to_string(i) + "]"};
        if (auto node = read_int(item, 0, scenario_.topology.nodes - 1)) {
          placement.map.push_back(*node);
        } else {
          placement_valid_ = false;
        }
      }
      map_pos_ = at(*map);
    }
  }

  // Whether the placement fits the world and the nodes (after topology, parallel and placement).
  void check_placement() {
    // Without a valid `parallel` (a missing one is its own error) there is no world to place.
    if (!nodes_valid_ || !parallel_valid_ || !placement_valid_ || parallel_pos_.line == 0) return;
    const Placement& placement = scenario_.placement;
    const int nodes = scenario_.topology.nodes;
    const int world = scenario_.parallel.world();
    if (placement.kind == "packed" && (world < nodes || world % nodes != 0)) {
      error(parallel_pos_, "parallel: world size " + std::to_string(world) + " (" +
                               parallel_product_ + ") must be a multiple of topology.nodes (" +
                               std::to_string(nodes) +
                               "): ranks are placed packed, world / nodes per node");
      return;
    }
    if (placement.kind == "explicit" && placement.map.size() != static_cast<std::size_t>(world)) {
      error(map_pos_, "placement.map: " + std::to_string(placement.map.size()) +
                          " entries for a world of " + std::to_string(world) + " ranks");
      return;
    }
    if (placement.oversubscribe) return;
    const std::vector<int> counts = scenario_.ranks_per_node();
    for (int node = 0; node < nodes; ++node) {
      const int ranks = counts[static_cast<std::size_t>(node)];
      const int cores = scenario_.node(node).hardware.cores;
      if (ranks > cores) {
        error(oversubscribe_pos_, "placement.oversubscribe: node " + std::to_string(node) +
                                      " gets " + std::to_string(ranks) + " ranks but has " +
                                      std::to_string(cores) + " cores");
        return;
      }
    }
  }

  void parse_workload(const Field& field) {
    const auto section = read_section(field, kWorkloadKeys);
    if (!section) return;
    Workload& workload = scenario_.workload;
    if (const Field* kind = section->find("kind")) {
      if (auto text = read_string(*kind)) {
        if (*text == "pp_handoff" || *text == "tp_allreduce" || *text == "collective") {
          workload.kind = *text;
        } else {
          error(at(*kind), kind->path + ": unknown workload kind " + quote(*text) +
                               "; valid: pp_handoff, tp_allreduce, collective");
        }
      }
    }
    if (const Field* f = section->find("steps")) {
      if (auto steps = read_int(*f, 0)) workload.steps = *steps;
    }
    if (const Field* f = section->find("seed")) {
      if (auto seed = read_uint64(*f)) workload.seed = *seed;
    }
    if (const Field* f = section->find("tensors")) parse_tensors(*f);
    if (const Field* f = section->find("extras")) parse_extras(*f);
    if (const Field* f = section->find("probe_fastpath")) {
      if (auto probe = read_bool(*f)) workload.probe_fastpath = *probe;
    }
    if (const Field* f = section->find("values")) {
      if (auto values = read_choice(*f, {"integers", "uniform"}, "value kind")) {
        workload.values = *values;
      }
    }
    for (const std::string_view key : kCollectiveKeys) {
      const Field* f = section->find(key);
      if (f && workload.kind != "collective") {
        error(at(*f), f->path + ": only for workload kind 'collective'");
      }
    }
    if (workload.kind == "collective") parse_collective_workload(*section);
  }

  void parse_collective_workload(const Section& section) {
    CollectiveSpec& spec = scenario_.workload.collective;
    if (const Field* f = section.find("collective")) {
      if (auto name = read_choice(*f, collective_names(), "collective")) {
        spec.collective = *scenario::parse_collective(*name);
      }
    }
    if (const Field* f = section.find("algorithm")) {
      if (auto name = read_choice(*f, {"auto", "ring", "recursive_doubling"}, "algorithm")) {
        spec.algorithm = *name;
        if (spec.collective != Collective::kAllReduce) {
          error(at(*f), f->path + ": only all_reduce has a choice of algorithm");
        }
      }
    }
    if (const Field* f = section.find("op")) {
      if (auto name = read_choice(*f, {"sum", "max", "min"}, "reduce op")) {
        spec.op = *parse_reduce_op(*name);
      }
    }
    if (const Field* f = section.find("dtype")) {
      if (auto dtype = read_dtype(*f)) {
        if (*dtype == comm::DType::kU8) {
          error(at(*f), f->path + ": collectives take f32, bf16, f16, i32 or i64");
        } else {
          spec.dtype = *dtype;
        }
      }
    }
    if (const Field* f = section.find("count")) {
      if (auto count = read_integer(*f, 0, std::int64_t{1} << 40)) spec.count = *count;
    }
    if (const Field* f = section.find("root")) {
      if (auto root = read_int(*f, 0, kMaxRanks - 1)) spec.root = *root;
    }
    if (const Field* f = section.find("phantom")) {
      if (auto phantom = read_bool(*f)) spec.phantom = *phantom;
    }
    if (const Field* f = section.find("via")) {
      if (auto via = read_choice(*f, {"device_group", "communicator"}, "path")) {
        spec.through_communicator = *via == "communicator";
        if (spec.through_communicator &&
            (spec.collective != Collective::kAllReduce || spec.op != comm::ReduceOp::kSum)) {
          error(at(*f), f->path + ": the communicator path is for all_reduce with op sum only");
        }
      }
    }
    // The collective runs on the TP group (parsed before the workload).
    const int group_size = scenario_.parallel.tensor;
    if (const Field* f = section.find("root"); f && spec.root >= group_size) {
      error(at(*f), f->path + ": root " + std::to_string(spec.root) +
                        " is not a rank of the TP group (size " + std::to_string(group_size) + ")");
    }
    std::string why;
    if (!spec.phantom && !ExactInputs::make(spec, group_size, 0, &why)) {
      const Field* f = section.find("dtype");
      error(at(f ? *f : section.self), label(f ? *f : section.self) + ": " + why);
    }
  }

  void parse_tensors(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      TensorSpec tensor;
      tensor.name = entry.key;
      const auto section = read_section(entry, kTensorKeys);
      if (!section) continue;
      if (const Field* f = section->find("dtype")) {
        if (auto dtype = read_dtype(*f)) tensor.dtype = *dtype;
      }
      if (const Field* f = section->find("shape")) {
        if (auto shape = read_shape(*f)) tensor.shape = std::move(*shape);
      }
      scenario_.workload.tensors.push_back(std::move(tensor));
    }
  }

  std::optional<comm::Shape> read_shape(const Field& field) {
    if (!field.value.IsSequence()) {
      type_error(field, "a list of dimensions, e.g. [4, 256]");
      return std::nullopt;
    }
    comm::Shape shape;
    bool ok = true;
    std::int64_t bytes = 8;  // the largest element size: keeps numel * element_size in range
    for (std::size_t i = 0; i < field.value.size(); ++i) {
      const Field dim{"", YAML::Mark::null_mark(), field.value[i],
                      field.path + "[" + std::to_string(i) + "]"};
      const auto size = read_integer(dim, 0, std::numeric_limits<std::int64_t>::max());
      if (!size) {
        ok = false;
        continue;
      }
      shape.push_back(*size);
      if (ok && *size > 0) {
        if (*size > std::numeric_limits<std::int64_t>::max() / bytes) {
          error(at(field), label(field) + ": the tensor has too many elements");
          ok = false;
        } else {
          bytes *= *size;
        }
      }
    }
    if (!ok) return std::nullopt;
    return shape;
  }

  void parse_extras(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      const auto& tensors = scenario_.workload.tensors;
      if (std::any_of(tensors.begin(), tensors.end(),
                      [&](const TensorSpec& tensor) { return tensor.name == entry.key; })) {
        error(pos(entry.key_mark), entry.path + ": " + quote(entry.key) +
                                       " is already a tensor name; TensorDict keys are unique");
        continue;
      }
      if (auto value = read_plain_value(entry)) {
        scenario_.workload.extras.emplace_back(entry.key, std::move(*value));
      }
    }
  }

  void parse_expect(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      if (!comm::find_policy(entry.key)) {
        error(pos(entry.key_mark), "expect: unknown policy " + quote(entry.key) +
                                       "; valid: " + join(comm::policy_names()));
        continue;
      }
      Expectations& expectations = scenario_.expect[entry.key];
      expectations.pos = at(entry);
      const auto section = read_section(entry, kExpectKeys);
      if (!section) continue;
      if (const Field* f = section->find("groups")) parse_groups(*f, expectations);
      if (const Field* f = section->find("ranks")) parse_ranks(*f, expectations);
      if (const Field* f = section->find("numerics")) parse_numerics(*f, expectations);
      if (const Field* f = section->find("data")) parse_data(*f, expectations);
      if (const Field* f = section->find("sim_time")) parse_sim_time(*f, expectations);
    }
  }

  void parse_groups(const Field& field, Expectations& expectations) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      GroupExpectation& group = expectations.groups[entry.key];
      group.pos = at(entry);
      const auto section = read_section(entry, kGroupKeys);
      if (!section) continue;
      if (const Field* f = section->find("backend")) {
        group.backend = read_choice(*f, kBackends, "backend");
      }
      if (const Field* f = section->find("supports_tensor_dict")) {
        group.supports_tensor_dict = read_bool(*f);
      }
      if (const Field* f = section->find("use_cpu_custom_send_recv")) {
        group.use_cpu_custom_send_recv = read_bool(*f);
      }
      if (const Field* f = section->find("log")) group.log = read_string(*f);
      if (const Field* f = section->find("no_log")) group.no_log = read_bool(*f);
      if (group.log && group.no_log.value_or(false)) {
        error(at(*section->find("no_log")),
              entry.path + ": 'log' and 'no_log: true' contradict each other");
      }
    }
  }

  // A rank key: a world rank in range, or -1 for `all` when `allow_all`; nullopt (reported)
  // otherwise.
  std::optional<int> read_rank_key(const Field& field, const Field& entry, bool allow_all) {
    const int world = scenario_.parallel.world();
    if (allow_all && entry.key == "all") return -1;
    const auto number = parse_integer_text(entry.key);
    if (!number) {
      error(pos(entry.key_mark),
            field.path + ": rank key " + quote(entry.key) +
                (allow_all ? " must be a rank number or 'all'" : " must be a rank number"));
      return std::nullopt;
    }
    if (*number < 0 || (parallel_valid_ && *number >= world) || *number >= kMaxRanks) {
      const std::string range = parallel_valid_ ? "ranks are 0 .. " + std::to_string(world - 1) +
                                                      " (world size " + std::to_string(world) + ")"
                                                : std::string("ranks are numbered from 0");
      error(pos(entry.key_mark), field.path + ": rank " + entry.key + " is out of range; " + range);
      return std::nullopt;
    }
    return static_cast<int>(*number);
  }

  void parse_rank_overrides(const Field& field) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      const auto rank = read_rank_key(field, entry, /*allow_all=*/false);
      if (!rank) continue;
      RankOverride& rank_override = scenario_.rank_overrides[*rank];
      rank_override.pos = at(entry);
      const auto section = read_section(entry, kRankOverrideKeys);
      if (!section) continue;
      if (const Field* f = section->find("threads")) rank_override.num_threads = read_int(*f, 1);
      if (const Field* f = section->find("env")) read_env(*f, rank_override.environment);
      if (const Field* f = section->find("unset_env")) {
        if (auto names = read_string_list(*f)) rank_override.unset_environment = std::move(*names);
      }
    }
  }

  void parse_faults(const Field& field) {
    if (!field.value.IsSequence()) {
      type_error(field, "a list of faults");
      return;
    }
    const int nodes = scenario_.topology.nodes;
    const int world = scenario_.parallel.world();
    for (std::size_t i = 0; i < field.value.size(); ++i) {
      const Field item{"", field.value[i].Mark(), field.value[i],
                       field.path + "[" + std::to_string(i) + "]"};
      const auto section = read_section(item, kFaultKeys);
      if (!section) continue;
      Fault fault;
      fault.pos = at(item);
      const Field* kind = section->find("kind");
      if (kind == nullptr) {
        error(at(item), item.path + ": missing required key 'kind'");
        continue;
      }
      const auto name = read_choice(*kind, fault_kind_names(), "fault kind");
      if (!name) continue;
      fault.kind = *parse_fault_kind(*name);
      if (fault.kind != Fault::Kind::kMessageDelay && scenario_.topology.kind == "xml") {
        // The file's hosts and links are sealed as SimGrid reads them: no profile can be added.
        error(at(*kind), kind->path + ": a " + *name +
                             " fault needs a platform commsim builds; "
                             "an xml platform takes message_delay faults only");
      }
      const bool per_rank = fault.kind == Fault::Kind::kMessageDelay;
      // What each kind needs, and nothing else.
      const auto needs = [&](const char* key, bool needed) {
        const Field* f = section->find(key);
        if (needed && f == nullptr) {
          error(at(item), item.path + ": a " + *name + " fault needs '" + key + "'");
        } else if (!needed && f != nullptr) {
          error(at_key(*f), f->path + ": a " + *name + " fault takes no '" + key + "'");
        }
        return needed ? f : nullptr;
      };
      if (const Field* f = needs("node", !per_rank)) {
        if (auto node = read_int(*f, 0, nodes_valid_ ? nodes - 1 : kMaxRanks)) fault.node = *node;
      }
      if (const Field* f = needs("rank", per_rank)) {
        if (auto rank = read_int(*f, 0, parallel_valid_ ? world - 1 : kMaxRanks))
          fault.rank = *rank;
      }
      const bool timed = fault.kind == Fault::Kind::kLinkDown ||
                         fault.kind == Fault::Kind::kLinkUp ||
                         fault.kind == Fault::Kind::kHostCrash;
      if (const Field* f = needs("at", timed)) {
        if (auto time = read_time(*f)) fault.at = *time;
      }
      if (const Field* f = needs("factor", fault.kind == Fault::Kind::kSlowNode)) {
        if (auto factor = read_number(*f)) {
          if (*factor <= 0 || *factor > 1) {
            error(at(*f), f->path + ": must be in (0, 1], got " + f->value.Scalar());
          } else {
            fault.factor = *factor;
          }
        }
      }
      if (const Field* f = needs("delay", per_rank)) {
        if (auto delay = read_time(*f)) fault.delay = *delay;
      }
      scenario_.faults.push_back(fault);
    }
  }

  void parse_policy_switches(const Field& field) {
    const auto section = read_section(field, kPolicySwitchKeys);
    if (!section) return;
    PolicySwitches& switches = scenario_.policy_switches;
    if (const Field* f = section->find("arch_allow")) {
      if (auto names = read_string_list(*f)) {
        std::set<comm::Arch> archs;
        for (const std::string& name : *names) {
          if (auto arch = comm::parse_arch(name)) {
            archs.insert(*arch);
          } else {
            error(at(*f), f->path + ": unknown arch " + quote(name) +
                              "; valid: x86_64, aarch64, ppc64le, s390x, riscv64");
          }
        }
        switches.arch_allow = archs;
      }
    }
    const std::pair<const char*, std::optional<bool>*> flags[] = {
        {"name_agreement_check", &switches.name_agreement_check},
        {"fallback_info_log", &switches.fallback_info_log},
        {"supports_tensor_dict", &switches.has_supports_tensor_dict},
        {"thread_num_min_allreduce", &switches.thread_num_min_allreduce}};
    for (const auto& [key, target] : flags) {
      if (const Field* f = section->find(key)) *target = read_bool(*f);
    }
    if (const Field* f = section->find("custom_send_recv_rule")) {
      if (auto rule = read_choice(*f, {"op_present", "supports_tensor_dict"}, "rule")) {
        switches.custom_send_recv_rule = *rule == "op_present"
                                             ? comm::CustomSendRecvRule::kOpPresent
                                             : comm::CustomSendRecvRule::kSupportsTensorDict;
      }
    }
    if (const Field* f = section->find("shm_allreduce_world_sizes")) {
      if (!f->value.IsSequence()) {
        type_error(*f, "a list of world sizes");
      } else {
        std::set<int> sizes;
        for (std::size_t i = 0; i < f->value.size(); ++i) {
          const Field item{"", YAML::Mark::null_mark(), f->value[i],
                           f->path + "[" + std::to_string(i) + "]"};
          if (auto size = read_int(item, 1, 8)) sizes.insert(*size);
        }
        switches.shm_allreduce_world_sizes = sizes;
      }
    }
  }

  void parse_ranks(const Field& field, Expectations& expectations) {
    const auto entries = read_entries(field);
    if (!entries) return;
    for (const Field& entry : *entries) {
      const auto key = read_rank_key(field, entry, /*allow_all=*/true);
      if (!key) continue;
      const int rank = *key;
      if (expectations.ranks.count(rank) != 0) {
        error(pos(entry.key_mark), field.path + ": rank " + entry.key + " is given twice");
        continue;
      }
      RankExpectation& expectation = expectations.ranks[rank];
      expectation.pos = at(entry);
      parse_rank(entry, expectation);
    }
  }

  void parse_rank(const Field& field, RankExpectation& expectation) {
    const auto section = read_section(field, kRankKeys);
    if (!section) return;
    read_outcome_and_error(*section, expectation.outcome, expectation.error);
    if (const Field* f = section->find("probe")) {
      if (const auto probe = read_section(*f, kProbeKeys)) {
        read_outcome_and_error(*probe, expectation.probe_outcome, expectation.probe_error);
      }
    }
    if (const Field* f = section->find("waiting")) {
      if (const auto waiting = read_section(*f, kWaitingKeys)) {
        WaitExpectation parsed;
        if (const Field* op = waiting->find("op")) parsed.op = read_string(*op);
        if (const Field* group = waiting->find("group")) parsed.group = read_string(*group);
        if (const Field* peer = waiting->find("peer")) parsed.peer = read_int(*peer, -1);
        expectation.waiting = std::move(parsed);
      }
      if (!expectation.outcome) expectation.outcome = Outcome::kHang;
    }
  }

  // `outcome` and `error` of a rank or probe; an error without an outcome implies outcome error.
  void read_outcome_and_error(const Section& section, std::optional<Outcome>& outcome,
                              std::optional<ErrorExpectation>& expected_error) {
    const Field* outcome_field = section.find("outcome");
    if (outcome_field != nullptr) outcome = read_outcome(*outcome_field);
    const Field* error_field = section.find("error");
    if (error_field == nullptr) return;
    if (const auto error_section = read_section(*error_field, kErrorKeys)) {
      ErrorExpectation parsed;
      if (const Field* f = error_section->find("type")) parsed.type = read_string(*f);
      if (const Field* f = error_section->find("message")) parsed.message = read_string(*f);
      if (const Field* f = error_section->find("op")) parsed.op = read_string(*f);
      expected_error = std::move(parsed);
    }
    if (outcome_field == nullptr) {
      outcome = Outcome::kError;
    } else if (outcome && *outcome != Outcome::kError) {
      error(at_key(*error_field), error_field->path + ": an error is described but outcome is " +
                                      quote(outcome_name(*outcome)));
    }
  }

  void parse_data(const Field& field, Expectations& expectations) {
    const auto section = read_section(field, kDataKeys);
    if (!section) return;
    DataExpectation data;
    data.pos = at(field);
    if (const Field* f = section->find("dicts_delivered")) data.dicts_delivered = read_int(*f, 0);
    if (const Field* f = section->find("bit_identical")) data.bit_identical = read_bool(*f);
    if (const Field* f = section->find("collectives")) data.collectives = read_int(*f, 0);
    if (const Field* f = section->find("collectives_exact")) {
      data.collectives_exact = read_bool(*f);
    }
    expectations.data = std::move(data);
  }

  void parse_numerics(const Field& field, Expectations& expectations) {
    const auto section = read_section(field, kNumericsKeys);
    if (!section) return;
    NumericsExpectation numerics;
    numerics.pos = at(field);
    for (const auto& [key, target] :
         {std::pair{"rel_l2", &numerics.rel_l2}, std::pair{"max_abs", &numerics.max_abs}}) {
      if (const Field* f = section->find(key)) {
        if (auto value = read_number(*f)) {
          if (*value < 0) {
            error(at(*f), f->path + ": must not be negative, got " + f->value.Scalar());
          } else {
            *target = *value;
          }
        }
      }
    }
    expectations.numerics = numerics;
  }

  void parse_sim_time(const Field& field, Expectations& expectations) {
    const auto section = read_section(field, kSimTimeKeys);
    if (!section) return;
    TimeExpectation sim_time;
    sim_time.pos = at(field);
    if (const Field* f = section->find("min")) sim_time.min = read_time(*f);
    if (const Field* f = section->find("max")) sim_time.max = read_time(*f);
    if (sim_time.min && sim_time.max && *sim_time.min > *sim_time.max) {
      error(at(*section->find("min")),
            field.path + ": min (" + section->find("min")->value.Scalar() +
                ") is greater than max (" + section->find("max")->value.Scalar() + ")");
    }
    expectations.sim_time = std::move(sim_time);
  }

  std::string file_;
  PlatformFileReader reader_;
  std::vector<ScenarioError> errors_;
  Scenario scenario_;
  bool placement_valid_ = true;
  SourcePos parallel_pos_;
  std::string parallel_product_;
  SourcePos map_pos_;
  SourcePos oversubscribe_pos_;
  bool nodes_valid_ = true;     // topology.nodes holds a valid value (given or default)
  bool parallel_valid_ = true;  // parallel holds valid sizes (given or default)
};

}  // namespace

std::string ScenarioError::to_string() const {
  std::string out = pos.file;
  if (pos.line > 0) {
    if (!out.empty()) out += ":";
    out += std::to_string(pos.line) + ":" + std::to_string(pos.column);
  }
  if (out.empty()) return message;
  return out + ": " + message;
}

ParseResult parse_scenario_text(const std::string& text, const std::string& file_name,
                                const PlatformFileReader& reader) {
  return Parser(file_name, reader).parse(text);
}

ParseResult parse_scenario_file(const std::string& path, const PlatformFileReader& reader) {
  const auto fail = [&](std::string reason) {
    ParseResult result;
    result.errors.push_back(
        ScenarioError{SourcePos{path, 0, 0}, "cannot read scenario file: " + std::move(reason)});
    return result;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail("it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail("read error");
  return parse_scenario_text(text.str(), path, reader);
}

}  // namespace commsim::scenario
