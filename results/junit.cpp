#include "results/junit.h"

#include <cstdio>

#include "results/xml_text.h"

namespace commsim::results {
namespace {

std::string seconds(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9f", value);
  return buffer;
}

std::string position(const scenario::SourcePos& pos) {
  if (pos.line == 0) return pos.file;
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

}  // namespace

void write_junit(std::ostream& out, const std::string& suite,
                 const std::vector<RunRecord>& records) {
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  double total = 0;
  for (const RunRecord& record : records) {
    const bool died = !record.simulation_failure.empty();
    errors += died;
    failures += record.verdict == Verdict::kFail && !died;
    skipped += record.verdict == Verdict::kUnchecked;
    total += record.sim_time_s;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites>\n"
      << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << records.size()
      << "\" failures=\"" << failures << "\" errors=\"" << errors << "\" skipped=\"" << skipped
      << "\" time=\"" << seconds(total) << "\">\n";
  for (const RunRecord& record : records) {
    // time is the simulated time of the run, so the file is the same on every machine.
    out << "    <testcase classname=\"" << xml_escape(record.scenario_path) << "\" name=\""
        << xml_escape(record.scenario + " [" + record.policy + "]") << "\" time=\""
        << seconds(record.sim_time_s) << "\">";
    if (!record.simulation_failure.empty()) {
      out << "\n      <error message=\"the simulation failed\">"
          << xml_escape(record.simulation_failure) << "</error>\n    ";
    } else if (record.verdict == Verdict::kFail) {
      out << "\n      <failure message=\"" << record.mismatches.size()
          << (record.mismatches.size() == 1 ? " expectation" : " expectations")
          << " did not hold\">";
      for (const Mismatch& mismatch : record.mismatches) {
        out << xml_escape(position(mismatch.pos) + ": " + mismatch.what + ": expected " +
                          mismatch.expected + ", got " + mismatch.actual)
            << '\n';
      }
      out << "</failure>\n    ";
    } else if (record.verdict == Verdict::kUnchecked) {
      out << "\n      <skipped message=\"no expectations for policy " << xml_escape(record.policy)
          << "\"/>\n    ";
    }
    out << "</testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace commsim::results
