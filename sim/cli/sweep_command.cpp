// commsim sweep FILE: every point of a sweep's grid, in parallel processes, in shards, resumable;
// commsim sweep merge FILE --out DIR SHARD_DIR...: the shards joined.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "results/verdict.h"
#include "scenarios/scenario_parser.h"
#include "sim/child_process.h"
#include "sim/cli/cli_support.h"
#include "sim/cli/commands.h"
#include "sim/platform_file.h"
#include "sim/runtime.h"
#include "sim/sweep/sweep_results.h"
#include "sim/sweep/sweep_spec.h"

namespace commsim::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using sim::sweep::Point;
using sim::sweep::SweepSpec;

namespace {

SweepSpec load_sweep(const std::string& path) {
  sim::sweep::SweepParse parsed = sim::sweep::parse_sweep_file(path, &sim::read_platform_file);
  if (!parsed.errors.empty()) {
    std::vector<std::string> lines;
    for (const auto& error : parsed.errors) lines.push_back(error.to_string());
    throw UsageError(lines);
  }
  return std::move(*parsed.spec);
}

// A whole number from `text`, or nullopt.
std::optional<long> whole_number(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0') return std::nullopt;
  return value;
}

// K/N from --shard, else from a Slurm job array's variables (task K of N, numbered with the
// array's MIN and STEP), else 1/1.
std::pair<int, int> shard_of(const po::variables_map& vm) {
  if (vm.count("shard")) {
    const std::string text = vm["shard"].as<std::string>();
    const std::size_t slash = text.find('/');
    const auto k = whole_number(text.substr(0, slash).c_str());
    const auto n =
        slash == std::string::npos ? std::nullopt : whole_number(text.substr(slash + 1).c_str());
    if (!k || !n || *n < 1 || *n > 100000 || *k < 1 || *k > *n) {
      throw UsageError("--shard: expected K/N with 1 <= K <= N <= 100000, got '" + text + "'");
    }
    return {static_cast<int>(*k), static_cast<int>(*n)};
  }
  const char* id_text = std::getenv("SLURM_ARRAY_TASK_ID");
  if (id_text == nullptr) return {1, 1};
  const auto id = whole_number(id_text);
  const auto count = whole_number(std::getenv("SLURM_ARRAY_TASK_COUNT"));
  const auto min = whole_number(std::getenv("SLURM_ARRAY_TASK_MIN"));
  const char* step_text = std::getenv("SLURM_ARRAY_TASK_STEP");
  const auto step = step_text ? whole_number(step_text) : std::optional<long>(1);
  if (!id || !count || !min || !step || *step < 1 || *count < 1 || (*id - *min) % *step != 0 ||
      (*id - *min) / *step >= *count || *id < *min) {
    throw UsageError(
        "--shard: the Slurm job array's SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT do not name "
        "a task of a contiguous array (give --shard K/N instead)");
  }
  return {static_cast<int>((*id - *min) / *step + 1), static_cast<int>(*count)};
}

// Refuses (UsageError) an output file of the sweep in `out` that is one of its inputs: the sweep
// file, its scenario and the files the scenario reads.
void check_sweep_outputs(const std::string& sweep_path, const SweepSpec& spec,
                         const fs::path& out) {
  std::vector<InputFile> inputs = {{"the sweep file", sweep_path},
                                   {"the sweep's scenario", spec.scenario_path}};
  for (const std::string& file :
       sim::sweep::referenced_files(spec.scenario_text, spec.scenario_path)) {
    inputs.push_back({"a file the sweep's scenario reads", file});
  }
  std::vector<OutputFile> outputs;
  for (const fs::path& file : sim::sweep::sweep_outputs(out, spec)) {
    outputs.push_back({"--out", file.string()});
  }
  check_outputs(outputs, inputs);
}

// Runs `points` (none of them done yet) and writes each one's file; in `jobs` processes.
void run_points(const SweepSpec& spec, const std::vector<Point>& points, const fs::path& out,
                int jobs) {
  const auto run_one = [&](const Point& point) {
    const scenario::ParseResult parsed = scenario::parse_scenario_text(
        sim::sweep::point_scenario_text(spec, point), spec.scenario_path, &sim::read_platform_file);
    const scenario::Scenario& scenario = *parsed.scenario;  // checked by parse_sweep_file
    const std::string policy_name = point.policy.empty() ? scenario.policy : point.policy;
    std::string error;
    std::optional<results::RunRecord> record;
    try {
      record = sim::run_isolated(scenario, *comm::find_policy(policy_name));
      if (!record->simulation_failure.empty()) {
        // A point whose simulation died has no metrics: its file says why.
        error = "simulation failed: " + record->simulation_failure;
        record.reset();
      } else {
        results::apply_expectations(*record, scenario);
      }
    } catch (const std::exception& failure) {
      error = failure.what();
    }
    write_json_output(
        {"--out", sim::sweep::point_file(out, point).string()},
        sim::sweep::point_json(spec, point, policy_name, record ? &*record : nullptr, error));
  };
  std::vector<pid_t> workers;
  std::fflush(nullptr);
  const pid_t sweep = ::getpid();
  for (int worker = 0; worker < jobs; ++worker) {
    const pid_t pid = ::fork();
    if (pid < 0) throw UsageError("--jobs: cannot start a worker process");
    if (pid == 0) {
      sim::die_with_parent(sweep);  // the sweep stopped: so do its workers
      int code = 0;
      try {
        for (std::size_t i = static_cast<std::size_t>(worker); i < points.size();
             i += static_cast<std::size_t>(jobs)) {
          run_one(points[i]);
        }
      } catch (const std::exception& failure) {
        std::fprintf(stderr, "commsim sweep: %s\n", failure.what());
        code = 3;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    workers.push_back(pid);
  }
  // Progress, on a terminal: a bar and an estimate of the time left, from the points done so far.
  const bool terminal = ::isatty(STDOUT_FILENO) != 0;
  const auto started = std::chrono::steady_clock::now();
  std::size_t running = workers.size();
  std::vector<bool> done(workers.size(), false);
  while (running > 0) {
    for (std::size_t w = 0; w < workers.size(); ++w) {
      int status = 0;
      if (done[w]) continue;
      const pid_t waited = ::waitpid(workers[w], &status, WNOHANG);
      if (waited == workers[w] || (waited < 0 && errno != EINTR)) {
        done[w] = true;
        --running;
      }
    }
    if (terminal) {
      std::size_t finished = 0;
      for (const Point& point : points) finished += fs::exists(sim::sweep::point_file(out, point));
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const int width = 30;
      const int filled =
          static_cast<int>(width * finished / std::max<std::size_t>(1, points.size()));
      std::cout << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
                << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << finished
                << "/" << points.size() << " points";
      if (finished > 0 && finished < points.size()) {
        std::cout << ", about "
                  << static_cast<int>(elapsed / finished * (points.size() - finished) + 0.5)
                  << " s left   ";
      }
      std::cout << std::flush;
    }
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (terminal) std::cout << "\n";
}

// Writes the tables and plots when every point of the grid is in `out`; says what is missing
// otherwise (`sharded`: other shards may bring it). Returns the exit code.
int finish(const SweepSpec& spec, const fs::path& out, bool sharded) {
  const std::vector<Point> grid = sim::sweep::grid_points(spec);
  const auto points = sim::sweep::finished_points(out, spec);
  std::size_t missing = 0;
  for (const Point& point : grid) missing += points.find(point.index) == points.end();
  if (missing > 0) {
    std::cout << "sweep " << spec.name << ": " << points.size() << " of " << grid.size()
              << " points in " << out.string()
              << (sharded ? "; run the other shards, then commsim sweep merge\n"
                          : "; the others did not finish: run the sweep again to resume\n");
    return sharded ? kExitPass : kExitFail;
  }
  sim::sweep::write_tables(out, spec, points);
  std::cout << "sweep " << spec.name << ": " << grid.size()
            << " points: " << (out / "sweep.csv").string() << ", " << (out / "sweep.json").string()
            << "\n";
  const std::string why = sim::sweep::draw_plots(out, spec, points);
  if (why.empty()) {
    for (const std::string& metric : spec.metrics) {
      if (metric == "verdict" || metric == "deadlock") continue;
      std::cout << "plot: " << (out / (metric + ".svg")).string() << ", "
                << (out / (metric + ".png")).string() << "\n";
    }
  } else {
    std::cout << "no plots: " << why << "\n";
  }
  int errors = 0;
  for (const auto& [index, point] : points) errors += point.contains("error");
  if (errors > 0) std::cout << errors << " point(s) failed to run; see the error column\n";
  return errors > 0 ? kExitFail : kExitPass;
}

int merge_command(const std::vector<std::string>& args) {
  po::options_description options("commsim sweep merge SWEEP --out DIR SHARD_DIR... [options]");
  options.add_options()("help,h", "show this help")  //
      ("out", po::value<std::string>(), "the directory to join the shards' points into");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options;
    return kExitPass;
  }
  const std::vector<std::string> positional = scenario_paths(vm);
  if (positional.size() < 2)
    throw UsageError("commsim sweep merge: give the sweep file and shard directories");
  if (!vm.count("out")) throw UsageError("commsim sweep merge: --out DIR is required");
  const SweepSpec spec = load_sweep(positional.front());
  const fs::path out = vm["out"].as<std::string>();
  std::error_code made;
  fs::create_directories(out / "points", made);
  if (!fs::is_directory(out / "points", made)) {
    throw UsageError("--out: cannot make '" + out.string() + "'");
  }
  check_sweep_outputs(positional.front(), spec, out);
  auto present = sim::sweep::finished_points(out, spec);  // what the output holds so far
  for (std::size_t i = 1; i < positional.size(); ++i) {
    const fs::path shard = positional[i];
    if (!fs::is_directory(shard))
      throw UsageError("commsim sweep merge: '" + shard.string() + "' is not a directory");
    std::vector<std::string> stale;
    for (const auto& [index, point] : sim::sweep::finished_points(shard, spec, &stale)) {
      // A point that ran without error wins over one that failed.
      const auto found = present.find(index);
      if (found == present.end() || (found->second.contains("error") && !point.contains("error"))) {
        write_json_output({"--out", (out / "points" / (std::to_string(index) + ".json")).string()},
                          point);
        present[index] = point;
      }
    }
    for (const std::string& file : stale) {
      std::cout << "merge: ignoring " << file << ": not a point of this sweep\n";
    }
  }
  return finish(spec, out, /*sharded=*/false);
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  // Worker processes are waited for: an inherited "ignore SIGCHLD" would hide their ends.
  std::signal(SIGCHLD, SIG_DFL);
  if (!args.empty() && args.front() == "merge") {
    return merge_command(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  po::options_description options("commsim sweep SWEEP [options]");
  options.add_options()                                                               //
      ("help,h", "show this help")                                                    //
      ("out", po::value<std::string>(), "results directory (default: sweep-<name>)")  //
      ("jobs", po::value<int>()->default_value(1),
       "points run at once, each in its own process")  //
      ("shard", po::value<std::string>(),
       "run shard K of N (K/N) of the grid; default from a Slurm job array's variables");
  const po::variables_map vm = parse_command_line(args, options);
  if (vm.count("help")) {
    std::cout << options
              << "\nRuns every point of the sweep file's grid and writes, under the results\n"
                 "directory, one file per point (an interrupted sweep resumes where it stopped),\n"
                 "then sweep.csv, sweep.json and plots of its metrics (gnuplot). See\n"
                 "results/studies/README.md for the sweep file.\n";
    return kExitPass;
  }
  const std::vector<std::string> positional = scenario_paths(vm);
  if (positional.size() != 1) throw UsageError("commsim sweep: give one sweep file");
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1 || jobs > 256) throw UsageError("--jobs: expected 1 to 256");
  const auto [shard, shards] = shard_of(vm);
  const SweepSpec spec = load_sweep(positional.front());
  const fs::path out =
      vm.count("out") ? fs::path(vm["out"].as<std::string>()) : fs::path("sweep-" + spec.name);
  std::error_code error;
  fs::create_directories(out / "points", error);
  if (!fs::is_directory(out / "points"))
    throw UsageError("--out: cannot make '" + out.string() + "'");
  check_sweep_outputs(positional.front(), spec, out);

  std::vector<std::string> stale;
  const auto done = sim::sweep::finished_points(out, spec, &stale);
  for (const std::string& file : stale) {
    std::cout << "sweep: " << file << " is not a point of this sweep (another grid or scenario): "
              << "running it again\n";
  }
  std::vector<Point> todo;
  std::size_t mine = 0;
  for (const Point& point : sim::sweep::grid_points(spec)) {
    if (point.index % shards != shard - 1) continue;
    ++mine;
    // Points that failed run again: a simulation that crashed may not crash twice.
    const auto found = done.find(point.index);
    if (found == done.end() || found->second.contains("error")) todo.push_back(point);
  }
  std::cout << "sweep " << spec.name << ": " << mine << " points"
            << (shards > 1 ? " in shard " + std::to_string(shard) + "/" + std::to_string(shards)
                           : "")
            << ", " << mine - todo.size() << " already done, " << todo.size() << " to run\n"
            << std::flush;
  if (!todo.empty())
    run_points(spec, todo, out, std::min<int>(jobs, static_cast<int>(todo.size())));
  if (shards > 1) {
    // A shard answers for its own points: a Slurm task fails when one of them did not run.
    const auto finished = sim::sweep::finished_points(out, spec);
    std::size_t bad = 0;
    for (const Point& point : sim::sweep::grid_points(spec)) {
      if (point.index % shards != shard - 1) continue;
      const auto found = finished.find(point.index);
      bad += found == finished.end() || found->second.contains("error");
    }
    if (bad > 0) {
      std::cout << "shard " << shard << "/" << shards << ": " << bad
                << " of its points failed or did not finish; run it again to resume\n";
      return kExitFail;
    }
  }
  return finish(spec, out, shards > 1);
}

}  // namespace commsim::cli
