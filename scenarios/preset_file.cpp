#include "scenarios/preset_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "scenarios/field_reader.h"
#include "scenarios/input_file.h"

namespace commsim::scenario {

namespace {

using namespace parsing;  // NOLINT: the reader's vocabulary throughout this file

const KeyList kTopKeys = {"preset", "measured"};
const KeyList kPresetKeys = {"name",        "summary",          "arch",           "cores",
                             "core_gflops", "memory_bandwidth", "memory_latency", "kernels"};
const KeyList kPresetRequired = {"arch",           "cores",  "core_gflops", "memory_bandwidth",
                                 "memory_latency", "kernels"};

// What a preset file says, before it is registered.
struct PresetFields {
  std::string name;
  std::string summary;
  comm::Arch arch = comm::Arch::kX86;
  NodeHardware hardware;
};

// Owns the error list, so that it exists before the FieldReader that writes to it.
struct ErrorList {
  std::vector<ScenarioError> list;
};

// Reads one preset file's text; every problem goes to errors() with its position in the file.
class PresetFileParser : private ErrorList, public FieldReader {
 public:
  explicit PresetFileParser(std::string file) : FieldReader(std::move(file), ErrorList::list) {}

  // The preset's fields, or nullopt when errors() is not empty.
  std::optional<PresetFields> parse(const std::string& text) {
    guarded([&] { parse_document(text); });
    if (!errors_.empty()) return std::nullopt;
    return fields_;
  }

  std::vector<std::string> errors() {
    std::stable_sort(
        errors_.begin(), errors_.end(), [](const ScenarioError& a, const ScenarioError& b) {
          return std::pair(a.pos.line, a.pos.column) < std::pair(b.pos.line, b.pos.column);
        });
    std::vector<std::string> lines;
    for (const ScenarioError& problem : errors_) lines.push_back(problem.to_string());
    return lines;
  }

 private:
  void parse_document(const std::string& text) {
    const std::optional<YAML::Node> document = load_document(text, "a preset file");
    if (!document) return;
    if (document->IsNull()) {
      error(SourcePos{file_, 0, 0}, "the preset file is empty; expected a 'preset:' section");
      return;
    }
    if (!document->IsMap()) {
      error(pos(document->Mark()),
            "expected a mapping with a 'preset:' section, got " + describe(*document));
      return;
    }
    const Field root{"", YAML::Mark::null_mark(), *document, ""};
    const auto top = read_section(root, kTopKeys);
    if (!top) return;
    const Field* preset = top->find("preset");
    if (preset == nullptr) {
      error(pos(document->Mark()), "missing required key 'preset'");
      return;
    }
    parse_preset(*preset);
  }

  void parse_preset(const Field& field) {
    const auto section = read_section(field, kPresetKeys);
    if (!section) return;
    require(*section, kPresetRequired);
    if (const Field* f = section->find("name")) {
      if (auto name = read_string(*f)) fields_.name = *name;
    }
    if (const Field* f = section->find("summary")) {
      if (auto summary = read_string(*f)) fields_.summary = *summary;
    }
    NodeHardware& hardware = fields_.hardware;
    if (const Field* f = section->find("arch")) {
      if (auto arch = read_arch(*f)) fields_.arch = *arch;
    }
    if (const Field* f = section->find("cores")) {
      if (auto cores = read_int(*f, 1)) hardware.cores = *cores;
    }
    if (const Field* f = section->find("core_gflops")) {
      if (auto flops = read_core_flops(*f)) hardware.core_flops = *flops;
    }
    if (const Field* f = section->find("memory_bandwidth")) {
      if (auto bandwidth = read_bandwidth(*f)) hardware.memory_bandwidth = *bandwidth;
    }
    if (const Field* f = section->find("memory_latency")) {
      if (auto latency = read_time(*f)) hardware.memory_latency = *latency;
    }
    if (const Field* f = section->find("kernels")) read_kernel_model(*f, hardware.kernels, true);
  }

  PresetFields fields_;
};

PresetFileResult cannot_read(const std::string& path, const std::string& reason) {
  return PresetFileResult{nullptr, {path + ": cannot read preset file: " + reason}};
}

}  // namespace

bool is_preset_file_name(std::string_view value) {
  const auto ends_with = [value](std::string_view suffix) {
    return value.size() > suffix.size() && value.substr(value.size() - suffix.size()) == suffix;
  };
  return ends_with(".yaml") || ends_with(".yml");
}

std::vector<std::string> check_preset_text(const std::string& text, const std::string& path) {
  PresetFileParser parser(path);
  if (parser.parse(text)) return {};
  return parser.errors();
}

PresetFileResult load_preset_file(const std::string& path) {
  const InputText text = read_input_file(path, kMaxScenarioFileBytes);
  if (!text.text) return cannot_read(path, text.error);

  PresetFileParser parser(path);
  const std::optional<PresetFields> fields = parser.parse(*text.text);
  if (!fields) return PresetFileResult{nullptr, parser.errors()};
  const std::string label = fields->name.empty() ? path : fields->name;
  std::string summary = fields->summary.empty() ? label + " (preset file)" : fields->summary;
  std::string source = "preset file " + path;
  if (!fields->name.empty()) source += " (preset '" + fields->name + "')";
  const NodePreset& preset = register_file_preset(path, std::move(summary), fields->arch,
                                                  fields->hardware, std::move(source));
  return PresetFileResult{&preset, {}};
}

}  // namespace commsim::scenario
