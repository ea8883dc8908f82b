// `commsim run --baseline DIR` / `--record-baseline DIR`: comparing runs with committed records,
// or re-recording them (results/baseline.h).
#pragma once

#include <array>
#include <boost/program_options.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "results/run_record.h"
#include "sim/cli/output_file.h"

namespace commsim::cli {

class BaselineOptions {
 public:
  // Adds --baseline, --record-baseline and --baseline-tolerance to `options`.
  static void add_to(boost::program_options::options_description& options);
  // Reads them; throws UsageError for a missing directory, a bad tolerance or both modes at once.
  explicit BaselineOptions(const boost::program_options::variables_map& vm);

  // Before anything runs: `runs` are the (scenario name, policy, scenario path) of every run.
  // Throws UsageError when two runs would share a baseline file, or (when comparing) for an
  // existing baseline file that is not a run record; loads the baselines.
  void prepare(const std::vector<std::array<std::string, 3>>& runs);

  // After prepare, when recording: the baseline files the runs will write (--record-baseline).
  std::vector<OutputFile> outputs() const;

  // Compares `record` with its baseline (when comparing), prints what drifted to `out`, and adds
  // each drift to the record as a failed expectation ("baseline <what>"), so that its verdict,
  // JSON and JUnit say so; remembers it (when recording), unless its simulation failed. Returns
  // whether it drifted (a missing baseline does).
  bool check(results::RunRecord& record, std::ostream& out);
  // Writes the remembered records (when recording), one file each; throws UsageError when two
  // runs would share a file.
  void finish(std::ostream& out) const;

 private:
  std::optional<std::string> compare_dir_;
  std::optional<std::string> record_dir_;
  double tolerance_;
  std::vector<std::string> planned_;                     // file names (recording)
  std::map<std::string, nlohmann::json> recorded_;       // file name -> record
  std::map<std::string, results::RunRecord> baselines_;  // file name -> baseline (comparing)
};

}  // namespace commsim::cli
