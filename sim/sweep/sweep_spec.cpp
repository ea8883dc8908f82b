#include "sim/sweep/sweep_spec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
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
      "sim_time_s", "collective_time_s", "dicts_delivered", "collectives",
      "max_rel_l2", "deadlock",          "verdict"};
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

  spec.name = root["name"] ? root["name"].Scalar() : std::filesystem::path(path).stem().string();
  const std::filesystem::path written(root["scenario"].Scalar());
  const std::filesystem::path beside = std::filesystem::path(path).parent_path();
  spec.scenario_path = (written.is_absolute() || beside.empty() ? written : beside / written)
                           .lexically_normal()
                           .string();
  {
    std::ifstream scenario_in(spec.scenario_path);
    if (!scenario_in) {
      fail(pos_of(path, root["scenario"].Mark()),
           "scenario: cannot read '" + spec.scenario_path + "'");
      return result;
    }
    std::ostringstream text;
    text << scenario_in.rdbuf();
    spec.scenario_text = text.str();
  }
  if (const YAML::Node policies = root["policies"]) {
    if (!policies.IsSequence() || policies.size() == 0) {
      fail(pos_of(path, policies.Mark()), "policies: expected a list of policy names");
    } else {
      for (const YAML::Node& policy : policies) {
        if (!comm::find_policy(policy.Scalar())) {
          fail(pos_of(path, policy.Mark()), "policies: unknown policy '" + policy.Scalar() + "'");
        }
        spec.policies.push_back(policy.Scalar());
      }
    }
  }
  const YAML::Node grid = root["grid"];
  if (!grid.IsMap() || grid.size() == 0) {
    fail(pos_of(path, grid.Mark()), "grid: expected a mapping of scenario keys to lists of values");
    return result;
  }
  std::size_t points = spec.policies.empty() ? 1 : spec.policies.size();
  for (const auto& entry : grid) {
    Parameter parameter{entry.first.Scalar(), {}, pos_of(path, entry.first.Mark())};
    if (!entry.second.IsSequence() || entry.second.size() == 0) {
      fail(pos_of(path, entry.second.Mark()),
           "grid." + parameter.key + ": expected a list of values");
      continue;
    }
    for (const YAML::Node& value : entry.second) parameter.values.push_back(scalar_text(value));
    points *= parameter.values.size();
    spec.grid.push_back(std::move(parameter));
  }
  if (points > 100000)
    fail(pos_of(path, grid.Mark()), "grid: " + std::to_string(points) + " points; at most 100000");
  if (const YAML::Node metrics = root["metrics"]) {
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
    for (const char* which : {"x", "series"}) {
      if (!plot[which]) continue;
      const std::string key = plot[which].Scalar();
      const bool known = std::any_of(spec.grid.begin(), spec.grid.end(),
                                     [&key](const Parameter& p) { return p.key == key; });
      if (!known) {
        fail(pos_of(path, plot[which].Mark()),
             std::string("plot.") + which + ": '" + key + "' is not a grid key");
      }
      (std::string(which) == "x" ? spec.plot_x : spec.plot_series) = key;
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
