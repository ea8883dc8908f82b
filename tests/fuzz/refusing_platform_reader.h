// The platform-file reader the fuzz targets give the parsers: it refuses every file, so that a
// scenario of kind xml is checked as far as the parser goes without reading a platform file or
// starting a SimGrid engine (which allows one simulation per process).
#pragma once

#include <string>

#include "scenarios/scenario_parser.h"

namespace commsim::fuzz {

inline scenario::PlatformFileNodes refuse_platform_file(const std::string& /*path*/,
                                                        const std::string& /*node_unit*/) {
  return scenario::PlatformFileNodes{{}, "platform files are not read while fuzzing"};
}

}  // namespace commsim::fuzz
