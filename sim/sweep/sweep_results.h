// The results of a sweep: one file per point, written whole as each point finishes (so an
// interrupted sweep resumes where it stopped, and shards can be joined), then one CSV and one
// JSON of all points, and plots of the sweep's metrics drawn by gnuplot when it is installed.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "results/run_record.h"
#include "sim/sweep/sweep_spec.h"

namespace commsim::sim::sweep {

// DIR/points/<index>.json.
std::filesystem::path point_file(const std::filesystem::path& dir, const Point& point);

// The point's file content: its index, id (point_id), policy, parameter values and metrics (or
// its error).
nlohmann::json point_json(const SweepSpec& spec, const Point& point, const std::string& policy,
                          const results::RunRecord* record, const std::string& error);

// Every file a sweep writes into `dir` (the tables, the point files, the plots and their inputs),
// for the check that none of them is an input (sim/cli/output_file.h).
std::vector<std::filesystem::path> sweep_outputs(const std::filesystem::path& dir,
                                                 const SweepSpec& spec);

// The finished points of `spec`'s grid found in `dir`, by index: a point counts when its file
// DIR/points/<index>.json reads as JSON and holds this point's id (the same scenario text and
// policy); it may hold an error. Other files are ignored; `stale` (if given) receives those that
// belong to another grid or scenario, or do not read.
std::map<int, nlohmann::json> finished_points(const std::filesystem::path& dir,
                                              const SweepSpec& spec,
                                              std::vector<std::string>* stale = nullptr);

// Writes DIR/sweep.csv and DIR/sweep.json from `points` (every point of the grid).
void write_tables(const std::filesystem::path& dir, const SweepSpec& spec,
                  const std::map<int, nlohmann::json>& points);

// Draws DIR/<metric>.svg and .png for every numeric metric with gnuplot. Returns "" when drawn,
// else why not (e.g. gnuplot is not installed). gnuplot runs in DIR on DIR/<metric>.gp, started
// without a shell; every text from the sweep file reaches the script through gnuplot_string
// (results/gnuplot_text.h) and the data file through gnuplot_data_string.
std::string draw_plots(const std::filesystem::path& dir, const SweepSpec& spec,
                       const std::map<int, nlohmann::json>& points);

}  // namespace commsim::sim::sweep
