#include "sim/sweep/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "communicators/policy.h"
#include "scenarios/input_file.h"
#include "scenarios/printable.h"
#include "scenarios/yaml_guard.h"

namespace commsim::sim::sweep {

namespace {

using scenario::ScenarioError;
using scenario::SourcePos;

SourcePos pos_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return SourcePos{file, 0, 0};
  return SourcePos{file, mark.line + 1, mark.column + 1};
}

// `text` cut at every `separator`, empty pieces kept ("a." is {"a", ""}).
std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> pieces;
  std::size_t from = 0;
  for (std::size_t at; (at = text.find(separator, from)) != std::string::npos; from = at + 1) {
    pieces.push_back(text.substr(from, at - from));
  }
  pieces.push_back(text.substr(from));
  return pieces;
}

std::vector<std::string> split_key(const std::string& key) { return split(key, '.'); }

// A dotted scenario key: names separated by dots, none empty.
bool dotted_key(const std::string& key) {
  const std::vector<std::string> names = split_key(key);
  return std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.empty(); });
}

// `text` without the spaces at either end.
std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

// Whether setting both keys would set one value twice (the same key, or a key and its parent).
bool overlap(const std::string& a, const std::string& b) {
  return a == b || a.rfind(b + ".", 0) == 0 || b.rfind(a + ".", 0) == 0;
}

// Sets `value` (YAML text) at the dotted `key` of `root`, making the mappings on the way.
void set_at(YAML::Node root, const std::string& key, const std::string& value) {
  const std::vector<std::string> parts = split_key(key);
  YAML::Node node = root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!node[parts[i]] || !node[parts[i]].IsMap()) {
      node[parts[i]] = YAML::Node(YAML::NodeType::Map);
    }
    // reset() rebinds the handle; `node = ...` would overwrite what it refers to.
    node.reset(node[parts[i]]);
  }
  node[parts.back()] = YAML::Load(value);
}

std::string scalar_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

}  // namespace

std::vector<std::string> columns(const SweepSpec& spec) {
  std::vector<std::string> keys;
  for (const Parameter& parameter : spec.grid)
    keys.insert(keys.end(), parameter.parts.begin(), parameter.parts.end());
  return keys;
}

const std::vector<std::string>& metric_names() {
  static const std::vector<std::string> names = {
      "sim_time_s",     "collective_time_s",  "dicts_delivered", "collectives", "max_rel_l2",
      "prefill_time_s", "decode_step_time_s", "deadlock",        "verdict"};
  return names;
}

std::vector<Point> grid_points(const SweepSpec& spec) {
  std::vector<std::string> policies = spec.policies;
  if (policies.empty()) policies.push_back("");
  std::vector<Point> points;
  for (const std::string& policy : policies) {
    std::vector<std::size_t> at(spec.grid.size(), 0);
    for (;;) {
      Point point{static_cast<int>(points.size()), policy, at, {}};
      for (std::size_t i = 0; i < spec.grid.size(); ++i) {
        const std::vector<std::string>& value = spec.grid[i].values[at[i]];
        point.values.insert(point.values.end(), value.begin(), value.end());
      }
      points.push_back(std::move(point));
      // The last parameter varies fastest.
      std::size_t i = spec.grid.size();
      while (i > 0 && ++at[i - 1] == spec.grid[i - 1].values.size()) at[--i] = 0;
      if (i == 0) break;
    }
  }
  return points;
}

namespace {

// Every scalar under a `preset:` key that names a file (.yaml, .yml), and topology.xml.file, of a
// scenario's YAML, resolved against the scenario's directory; sorted, without repeats.
void collect_files(const YAML::Node& node, const std::string& key, const std::filesystem::path& dir,
                   std::vector<std::string>& files) {
  if (!node) return;  // absent (yaml-cpp throws on the type of an absent node)
  if (node.IsMap()) {
    for (const auto& entry : node) {
      collect_files(entry.second, entry.first.IsScalar() ? entry.first.Scalar() : "", dir, files);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) collect_files(item, "", dir, files);
  } else if (node.IsScalar()) {
    const std::string& value = node.Scalar();
    const auto ends_with = [&value](std::string_view tail) {
      return value.size() > tail.size() &&
             value.compare(value.size() - tail.size(), tail.size(), tail) == 0;
    };
    const bool preset_file = key == "preset" && (ends_with(".yaml") || ends_with(".yml"));
    if (preset_file || key == "file") {
      const std::filesystem::path path(value);
      files.push_back((path.is_absolute() ? path : dir / path).lexically_normal().string());
    }
  }
}

}  // namespace

