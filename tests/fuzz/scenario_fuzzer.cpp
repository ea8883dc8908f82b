// libFuzzer target: scenario::parse_scenario_text on any bytes.
//
// The contract checked: the parser returns (no crash, no sanitizer report, no hang, bounded
// memory) with one-line messages and exactly one of a scenario and a non-empty error list. The
// input is named as a file in scenarios/, so the fuzzers run from the source root and preset files
// it names resolve there.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scenarios/input_file.h"
#include "scenarios/scenario_parser.h"
#include "tests/fuzz/refusing_platform_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // commsim reads no scenario larger than this (scenarios/input_file.h).
  if (size > commsim::scenario::kMaxScenarioFileBytes) return -1;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const commsim::scenario::ParseResult result = commsim::scenario::parse_scenario_text(
      text, "scenarios/fuzz-input.yaml", commsim::fuzz::refuse_platform_file);
  if (result.scenario.has_value() == !result.errors.empty()) std::abort();
  // One line per problem: a message never carries a line break from the input.
  for (const auto& error : result.errors) {
    if (error.message.find('\n') != std::string::npos) {
      std::fprintf(stderr, "a message of several lines: [%s]\n", error.message.c_str());
      std::abort();
    }
  }
  return 0;
}
