#include "sim/sweep/sweep_results.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "scenarios/input_file.h"
#include "results/verdict.h"
#include "scenarios/outcome.h"

namespace commsim::sim::sweep {

namespace {

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// `text` as a gnuplot single-quoted string: no escapes, no backquote substitution; ' doubled.
std::string gnuplot_string(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

// `text` as a single-quoted shell word.
std::string shell_word(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A model metric the run did not get far enough for is null: tables leave the cell empty and
// plots leave a gap.
nlohmann::json or_null(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

bool numeric_metric(const std::string& metric) {
  return metric != "verdict" && metric != "deadlock";
}

}  // namespace

std::filesystem::path point_file(const std::filesystem::path& dir, const Point& point) {
  return dir / "points" / (std::to_string(point.index) + ".json");
}

nlohmann::json point_json(const SweepSpec& spec, const Point& point, const std::string& policy,
                          const results::RunRecord* record, const std::string& error) {
  nlohmann::json values = nlohmann::json::object();
  const std::vector<std::string> keys = columns(spec);
  for (std::size_t i = 0; i < keys.size(); ++i) values[keys[i]] = point.values[i];
  nlohmann::json metrics = nlohmann::json::object();
  if (record != nullptr) {
    metrics = {{"sim_time_s", record->sim_time_s},
               {"collective_time_s", record->data.collective_time_s},
               {"dicts_delivered", record->data.dicts_delivered},
               {"collectives", record->data.collectives},
               {"max_rel_l2", record->data.max_rel_l2},
               {"prefill_time_s", or_null(results::prefill_time_s(record->data))},
               {"decode_step_time_s", or_null(results::mean_decode_step_s(record->data))},
               {"deadlock", record->deadlock},
               {"verdict", record->verdict == results::Verdict::kPass   ? "pass"
                           : record->verdict == results::Verdict::kFail ? "fail"
                                                                        : "unchecked"}};
  }
  nlohmann::json json = {{"index", point.index},
                         {"id", point_id(spec, point)},
                         {"policy", policy},
                         {"values", values},
                         {"metrics", metrics}};
  if (!error.empty()) json["error"] = error;
  return json;
}

void write_whole(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += "." + std::to_string(::getpid()) + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, path);
}

std::map<int, nlohmann::json> finished_points(const std::filesystem::path& dir,
                                              const SweepSpec& spec,
                                              std::vector<std::string>* stale) {
  std::map<int, nlohmann::json> points;
  for (const Point& point : grid_points(spec)) {
    const std::filesystem::path file = point_file(dir, point);
    std::error_code missing;
    if (!std::filesystem::exists(file, missing)) continue;
    // A point file that is not one (a device, a huge file, broken JSON) is stale: it reruns.
    const scenario::InputText input =
        scenario::read_input_file(file.string(), scenario::kMaxRecordFileBytes);
    const auto json = input.text ? nlohmann::json::parse(*input.text, nullptr,
                                                         /*allow_exceptions=*/false)
                                 : nlohmann::json();
    const bool ours = json.is_object() && json.value("index", -1) == point.index &&
                      json.value("id", std::string()) == point_id(spec, point) &&
                      json.contains("values") && json.contains("metrics");
    if (!ours) {
      if (stale != nullptr) stale->push_back(file.string());
      continue;
    }
    points[point.index] = json;
  }
  return points;
}

void write_tables(const std::filesystem::path& dir, const SweepSpec& spec,
                  const std::map<int, nlohmann::json>& points) {
  std::ostringstream csv;
  const std::vector<std::string> keys = columns(spec);
  csv << "index,policy";
  for (const std::string& key : keys) csv << "," << csv_cell(key);
  for (const std::string& metric : spec.metrics) csv << "," << metric;
  csv << ",error\n";
  nlohmann::json all = nlohmann::json::array();
  for (const auto& [index, point] : points) {
    csv << index << "," << csv_cell(point["policy"].get<std::string>());
    for (const std::string& key : keys) {
      csv << "," << csv_cell(point["values"][key].get<std::string>());
    }
    for (const std::string& metric : spec.metrics) {
      csv << "," << csv_cell(cell(point["metrics"].value(metric, nlohmann::json())));
    }
    csv << "," << csv_cell(point.value("error", "")) << "\n";
    all.push_back(point);
  }
  write_whole(dir / "sweep.csv", csv.str());
  const nlohmann::json json = {{"sweep", spec.name},
                               {"scenario", spec.scenario_written},
                               {"metrics", spec.metrics},
                               {"points", all}};
  write_whole(dir / "sweep.json", json.dump(2) + "\n");
}

std::string draw_plots(const std::filesystem::path& dir, const SweepSpec& spec,
                       const std::map<int, nlohmann::json>& points) {
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    return "gnuplot is not installed (Debian: gnuplot-nox); the CSV and JSON hold every point";
  }
  const std::string x_key = spec.plot_x.empty() ? spec.grid.front().parts.front() : spec.plot_x;
  // The grid entry x belongs to, and its part there.
  std::size_t x_entry = 0;
  std::size_t x_part = 0;
  for (std::size_t e = 0; e < spec.grid.size(); ++e) {
    const std::vector<std::string>& parts = spec.grid[e].parts;
    const auto found = std::find(parts.begin(), parts.end(), x_key);
    if (found != parts.end()) {
      x_entry = e;
      x_part = static_cast<std::size_t>(found - parts.begin());
      break;
    }
  }
  const Parameter& x_parameter = spec.grid[x_entry];
  // One line per combination of the other grid entries (and the policy, when there are several);
  // along a line, one row per value of x's entry.
  const std::vector<Point> grid = grid_points(spec);
  std::vector<std::string> series;
  std::map<std::string, std::map<std::size_t, nlohmann::json>> by_series;  // series -> x -> point
  for (const auto& [index, point] : points) {
    if (index < 0 || static_cast<std::size_t>(index) >= grid.size()) continue;
    const Point& at = grid[static_cast<std::size_t>(index)];
    std::string label = spec.policies.size() > 1 ? point["policy"].get<std::string>() : "";
    for (std::size_t e = 0; e < spec.grid.size(); ++e) {
      if (e == x_entry) continue;
      for (const std::string& part : spec.grid[e].parts) {
        label += (label.empty() ? "" : " ") + part + "=" + point["values"][part].get<std::string>();
      }
    }
    if (label.empty()) label = spec.name;
    if (by_series.find(label) == by_series.end()) series.push_back(label);
    by_series[label][at.choices[x_entry]] = point;
  }
  for (const std::string& metric : spec.metrics) {
    if (!numeric_metric(metric)) continue;
    // Plots of an earlier run must not pass for this one's.
    for (const char* extension : {".svg", ".png"}) {
      std::error_code ignored;
      std::filesystem::remove(dir / (metric + extension), ignored);
    }
    // The data: one row per x value (in grid order), one column per series.
    std::ostringstream data;
    double smallest = 0;
    double largest = 0;
    for (std::size_t x = 0; x < x_parameter.values.size(); ++x) {
      std::string x_label = x_parameter.values[x][x_part];  // the data file quotes it with "
      for (char& c : x_label) c = c == '"' ? '\'' : c;
      data << '"' << x_label << '"';
      for (const std::string& label : series) {
        const auto found = by_series[label].find(x);
        const nlohmann::json value = found == by_series[label].end()
                                         ? nlohmann::json()
                                         : found->second["metrics"].value(metric, nlohmann::json());
        data << ' ' << (value.is_number() ? value.dump() : std::string("NaN"));
        if (value.is_number()) {
          const double v = value.get<double>();
          smallest = smallest == 0 || v < smallest ? v : smallest;
          largest = std::max(largest, v);
        }
      }
      data << '\n';
    }
    if (largest == 0 && smallest == 0) continue;  // no numbers, or only zeros: nothing to draw
    write_whole(dir / (metric + ".dat"), data.str());
    std::ostringstream script;
    script << "set datafile missing 'NaN'\n"
           << "set title " << gnuplot_string(spec.name + ": " + metric) << " noenhanced\n"
           << "set xlabel " << gnuplot_string(x_key) << " noenhanced\nset ylabel "
           << gnuplot_string(metric) << " noenhanced\nset key below noenhanced\nset grid\n";
    // Values over more than two decades of positive numbers read better on a log scale.
    if (smallest > 0 && largest / smallest > 100) script << "set logscale y\n";
    script << "set format y '%g'\n";
    std::string plot = "plot ";
    for (std::size_t i = 0; i < series.size(); ++i) {
      plot += (i ? ", " : "") + gnuplot_string((dir / (metric + ".dat")).string()) +
              " using 0:" + std::to_string(i + 2) + ":xtic(1) with linespoints title " +
              gnuplot_string(series[i]);
    }
    for (const auto& [terminal, extension] : {std::pair("svg size 900,540 dynamic", ".svg"),
                                              std::pair("pngcairo size 900,540", ".png")}) {
      script << "set terminal " << terminal << "\nset output "
             << gnuplot_string((dir / (metric + extension)).string()) << "\n"
             << plot << "\n";
    }
    write_whole(dir / (metric + ".gp"), script.str());
    const std::string command =
        "gnuplot " + shell_word((dir / (metric + ".gp")).string()) + " > /dev/null 2>&1";
    if (std::system(command.c_str()) != 0)
      return "gnuplot failed on " + (dir / (metric + ".gp")).string();
  }
  return "";
}

}  // namespace commsim::sim::sweep