std::vector<std::string> referenced_files(const std::string& scenario_text,
                                          const std::string& scenario_path) {
  std::vector<std::string> files;
  try {
    const scenario::YamlDocument document = scenario::load_yaml_document(scenario_text);
    if (document.problem) return {};  // a point that does not parse fails when it runs
    const YAML::Node& root = document.root;
    const std::filesystem::path dir = std::filesystem::path(scenario_path).parent_path();
    collect_files(root["nodes"], "", dir, files);
    if (const YAML::Node topology = root["topology"]) {
      collect_files(topology["node"], "", dir, files);
      if (const YAML::Node xml = topology["xml"]) collect_files(xml["file"], "file", dir, files);
    }
  } catch (const YAML::Exception&) {
    return {};  // a point that does not parse fails when it runs; its id is its text's
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::string point_id(const SweepSpec& spec, const Point& point) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const std::string scenario_text = point_scenario_text(spec, point);
  std::vector<std::string> parts = {scenario_text, std::string(1, '\0'), point.policy};
  // The files the point reads (node preset files, a platform file) count as part of it: a
  // re-measured preset makes its points stale. Without any, the id is the text's and policy's.
  for (const std::string& file : referenced_files(scenario_text, spec.scenario_path)) {
    // A file that cannot be read (any more) counts by its reason; the point then fails when
    // it runs.
    const scenario::InputText input = scenario::read_input_file(file, scenario::kMaxPlatformFileBytes);
    parts.push_back(std::string(1, '\0') + file + std::string(1, '\0') +
                    (input.text ? *input.text : "unreadable: " + input.error));
  }
  for (const std::string& part : parts) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 0x100000001b3ULL;
    }
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string point_scenario_text(const SweepSpec& spec, const Point& point) {
  YAML::Node root = YAML::Load(spec.scenario_text);
  const std::vector<std::string> keys = columns(spec);
  for (std::size_t i = 0; i < keys.size(); ++i) set_at(root, keys[i], point.values[i]);
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

SweepParse parse_sweep_file(const std::string& path, const scenario::PlatformFileReader& reader) {
  const scenario::InputText input = scenario::read_input_file(path, scenario::kMaxScenarioFileBytes);
  if (!input.text) {
    SweepParse result;
    result.errors.push_back(
        ScenarioError{SourcePos{path, 0, 0}, "cannot read sweep file: " + input.error});
    return result;
  }
  return parse_sweep_text(*input.text, path, reader);
}

namespace {

// Where a grid point's scenario error comes from: the value (of this point) of the grid entry that
// sets the key the message is about ("faults[0].delay: ..." comes from grid.faults), else the
// first grid entry's key.
scenario::SourcePos grid_value_pos(const SweepSpec& spec, const Point& point,
                                   const std::string& message) {
  const std::string subject = message.substr(0, message.find(": "));
  for (std::size_t entry = 0; entry < spec.grid.size(); ++entry) {
    const Parameter& parameter = spec.grid[entry];
    for (const std::string& part : parameter.parts) {
      const bool sets_subject = subject.compare(0, part.size(), part) == 0 &&
                                (subject.size() == part.size() || subject[part.size()] == '.' ||
                                 subject[part.size()] == '[');
      if (sets_subject && entry < point.choices.size() &&
          point.choices[entry] < parameter.value_pos.size()) {
        return parameter.value_pos[point.choices[entry]];
      }
    }
  }
  return spec.grid.front().pos;
}

}  // namespace

SweepParse parse_sweep_text(const std::string& text, const std::string& path,
                            const scenario::PlatformFileReader& reader) {
  SweepParse result;
  const auto fail = [&](SourcePos where, std::string message) {
    result.errors.push_back(ScenarioError{std::move(where), std::move(message)});
  };
  const scenario::YamlDocument document = scenario::load_yaml_document(text);
  if (document.problem) {
    fail(SourcePos{path, document.problem->line, document.problem->column},
         document.problem->message);
    return result;
  }
  if (document.second_document) {
    fail(pos_of(path, *document.second_document),
         "a sweep file holds one YAML document; a second one starts here");
    return result;
  }
  const YAML::Node& root = document.root;
  if (!root.IsMap()) {
    fail(SourcePos{path, 1, 1}, "a sweep file is a mapping with scenario, grid, metrics, ...");
    return result;
  }
  SweepSpec spec;
  spec.path = path;
  const std::vector<std::string> keys = {"name", "scenario", "policies", "grid", "metrics", "plot"};
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      fail(pos_of(path, entry.first.Mark()),
           "unknown key '" + key +
               "' in a sweep file; valid keys: name, scenario, policies, "
               "grid, metrics, plot");
    }
  }
  for (const char* required : {"scenario", "grid"}) {
    if (!root[required])
      fail(SourcePos{path, 1, 1}, std::string("missing required key '") + required + "'");
  }
  if (!result.errors.empty()) return result;

  for (const char* scalar : {"name", "scenario"}) {
    if (root[scalar] && !root[scalar].IsScalar()) {
      fail(pos_of(path, root[scalar].Mark()), std::string(scalar) + ": expected a string");
    }
  }
  if (!result.errors.empty()) return result;
  spec.name = root["name"] ? root["name"].Scalar() : std::filesystem::path(path).stem().string();
  if (spec.name.empty() || spec.name.find_first_of("/\\") != std::string::npos ||
      spec.name == "." || spec.name == ".." ||
      scenario::first_unprintable_in_line(spec.name).has_value()) {
    const auto control = scenario::first_unprintable_in_line(spec.name);
    fail(pos_of(path, root["name"] ? root["name"].Mark() : root.Mark()),
         control ? "name: holds the control character " +
                       scenario::character_name(spec.name, *control) +
                       "; it names the results directory, so it is one line of text"
                 : "name: '" + spec.name + "' cannot name a results directory");
    return result;
  }
  spec.scenario_written = root["scenario"].Scalar();
  {
    const scenario::NamedFile named = scenario::resolve_named_file(path, spec.scenario_written);
    if (!named.path) {
      fail(pos_of(path, root["scenario"].Mark()),
           "scenario: cannot read '" + spec.scenario_written + "': " + named.error);
      return result;
    }
    spec.scenario_path = *named.path;
    scenario::InputText scenario_input =
        scenario::read_input_file(spec.scenario_path, scenario::kMaxScenarioFileBytes);
    if (!scenario_input.text) {
      fail(pos_of(path, root["scenario"].Mark()),
           "scenario: cannot read '" + spec.scenario_path + "': " + scenario_input.error);
      return result;
    }
    spec.scenario_text = std::move(*scenario_input.text);
    // The base scenario must be one itself: its own errors, with its own positions.
    const scenario::ParseResult base =
        scenario::parse_scenario_text(spec.scenario_text, spec.scenario_path, reader);
    if (!base.errors.empty()) {
      for (const ScenarioError& error : base.errors) result.errors.push_back(error);
      return result;
    }
  }
  if (const YAML::Node policies = root["policies"]) {
    if (!policies.IsSequence() || policies.size() == 0) {
      fail(pos_of(path, policies.Mark()), "policies: expected a list of policy names");
    } else {
      for (const YAML::Node& policy : policies) {
        if (!policy.IsScalar() || !comm::find_policy(policy.Scalar())) {
          fail(pos_of(path, policy.Mark()),
               "policies: unknown policy '" + (policy.IsScalar() ? policy.Scalar() : "?") + "'");
        } else if (std::find(spec.policies.begin(), spec.policies.end(), policy.Scalar()) !=
                   spec.policies.end()) {
          fail(pos_of(path, policy.Mark()), "policies: '" + policy.Scalar() + "' twice");
        }
        spec.policies.push_back(policy.IsScalar() ? policy.Scalar() : "");
      }
    }
  }
  const YAML::Node grid = root["grid"];
  if (!grid.IsMap() || grid.size() == 0) {
    fail(pos_of(path, grid.Mark()), "grid: expected a mapping of scenario keys to lists of values");
    return result;
  }
  std::size_t points = spec.policies.empty() ? 1 : spec.policies.size();
  constexpr std::size_t kMaxPoints = 100000;
  for (const auto& entry : grid) {
    const SourcePos key_pos = pos_of(path, entry.first.Mark());
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    // A comma links several keys; a plain key is taken as written.
    std::vector<std::string> parts = split(key, ',');
    if (parts.size() > 1) {
      for (std::string& part : parts) part = trimmed(part);
    }
    const bool linked = parts.size() > 1;
    const auto bad_part = std::find_if(parts.begin(), parts.end(),
                                       [](const std::string& p) { return !dotted_key(p); });
    if (!entry.first.IsScalar() || bad_part != parts.end()) {
      fail(key_pos, linked ? "grid: '" + *bad_part + "' in '" + key +
                                 "' is not a scenario key (dotted names, joined by commas to "
                                 "link them, e.g. topology.nodes,parallel.pipeline)"
                           : "grid: '" + key +
                                 "' is not a scenario key (dotted names, e.g. "
                                 "topology.network.bandwidth)");
      continue;
    }
    for (std::size_t i = 0; i < parts.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (overlap(parts[i], parts[j])) {
          fail(key_pos, "grid." + parts[i] + ": overlaps grid." + parts[j] + " (line " +
                            std::to_string(key_pos.line) + "); each key may be set once");
        }
      }
      for (const Parameter& other : spec.grid) {
        for (const std::string& other_part : other.parts) {
          if (overlap(parts[i], other_part)) {
            fail(key_pos, "grid." + parts[i] + ": overlaps grid." + other_part + " (line " +
                              std::to_string(other.pos.line) + "); each key may be set once");
          }
        }
      }
    }
    Parameter parameter{key, parts, {}, key_pos, {}};
    if (!entry.second.IsSequence() || entry.second.size() == 0) {
      fail(pos_of(path, entry.second.Mark()),
           "grid." + key +
               (linked ? ": expected a list of values, each a list of one value per key"
                       : ": expected a list of values"));
      continue;
    }
    for (const YAML::Node& value : entry.second) {
      parameter.value_pos.push_back(pos_of(path, value.Mark()));
      if (!linked) {
        parameter.values.push_back({scalar_text(value)});
        continue;
      }
      if (!value.IsSequence() || value.size() != parts.size()) {
        fail(pos_of(path, value.Mark()), "grid." + key + ": " + scalar_text(value) +
                                             " is not a list of " + std::to_string(parts.size()) +
                                             " values, one per key");
        continue;
      }
      std::vector<std::string> elements;
      for (const YAML::Node& element : value) elements.push_back(scalar_text(element));
      parameter.values.push_back(std::move(elements));
    }
    points = points > kMaxPoints ? points : points * parameter.values.size();
    spec.grid.push_back(std::move(parameter));
  }
  if (points > 100000)
    fail(pos_of(path, grid.Mark()), "grid: " + std::to_string(points) + " points; at most 100000");
  if (const YAML::Node metrics = root["metrics"]; metrics && !metrics.IsSequence()) {
    fail(pos_of(path, metrics.Mark()), "metrics: expected a list, e.g. [sim_time_s]");
  } else if (metrics) {
    for (const YAML::Node& metric : metrics) {
      const auto& names = metric_names();
      if (std::find(names.begin(), names.end(), metric.Scalar()) == names.end()) {
        std::string valid;
        for (const std::string& name : names) valid += (valid.empty() ? "" : ", ") + name;
        fail(pos_of(path, metric.Mark()),
             "metrics: unknown metric '" + metric.Scalar() + "'; valid: " + valid);
      }
      spec.metrics.push_back(metric.Scalar());
    }
  } else {
    spec.metrics = {"sim_time_s"};
  }
  if (const YAML::Node plot = root["plot"]) {
    if (!plot.IsMap()) {
      fail(pos_of(path, plot.Mark()), "plot: expected a mapping, e.g. { x: parallel.tensor }");
    } else {
      for (const auto& entry : plot) {
        if (entry.first.Scalar() != "x") {
          fail(pos_of(path, entry.first.Mark()),
               "plot: unknown key '" + entry.first.Scalar() + "'; valid: x");
          continue;
        }
        const std::string key = entry.second.IsScalar() ? entry.second.Scalar() : "";
        const std::vector<std::string> grid_keys = columns(spec);
        const bool known = std::find(grid_keys.begin(), grid_keys.end(), key) != grid_keys.end();
        if (!known) {
          fail(pos_of(path, entry.second.Mark()), "plot.x: '" + key + "' is not a grid key");
        }
        spec.plot_x = key;
      }
    }
  }
  if (!result.errors.empty()) return result;

  // Every point is a scenario: parse each, and report a bad one at the grid entries it comes from.
  for (const Point& point : grid_points(spec)) {
    const scenario::ParseResult parsed =
        scenario::parse_scenario_text(point_scenario_text(spec, point), spec.scenario_path, reader);
    if (parsed.errors.empty()) continue;
    std::string values;
    const std::vector<std::string> grid_keys = columns(spec);
    for (std::size_t i = 0; i < grid_keys.size(); ++i) {
      values += (values.empty() ? "" : ", ") + grid_keys[i] + "=" + point.values[i];
    }
    const std::string& message = parsed.errors.front().message;
    fail(grid_value_pos(spec, point, message),
         "grid point " + std::to_string(point.index) + " (" + values + "): " + message);
    return result;
  }
  result.spec = std::move(spec);
  return result;
}

}  // namespace commsim::sim::sweep
