#include "sim/sweep/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "communicators/policy.h"

namespace commsim::sim::sweep {

namespace {

using scenario::ScenarioError;
using scenario::SourcePos;

SourcePos pos_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return SourcePos{file, 0, 0};
  return SourcePos{file, mark.line + 1, mark.column + 1};
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::stringstream text(key);
  for (std::string part; std::getline(text, part, '.');) parts.push_back(part);
  return parts;
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
      Point point{static_cast<int>(points.size()), policy, {}};
      for (std::size_t i = 0; i < spec.grid.size(); ++i)
        point.values.push_back(spec.grid[i].values[at[i]]);
      points.push_back(std::move(point));
      // The last parameter varies fastest.
      std::size_t i = spec.grid.size();
      while (i > 0 && ++at[i - 1] == spec.grid[i - 1].values.size()) at[--i] = 0;
      if (i == 0) break;
    }
  }
  return points;
}

std::string point_id(const SweepSpec& spec, const Point& point) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const std::string& part :
       {point_scenario_text(spec, point), std::string(1, '\0'), point.policy}) {
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
  for (std::size_t i = 0; i < spec.grid.size(); ++i)
    set_at(root, spec.grid[i].key, point.values[i]);
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

SweepParse parse_sweep_file(const std::string& path, const scenario::PlatformFileReader& reader) {
  SweepParse result;
  const auto fail = [&](SourcePos where, std::string message) {
    result.errors.push_back(ScenarioError{std::move(where), std::move(message)});
  };
  std::ifstream in(path);
  if (!in) {
    fail(SourcePos{path, 0, 0}, "cannot read sweep file");
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& error) {
    fail(pos_of(path, error.mark), "YAML syntax error: " + error.msg);
    return result;
  }
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
      spec.name == "." || spec.name == "..") {
    fail(pos_of(path, root["name"] ? root["name"].Mark() : root.Mark()),
         "name: '" + spec.name + "' cannot name a results directory");
    return result;
  }
  spec.scenario_written = root["scenario"].Scalar();
  const std::filesystem::path written(spec.scenario_written);
  const std::filesystem::path beside = std::filesystem::path(path).parent_path();
  spec.scenario_path = (written.is_absolute() || beside.empty() ? written : beside / written)
                           .lexically_normal()
                           .string();
  {
    std::error_code ignored;
    std::ifstream scenario_in(spec.scenario_path);
    if (!std::filesystem::is_regular_file(spec.scenario_path, ignored) || !scenario_in) {
      fail(pos_of(path, root["scenario"].Mark()),
           "scenario: cannot read '" + spec.scenario_path + "'");
      return result;
    }
    std::ostringstream text;
    text << scenario_in.rdbuf();
    spec.scenario_text = text.str();
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
    const std::vector<std::string> parts = split_key(key);
    const bool well_formed =
        entry.first.IsScalar() && !key.empty() && key.back() != '.' &&
        std::none_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); });
    if (!well_formed) {
      fail(key_pos, "grid: '" + key +
                        "' is not a scenario key (dotted names, e.g. "
                        "topology.network.bandwidth)");
      continue;
    }
    for (const Parameter& other : spec.grid) {
      const bool overlap = other.key == key || key.rfind(other.key + ".", 0) == 0 ||
                           other.key.rfind(key + ".", 0) == 0;
      if (overlap) {
        fail(key_pos, "grid." + key + ": overlaps grid." + other.key + " (line " +
                          std::to_string(other.pos.line) + "); each key may be set once");
      }
    }
    Parameter parameter{key, {}, key_pos};
    if (!entry.second.IsSequence() || entry.second.size() == 0) {
      fail(pos_of(path, entry.second.Mark()), "grid." + key + ": expected a list of values");
      continue;
    }
    for (const YAML::Node& value : entry.second) parameter.values.push_back(scalar_text(value));
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
        const bool known = std::any_of(spec.grid.begin(), spec.grid.end(),
                                       [&key](const Parameter& p) { return p.key == key; });
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
    for (std::size_t i = 0; i < spec.grid.size(); ++i) {
      values += (values.empty() ? "" : ", ") + spec.grid[i].key + "=" + point.values[i];
    }
    fail(spec.grid.front().pos, "grid point " + std::to_string(point.index) + " (" + values +
                                    "): " + parsed.errors.front().message);
    return result;
  }
  result.spec = std::move(spec);
  return result;
}

}  // namespace commsim::sim::sweep
