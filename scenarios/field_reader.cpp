#include "scenarios/field_reader.h"

#include "scenarios/input_file.h"
#include "scenarios/printable.h"
#include "scenarios/yaml_guard.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <limits>

#include "scenarios/preset_file.h"

namespace commsim::scenario::parsing {

using comm::Arch;
using comm::DType;

// ---------------------------------------------------------------------------------------------
// Text helpers.

std::string join(const std::vector<std::string>& items, std::string_view separator) {
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

namespace {

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

}  // namespace

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
std::optional<std::int64_t> parse_integer_text(std::string_view text, bool* overflow) {
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

// ---------------------------------------------------------------------------------------------
// FieldReader.

// ----- positions and errors -----
SourcePos FieldReader::pos(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return SourcePos{file_, 0, 0};
  return SourcePos{file_, mark.line + 1, mark.column + 1};
}

// Where a value is: the value itself, or its key when the value is empty (yaml-cpp places an
// empty value at the start of the next token, which may be lines later).
SourcePos FieldReader::at(const Field& field) const {
  const bool value_placed =
      field.value.IsDefined() && !field.value.IsNull() && !field.value.Mark().is_null();
  if (value_placed) return pos(field.value.Mark());
  if (!field.key_mark.is_null()) return pos(field.key_mark);
  if (!field.value.Mark().is_null()) return pos(field.value.Mark());
  return SourcePos{file_, 1, 1};
}

// Where the key of a field is (the value's position when it has no key).
SourcePos FieldReader::at_key(const Field& field) const {
  if (!field.key_mark.is_null()) return pos(field.key_mark);
  return at(field);
}

void FieldReader::error(SourcePos where, std::string message) {
  errors_.push_back(ScenarioError{std::move(where), std::move(message)});
}

std::string FieldReader::label(const Field& field) {
  return field.path.empty() ? std::string("the scenario") : field.path;
}

std::string FieldReader::where_in(const Field& field) {
  return field.path.empty() ? std::string("at the top level") : "in " + field.path;
}

// What a node is, for "got ..." in messages.
std::string FieldReader::describe(const YAML::Node& node) {
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

void FieldReader::type_error(const Field& field, std::string_view expected) {
  error(at(field),
        label(field) + ": expected " + std::string(expected) + ", got " + describe(field.value));
}

// ----- structure -----
// The entries of a mapping, in file order, with scalar keys and no duplicates (reported).
std::optional<std::vector<Field>> FieldReader::read_entries(const Field& field) {
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
std::optional<Section> FieldReader::read_section(const Field& field, const KeyList& keys) {
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

void FieldReader::require(const Section& section, const KeyList& keys) {
  for (std::string_view key : keys) {
    if (section.find(key) == nullptr) {
      const std::string what =
          section.self.path.empty() ? std::string("the scenario") : section.self.path;
      error(at_key(section.self), "missing required key " + quote(key) + " in " + what);
    }
  }
}

// ----- scalars -----
std::optional<std::string> FieldReader::read_string(const Field& field) {
  if (!field.value.IsScalar()) {
    type_error(field, "a string");
    return std::nullopt;
  }
  // YAML escapes ("\e", "\x1b") can put control characters in a quoted string; none of commsim's
  // strings takes them, and they would reach terminals and reports.
  const std::string& text = field.value.Scalar();
  if (const auto offset = first_unprintable(text)) {
    error(at(field), label(field) + ": holds the control character " +
                         character_name(text, *offset) + "; write it without escapes");
    return std::nullopt;
  }
  return text;
}

// A plain (unquoted) scalar, or one explicitly tagged `tag`; nullopt otherwise.
std::optional<std::string> FieldReader::plain_scalar(const YAML::Node& node, std::string_view tag) {
  if (!node.IsScalar()) return std::nullopt;
  if (node.Tag() != "?" && node.Tag() != tag) return std::nullopt;
  return node.Scalar();
}

std::optional<std::int64_t> FieldReader::read_integer(const Field& field, std::int64_t min,
                                                      std::int64_t max) {
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
    // A bound the key does not really have (INT_MAX, the type's own limit) is named only when
    // the value passes it, so that 2147483648 is "at most 2147483647", not "at least 1".
    const bool open_above = max >= INT_MAX;
    const std::string range =
        *value > max && open_above ? "at most " + std::to_string(max)
        : open_above               ? "at least " + std::to_string(min)
                     : "between " + std::to_string(min) + " and " + std::to_string(max);
    error(at(field), label(field) + ": must be " + range + ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<int> FieldReader::read_int(const Field& field, int min, int max) {
  const auto value = read_integer(field, min, max);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

std::optional<std::uint64_t> FieldReader::read_uint64(const Field& field) {
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

std::optional<bool> FieldReader::read_bool(const Field& field) {
  const auto text = plain_scalar(field.value, "tag:yaml.org,2002:bool");
  if (text) {
    if (*text == "true" || *text == "True" || *text == "TRUE") return true;
    if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  }
  type_error(field, "a boolean (true or false)");
  return std::nullopt;
}

// A quantity with a unit. `positive`: must be > 0; otherwise >= 0.
std::optional<double> FieldReader::read_quantity(const Field& field,
                                                 Quantity (*parse_text)(std::string_view),
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

std::optional<double> FieldReader::check_sign(const Field& field, double value, bool positive) {
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

std::optional<double> FieldReader::read_bandwidth(const Field& field) {
  return read_quantity(field, &parse_bandwidth, "a bandwidth", /*positive=*/true);
}

std::optional<double> FieldReader::read_time(const Field& field) {
  return read_quantity(field, &parse_time, "a time", /*positive=*/false);
}

// GFLOP/s per core as a bare number, or a speed with a flops unit; returns flop/s.
// A plain number (no unit).
std::optional<double> FieldReader::read_number(const Field& field) {
  double value = 0;
  if (field.value.IsScalar() && parse_plain_number(field.value.Scalar(), &value)) return value;
  type_error(field, "a number");
  return std::nullopt;
}

std::optional<double> FieldReader::read_number_in(const Field& field, double low, double high,
                                                  std::string_view range) {
  const auto value = read_number(field);
  if (!value) return std::nullopt;
  if (!(*value >= low && *value <= high)) {
    error(at(field),
          label(field) + ": must be " + std::string(range) + ", got " + field.value.Scalar());
    return std::nullopt;
  }
  return value;
}

std::optional<double> FieldReader::read_core_flops(const Field& field) {
  if (field.value.IsScalar()) {
    double gflops = 0;
    if (parse_plain_number(field.value.Scalar(), &gflops)) {
      // GFLOP/s: the same range as a speed with a unit (units.h).
      if (gflops > 0 && !(gflops * 1e9 >= kMinFlops && gflops * 1e9 <= kMaxFlops)) {
        error(at(field), label(field) + ": " + field.value.Scalar() +
                             " GFLOP/s is out of range; a computing speed must be from 1e-9 to "
                             "1e9 GFLOP/s (1f to 1000Pf)");
        return std::nullopt;
      }
      return check_sign(field, gflops * 1e9, /*positive=*/true);
    }
    const Quantity quantity = parse_flops(field.value.Scalar());
    if (quantity) return check_sign(field, *quantity.value, /*positive=*/true);
  }
  type_error(field, "GFLOP/s per core as a number (e.g. 100) or a speed with a unit (e.g. 100Gf)");
  return std::nullopt;
}

std::optional<Arch> FieldReader::read_arch(const Field& field) {
  const auto text = read_string(field);
  if (!text) return std::nullopt;
  if (auto arch = comm::parse_arch(*text)) return arch;
  error(at(field),
        label(field) + ": unknown arch " + quote(*text) + "; valid: " + join(arch_names()));
  return std::nullopt;
}

std::string FieldReader::beside_file(const std::string& written) const {
  const std::filesystem::path path(written);
  const std::filesystem::path beside = std::filesystem::path(file_).parent_path();
  return (path.is_absolute() || beside.empty() ? path : beside / path).lexically_normal().string();
}

const NodePreset* FieldReader::read_preset(const Field& field) {
  const auto text = read_string(field);
  if (!text) return nullptr;
  if (is_preset_file_name(*text)) {
    const NamedFile named = resolve_named_file(file_, *text);
    if (!named.path) {
      error(at(field), label(field) + ": cannot read preset file " + quote(*text) + ": " +
                           named.error);
      return nullptr;
    }
    const PresetFileResult file = load_preset_file(*named.path);
    for (const std::string& problem : file.errors) error(at(field), label(field) + ": " + problem);
    return file.preset;
  }
  if (const NodePreset* preset = find_node_preset(*text)) return preset;
  std::vector<std::string> names;
  for (const NodePreset& preset : node_presets()) names.emplace_back(preset.name);
  error(at(field),
        label(field) + ": unknown node preset " + quote(*text) + "; valid: " + join(names));
  return nullptr;
}

void FieldReader::read_kernel_model(const Field& field, KernelModel& model, bool all_required) {
  static const KeyList kKeys = {"efficiency", "bf16_speedup", "call_overhead"};
  const auto section = read_section(field, kKeys);
  if (!section) return;
  if (all_required) require(*section, kKeys);
  // Both scale a node's speed, so they share its bounds: a kernel's time stays finite (units.h).
  if (const Field* f = section->find("efficiency")) {
    if (auto value = read_number_in(*f, 1e-6, 1, "from 0.000001 to 1")) model.efficiency = *value;
  }
  if (const Field* f = section->find("bf16_speedup")) {
    if (auto value = read_number_in(*f, 1e-3, 1e3, "from 0.001 to 1000")) {
      model.bf16_speedup = *value;
    }
  }
  if (const Field* f = section->find("call_overhead")) {
    if (auto value = read_time(*f)) model.call_overhead = *value;
  }
}

std::optional<YAML::Node> FieldReader::load_document(const std::string& text,
                                                     std::string_view what) {
  YamlDocument document = load_yaml_document(text);
  if (document.problem) {
    error(SourcePos{file_, document.problem->line, document.problem->column},
          std::move(document.problem->message));
    return std::nullopt;
  }
  if (document.second_document) {
    error(pos(*document.second_document),
          std::string(what) + " holds one YAML document; a second one starts here");
  }
  return std::move(document.root);
}

void FieldReader::guarded(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const YAML::ParserException& e) {
    error(pos(e.mark), "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    error(pos(e.mark), "cannot read the YAML: " + e.msg);
  } catch (const std::exception& e) {
    error(SourcePos{file_, 0, 0}, std::string("internal error while parsing: ") + e.what());
  }
}

std::optional<DType> FieldReader::read_dtype(const Field& field) {
  const auto text = read_string(field);
  if (!text) return std::nullopt;
  if (auto dtype = comm::parse_dtype(*text)) return dtype;
  error(at(field),
        label(field) + ": unknown dtype " + quote(*text) + "; valid: " + join(dtype_names()));
  return std::nullopt;
}

std::optional<Outcome> FieldReader::read_outcome(const Field& field) {
  const auto text = read_string(field);
  if (!text) return std::nullopt;
  if (const auto outcome = parse_outcome(*text)) return outcome;
  error(at(field),
        label(field) + ": unknown outcome " + quote(*text) + "; valid: " + join(outcome_names()));
  return std::nullopt;
}

// A name from `allowed` (first entry) for a kind of thing (`noun`).
std::optional<std::string> FieldReader::read_choice(const Field& field,
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
std::optional<comm::PlainValue> FieldReader::read_plain_value(const Field& field) {
  const YAML::Node& node = field.value;
  if (node.IsNull()) return comm::PlainValue{comm::None{}};
  if (!node.IsScalar()) {
    type_error(field, "a scalar (null, boolean, integer, float or string)");
    return std::nullopt;
  }
  const std::string& tag = node.Tag();
  // A string goes through read_string's check: no control characters reach a record or a report.
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    if (auto string = read_string(field)) return comm::PlainValue{*string};
    return std::nullopt;
  }
  const std::string& text = node.Scalar();
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
void FieldReader::read_env(const Field& field, std::map<std::string, std::string>& environment) {
  const auto entries = read_entries(field);
  if (!entries) return;
  for (const Field& entry : *entries) {
    // A variable's name and value are strings like any other (read_string): no control
    // characters, which would reach the ranks' environment, records and reports.
    if (const auto name_at = first_unprintable_in_line(entry.key)) {
      error(at_key(entry), label(field) + ": a variable name holds the control character " +
                               character_name(entry.key, *name_at));
      continue;
    }
    if (auto value = read_string(entry)) environment[entry.key] = *value;
  }
}

// A list of whole numbers from `min` to `max`, or nullopt (reported).
std::optional<std::vector<int>> FieldReader::read_int_list(const Field& field, int min, int max) {
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
    if (auto value = read_int(item, min, max)) {
      values.push_back(*value);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return values;
}

// A list of strings, e.g. segment names.
std::optional<std::vector<std::string>> FieldReader::read_string_list(const Field& field) {
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

}  // namespace commsim::scenario::parsing
