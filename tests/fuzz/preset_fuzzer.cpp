// libFuzzer target: scenario::check_preset_text (node preset files) on any bytes.
//
// The contract checked: the checker returns (no crash, no sanitizer report, no hang, bounded
// memory) and every problem it reports is one line naming the file.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "scenarios/input_file.h"
#include "scenarios/printable.h"
#include "scenarios/preset_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // commsim reads no preset file larger than this (scenarios/input_file.h).
  if (size > commsim::scenario::kMaxScenarioFileBytes) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = "results/presets/fuzz-input.yaml";
  const std::vector<std::string> problems = commsim::scenario::check_preset_text(text, path);
  for (const std::string& problem : problems) {
    // A problem may quote a line break from the file; what commsim prints of it (printable, as
    // main does) is one line.
    const std::string printed = commsim::scenario::printable(problem);
    if (problem.rfind(path, 0) != 0 ||
        commsim::scenario::first_unprintable_in_line(printed).has_value()) {
      std::fprintf(stderr, "a problem that is not one line naming the file: [%s]\n",
                   printed.c_str());
      std::abort();
    }
  }
  return 0;
}
