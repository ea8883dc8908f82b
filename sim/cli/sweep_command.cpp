// commsim sweep FILE: every point of a sweep's grid, in parallel processes, in shards, resumable;
// commsim sweep merge FILE --out DIR SHARD_DIR...: the shards joined.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "results/verdict.h"
#include "scenarios/scenario_parser.h"
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
    std::string lines;
    for (const auto& error : parsed.errors)
      lines += (lines.empty() ? "" : "\n") + error.to_string();
    throw UsageError(lines);
  }
  return std::move(*parsed.spec);
}

// K/N from --shard, else from a Slurm job array's variables, else 1/1.
std::pair<int, int> shard_of(const po::variables_map& vm) {
  std::string text;
  if (vm.count("shard")) {
    text = vm["shard"].as<std::string>();
  } else if (const char* id = std::getenv("SLURM_ARRAY_TASK_ID")) {
    const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
    const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
    if (count == nullptr) return {1, 1};
    text = std::to_string(std::atoi(id) - (min ? std::atoi(min) : 0) + 1) + "/" + count;
  } else {
    return {1, 1};
  }
  int k = 0;
  int n = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &k, &n, &extra) != 2 || n < 1 || k < 1 || k > n) {
    throw UsageError("--shard: expected K/N with 1 <= K <= N, got '" + text + "'");
  }
  return {k, n};
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
      results::apply_expectations(*record, scenario);
    } catch (const std::exception& failure) {
      error = failure.what();
    }
    sim::sweep::write_whole(
        sim::sweep::point_file(out, point),
        sim::sweep::point_json(spec, point, policy_name, record ? &*record : nullptr, error)
                .dump(2) +
            "\n");
  };
  std::vector<pid_t> workers;
  std::fflush(nullptr);
  for (int worker = 0; worker < jobs; ++worker) {
    const pid_t pid = ::fork();
    if (pid < 0) throw UsageError("--jobs: cannot start a worker process");
    if (pid == 0) {
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
      if (!done[w] && ::waitpid(workers[w], &status, WNOHANG) == workers[w]) {
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
  const auto points = sim::sweep::finished_points(out);
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
  fs::create_directories(out / "points");
  for (std::size_t i = 1; i < positional.size(); ++i) {
    const fs::path shard = positional[i];
    if (!fs::is_directory(shard))
      throw UsageError("commsim sweep merge: '" + shard.string() + "' is not a directory");
    for (const auto& [index, point] : sim::sweep::finished_points(shard)) {
      const fs::path target = out / "points" / (std::to_string(index) + ".json");
      if (!fs::exists(target)) sim::sweep::write_whole(target, point.dump(2) + "\n");
    }
  }
  return finish(spec, out, /*sharded=*/false);
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
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

  const auto done = sim::sweep::finished_points(out);
  std::vector<Point> todo;
  std::size_t mine = 0;
  for (const Point& point : sim::sweep::grid_points(spec)) {
    if (point.index % shards != shard - 1) continue;
    ++mine;
    if (done.find(point.index) == done.end()) todo.push_back(point);
  }
  std::cout << "sweep " << spec.name << ": " << mine << " points"
            << (shards > 1 ? " in shard " + std::to_string(shard) + "/" + std::to_string(shards)
                           : "")
            << ", " << mine - todo.size() << " already done, " << todo.size() << " to run\n"
            << std::flush;
  if (!todo.empty())
    run_points(spec, todo, out, std::min<int>(jobs, static_cast<int>(todo.size())));
  return finish(spec, out, shards > 1);
}

}  // namespace commsim::cli
