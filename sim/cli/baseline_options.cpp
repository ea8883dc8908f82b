#include "sim/cli/baseline_options.h"

#include <filesystem>
#include <fstream>

#include "scenarios/input_file.h"
#include "results/baseline.h"
#include "results/record_json.h"
#include "sim/cli/cli_support.h"

namespace commsim::cli {

namespace po = boost::program_options;

void BaselineOptions::add_to(po::options_description& options) {
  options.add_options()  //
      ("baseline", po::value<std::string>(),
       "compare each run with DIR/<scenario>@<policy>.json; a drift fails the run")  //
      ("record-baseline", po::value<std::string>(),
       "write each run's record to DIR/<scenario>@<policy>.json, replacing the old one")  //
      ("baseline-tolerance",
       po::value<double>()->default_value(results::kDefaultBaselineTolerance, "1e-9"),
       "relative tolerance on simulated times for --baseline");
}

BaselineOptions::BaselineOptions(const po::variables_map& vm)
    : tolerance_(vm["baseline-tolerance"].as<double>()) {
  if (vm.count("baseline") && vm.count("record-baseline")) {
    throw UsageError("--baseline and --record-baseline: give one (compare, or re-record)");
  }
  if (!(tolerance_ >= 0 && tolerance_ < 1)) {
    throw UsageError("--baseline-tolerance: expected a relative tolerance in [0, 1)");
  }
  if (!vm["baseline-tolerance"].defaulted() && !vm.count("baseline")) {
    throw UsageError("--baseline-tolerance: only with --baseline");
  }
  std::error_code ignored;
  if (vm.count("baseline")) {
    compare_dir_ = vm["baseline"].as<std::string>();
    if (!std::filesystem::is_directory(*compare_dir_, ignored)) {
      throw UsageError("--baseline: '" + *compare_dir_ + "' is not a directory");
    }
  }
  if (vm.count("record-baseline")) record_dir_ = vm["record-baseline"].as<std::string>();
}

void BaselineOptions::prepare(const std::vector<std::array<std::string, 3>>& runs) {
  if (!compare_dir_ && !record_dir_) return;
  std::map<std::string, std::string> path_of;  // file name -> scenario path
  for (const auto& [scenario, policy, path] : runs) {
    const std::string name = results::baseline_file_name(scenario, policy);
    const auto [found, added] = path_of.emplace(name, path);
    if (!added) {
      throw UsageError(std::string(compare_dir_ ? "--baseline" : "--record-baseline") + ": " +
                       found->second + " and " + path + " would both be " + name +
                       "; give the scenarios distinct names");
    }
  }
  if (record_dir_) {
    std::error_code ignored;
    std::filesystem::create_directories(*record_dir_, ignored);
    if (!std::filesystem::is_directory(*record_dir_, ignored)) {
      throw UsageError("--record-baseline: cannot make the directory '" + *record_dir_ + "'");
    }
    for (const auto& [name, path] : path_of) planned_.push_back(name);
    return;
  }
  for (const auto& [name, path] : path_of) {
    const std::filesystem::path file = std::filesystem::path(*compare_dir_) / name;
    std::error_code missing;
    if (!std::filesystem::exists(file, missing)) continue;  // reported when the run is checked
    const scenario::InputText input =
        scenario::read_input_file(file.string(), scenario::kMaxRecordFileBytes);
    if (!input.text) {
      throw UsageError("--baseline: cannot read " + file.string() + ": " + input.error);
    }
    try {
      baselines_.emplace(name, results::record_from_json(nlohmann::json::parse(*input.text)));
    } catch (const std::exception& error) {
      throw UsageError("--baseline: " + file.string() + " is not a run record: " + error.what());
    }
  }
}

std::vector<OutputFile> BaselineOptions::outputs() const {
  std::vector<OutputFile> files;
  for (const std::string& name : planned_) {
    files.push_back({"--record-baseline", (std::filesystem::path(*record_dir_) / name).string()});
  }
  return files;
}

bool BaselineOptions::check(results::RunRecord& record, std::ostream& out) {
  const std::string name = results::baseline_file_name(record.scenario, record.policy);
  if (record_dir_) {
    if (!record.simulation_failure.empty()) {
      out << "baseline: not recorded: the simulation failed\n";
      return false;
    }
    recorded_[name] = results::to_json(record);
    return false;
  }
  if (!compare_dir_) return false;
  const std::string path = (std::filesystem::path(*compare_dir_) / name).string();
  const auto baseline = baselines_.find(name);
  if (baseline == baselines_.end()) {
    out << "baseline: no " << path << " (record it with --record-baseline " << *compare_dir_
        << ")\n";
    record.mismatches.push_back(results::Mismatch{"baseline file", path, "missing", {}});
    record.verdict = results::Verdict::kFail;
    return true;
  }
  const auto drifts = results::compare_with_baseline(baseline->second, record, tolerance_);
  if (drifts.empty()) {
    out << "baseline: as " << path << "\n";
    return false;
  }
  out << "baseline: " << drifts.size() << " drift" << (drifts.size() == 1 ? "" : "s") << " from "
      << path << ":\n";
  for (const results::Drift& drift : drifts) {
    out << "  " << drift.what << ": " << drift.baseline << " -> " << drift.now << "\n";
    record.mismatches.push_back(
        results::Mismatch{"baseline " + drift.what, drift.baseline, drift.now, {}});
  }
  record.verdict = results::Verdict::kFail;
  return true;
}

void BaselineOptions::finish(std::ostream& out) const {
  if (!record_dir_) return;
  for (const auto& [name, record] : recorded_) {
    const std::string path = (std::filesystem::path(*record_dir_) / name).string();
    write_json_output({"--record-baseline", path}, record);
  }
  out << "baseline: recorded " << recorded_.size() << " run" << (recorded_.size() == 1 ? "" : "s")
      << " in " << *record_dir_ << "\n";
}

}  // namespace commsim::cli
