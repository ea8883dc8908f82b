#include "sim/sweep/sweep_results.h"

#include <fcntl.h>
#include <sys/wait.h>
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
#include "results/csv_text.h"
#include "results/gnuplot_text.h"
#include "results/json_text.h"
#include "results/verdict.h"
#include "scenarios/outcome.h"
#include "sim/child_process.h"
#include "sim/cli/output_file.h"

namespace commsim::sim::sweep {

namespace {

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// Writes `text` to `path` as every commsim output is written (sim/cli/output_file.h).
void write_whole(const std::filesystem::path& path, const std::string& text) {
  cli::write_output({"--out", path.string()}, text);
}

// The gnuplot program found on PATH, or "" when there is none.
std::string find_gnuplot() {
  const char* search = std::getenv("PATH");
  std::istringstream directories(search != nullptr ? search : "/usr/bin:/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    const std::string candidate = (directory.empty() ? "." : directory) + "/gnuplot";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Runs `gnuplot SCRIPT` in `dir`, its output discarded; no shell reads any of it. Whether it
// exited 0.
bool run_gnuplot(const std::string& gnuplot, const std::filesystem::path& dir,
                 const std::string& script) {
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    die_with_parent(parent);
    const int null = ::open("/dev/null", O_RDWR);
    if (null < 0 || ::chdir(dir.c_str()) != 0) ::_exit(127);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    const char* argv[] = {"gnuplot", script.c_str(), nullptr};
    ::execv(gnuplot.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
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

std::vector<std::filesystem::path> sweep_outputs(const std::filesystem::path& dir,
                                                 const SweepSpec& spec) {
  std::vector<std::filesystem::path> files = {dir / "sweep.csv", dir / "sweep.json"};
  for (const Point& point : grid_points(spec)) files.push_back(point_file(dir, point));
  for (const std::string& metric : spec.metrics) {
    if (!numeric_metric(metric)) continue;
    for (const char* extension : {".dat", ".gp", ".svg", ".png"}) {
      files.push_back(dir / (metric + extension));
    }
  }
  return files;
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
  for (const std::string& key : keys) csv << "," << results::csv_field(key);
  for (const std::string& metric : spec.metrics) csv << "," << metric;
  csv << ",error\n";
  nlohmann::json all = nlohmann::json::array();
  for (const auto& [index, point] : points) {
    csv << index << "," << results::csv_field(point["policy"].get<std::string>());
    for (const std::string& key : keys) {
      csv << "," << results::csv_field(point["values"][key].get<std::string>());
    }
    for (const std::string& metric : spec.metrics) {
      csv << "," << results::csv_field(cell(point["metrics"].value(metric, nlohmann::json())));
    }
    csv << "," << results::csv_field(point.value("error", "")) << "\n";
    all.push_back(point);
  }
  write_whole(dir / "sweep.csv", csv.str());
  const nlohmann::json json = {{"sweep", spec.name},
                               {"scenario", spec.scenario_written},
                               {"metrics", spec.metrics},
                               {"points", all}};
  write_whole(dir / "sweep.json", results::json_file_text(json));
}

std::string draw_plots(const std::filesystem::path& dir, const SweepSpec& spec,
                       const std::map<int, nlohmann::json>& points) {
  const std::string gnuplot = find_gnuplot();
  if (gnuplot.empty()) {
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
      data << results::gnuplot_data_string(x_parameter.values[x][x_part]);
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
           << "set title " << results::gnuplot_string(spec.name + ": " + metric) << " noenhanced\n"
           << "set xlabel " << results::gnuplot_string(x_key) << " noenhanced\nset ylabel "
           << results::gnuplot_string(metric)
           << " noenhanced\nset key below noenhanced\nset grid\n";
    // Values over more than two decades of positive numbers read better on a log scale.
    if (smallest > 0 && largest / smallest > 100) script << "set logscale y\n";
    script << "set format y '%g'\n";
    std::string plot = "plot ";
    for (std::size_t i = 0; i < series.size(); ++i) {
      plot += (i ? ", " : "") + results::gnuplot_string(metric + ".dat") +
              " using 0:" + std::to_string(i + 2) + ":xtic(1) with linespoints title " +
              results::gnuplot_string(series[i]);
    }
    // The terminals draw text as it is (noenhanced): no markup from the sweep file applies.
    for (const auto& [terminal, extension] :
         {std::pair("svg size 900,540 dynamic noenhanced", ".svg"),
          std::pair("pngcairo size 900,540 noenhanced", ".png")}) {
      script << "set terminal " << terminal << "\nset output "
             << results::gnuplot_string(metric + extension) << "\n"
             << plot << "\n";
    }
    write_whole(dir / (metric + ".gp"), script.str());
    if (!run_gnuplot(gnuplot, dir, metric + ".gp")) {
      return "gnuplot failed on " + (dir / (metric + ".gp")).string();
    }
  }
  return "";
}

}  // namespace commsim::sim::sweep
