// libFuzzer target: sim::sweep::parse_sweep_text on any bytes.
//
// The contract checked: the parser returns (no crash, no sanitizer report, no hang, bounded
// memory) with messages printed on one line each and exactly one of a sweep and a non-empty error
// list. The input is named as a sweep file beside the tree's own sweeps
// (results/studies/arm-fallback/), so the fuzzers run from the source root and the base scenarios
// the seeds name are read and every grid point is parsed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scenarios/input_file.h"
#include "scenarios/printable.h"
#include "sim/sweep/sweep_spec.h"
#include "tests/fuzz/refusing_platform_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // commsim reads no sweep file larger than this (scenarios/input_file.h).
  if (size > commsim::scenario::kMaxScenarioFileBytes) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const commsim::sim::sweep::SweepParse result = commsim::sim::sweep::parse_sweep_text(
      text, "results/studies/arm-fallback/fuzz-input.sweep.yaml",
      commsim::fuzz::refuse_platform_file);
  if (result.spec.has_value() == !result.errors.empty()) std::abort();
  // One line per problem: a message may quote a line break from the input, but what commsim
  // prints of it (printable, as main does) is one line without control characters.
  for (const auto& error : result.errors) {
    const std::string printed = commsim::scenario::printable(error.to_string());
    if (commsim::scenario::first_unprintable_in_line(printed).has_value()) {
      std::fprintf(stderr, "a problem printed on several lines: [%s]\n", printed.c_str());
      std::abort();
    }
  }
  return 0;
}
