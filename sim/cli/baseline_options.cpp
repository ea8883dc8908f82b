#include "sim/cli/baseline_options.h"

#include <filesystem>
#include <fstream>

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
      ("baseline-tolerance", po::value<double>()->default_value(results::kDefaultBaselineTolerance),
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
  std::error_code ignored;
  if (vm.count("baseline")) {
    compare_dir_ = vm["baseline"].as<std::string>();
    if (!std::filesystem::is_directory(*compare_dir_, ignored)) {
      throw UsageError("--baseline: '" + *compare_dir_ + "' is not a directory");
    }
  }
  if (vm.count("record-baseline")) {
    record_dir_ = vm["record-baseline"].as<std::string>();
    std::filesystem::create_directories(*record_dir_, ignored);
    if (!std::filesystem::is_directory(*record_dir_, ignored)) {
      throw UsageError("--record-baseline: cannot make the directory '" + *record_dir_ + "'");
    }
  }
}

bool BaselineOptions::check(const results::RunRecord& record, std::ostream& out) {
  const std::string name = results::baseline_file_name(record);
  if (record_dir_) {
    if (const auto found = recorded_from_.find(name);
        found != recorded_from_.end() && found->second != record.scenario_path) {
      throw UsageError("--record-baseline: " + found->second + " and " + record.scenario_path +
                       " would both be " + name + "; give the scenarios distinct names");
    }
    recorded_[name] = results::to_json(record);
    recorded_from_[name] = record.scenario_path;
    return false;
  }
  if (!compare_dir_) return false;
  const std::filesystem::path path = std::filesystem::path(*compare_dir_) / name;
  std::ifstream in(path);
  if (!in) {
    out << "baseline: no " << path.string() << " (record it with --record-baseline "
        << *compare_dir_ << ")\n";
    return true;
  }
  results::RunRecord baseline;
  try {
    baseline = results::record_from_json(nlohmann::json::parse(in));
  } catch (const std::exception& error) {
    throw UsageError("--baseline: " + path.string() + " is not a run record: " + error.what());
  }
  const auto drifts = results::compare_with_baseline(baseline, record, tolerance_);
  if (drifts.empty()) {
    out << "baseline: as " << path.string() << "\n";
    return false;
  }
  out << "baseline: " << drifts.size() << " drift" << (drifts.size() == 1 ? "" : "s") << " from "
      << path.string() << ":\n";
  for (const results::Drift& drift : drifts) {
    out << "  " << drift.what << ": " << drift.baseline << " -> " << drift.now << "\n";
  }
  return true;
}

void BaselineOptions::finish(std::ostream& out) const {
  if (!record_dir_) return;
  for (const auto& [name, record] : recorded_) {
    const std::string path = (std::filesystem::path(*record_dir_) / name).string();
    write_text_file(path, record.dump(2) + "\n", "--record-baseline");
  }
  out << "baseline: recorded " << recorded_.size() << " run" << (recorded_.size() == 1 ? "" : "s")
      << " in " << *record_dir_ << "\n";
}

}  // namespace commsim::cli
