// Sweep files: a base scenario and a grid of parameters (any scenario key, by its dotted path),
// run point by point by `commsim sweep`.
//
//   name: tp-allreduce-over-bandwidth
//   scenario: ../scenarios/topologies/fat-tree-tp2-pp4.yaml   # relative to the sweep file
//   policies: [vllm-pr40150-x86-revision, vllm-pr40150]                 # default: the scenario's own
//   grid:                                                      # every combination; last fastest
//     topology.network.bandwidth: [10Gbps, 25Gbps, 100Gbps]
//     parallel.pipeline: [2, 4]
//   metrics: [sim_time_s]                                      # columns, and what is plotted
//   plot: { x: topology.network.bandwidth }    # one line per combination of the other keys
//
// A linked grid key is several dotted keys joined by commas, set together: each of its values is
// a list of one value per key (so no combination outside the list is run), e.g.
//
//     topology.nodes,parallel.pipeline: [[1, 1], [2, 2], [4, 4]]
//
// It counts as one grid entry for the combinations and the plot's lines; each of its keys (its
// parts) is a column of the tables, and plot.x may name any of them.
//
// No SimGrid here: a point is a scenario text, parsed by the scenario parser like any file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario_parser.h"

namespace commsim::sim::sweep {

// What a point's CSV row can hold besides its parameters, in this order.
const std::vector<std::string>& metric_names();

// One grid entry: a plain key sets one scenario path, a linked key several.
struct Parameter {
  std::string key;                 // as written, e.g. "topology.network.bandwidth" or "a.b,c.d"
  std::vector<std::string> parts;  // the dotted scenario paths it sets: {key} for a plain key
  // Each of its values: one YAML value (as written) per part.
  std::vector<std::vector<std::string>> values;
  scenario::SourcePos pos;  // of the key in the sweep file
  std::vector<scenario::SourcePos> value_pos;  // of each of its values in the sweep file
};

struct SweepSpec {
  std::string path;  // the sweep file, as given
  std::string name;
  std::string scenario_written;       // the base scenario's path as the sweep file writes it
  std::string scenario_path;          // resolved relative to the sweep file
  std::string scenario_text;          // the base scenario's YAML
  std::vector<std::string> policies;  // empty: the scenario's own policy
  std::vector<Parameter> grid;        // in file order
  std::vector<std::string> metrics;
  std::string plot_x;  // a part of a grid entry ("" = the first entry's first)
};

// Every part of every grid entry, in file order: the columns of the tables, and the keys of a
// point's values.
std::vector<std::string> columns(const SweepSpec& spec);

struct SweepParse {
  std::optional<SweepSpec> spec;
  std::vector<scenario::ScenarioError> errors;  // "file:line:col: message", in file order
};

// Reads and checks a sweep file, and every point of its grid as a scenario (so that a bad value
// is reported before anything runs, at the grid entry that gives it).
SweepParse parse_sweep_file(const std::string& path, const scenario::PlatformFileReader& reader);
// The same for a sweep file's text; `path` names it in messages and places the files it names.
SweepParse parse_sweep_text(const std::string& text, const std::string& path,
                            const scenario::PlatformFileReader& reader);

// One point of the grid: its index in grid order (policies outermost), its policy and the value
// taken from each grid entry.
struct Point {
  int index = 0;
  std::string policy;                // "" = the scenario's own
  std::vector<std::size_t> choices;  // per grid entry, the index of its value
  std::vector<std::string> values;   // per column (see columns()), the YAML value set there
};

std::vector<Point> grid_points(const SweepSpec& spec);

// The base scenario with the point's values set at their keys (in column order), as YAML text.
std::string point_scenario_text(const SweepSpec& spec, const Point& point);

// The files a scenario text reads, resolved against `scenario_path`'s directory: node preset files
// (`preset: ./x.yaml` under topology.node or nodes) and topology.xml.file. Sorted, no repeats.
std::vector<std::string> referenced_files(const std::string& scenario_text,
                                          const std::string& scenario_path);

// What identifies a point's result: a hash of its scenario text, its policy and the contents of
// the files it reads (FNV-1a, 64 bits, in hex), so that a result left by another grid, another
// base scenario or an older preset or platform file is never taken for this point's.
std::string point_id(const SweepSpec& spec, const Point& point);

}  // namespace commsim::sim::sweep
