// SimGrid platform files (topology kind `xml`) read for the scenario parser.
#pragma once

#include <string>

#include "scenarios/scenario_parser.h"

namespace commsim::sim {

// Loads the platform file at `path` with SimGrid, in a child process, and returns its nodes (see
// platform_file_nodes in platform_parts.h for the order): each node's hosts, the cores and speed
// of its first host, and the properties of its first host over those of its zone. Checks that
// every node can reach node 0 and back. Whatever SimGrid refuses (a missing file, a syntax error,
// an unknown link, a missing route) comes back as one line in `error`. A PlatformFileReader.
scenario::PlatformFileNodes read_platform_file(const std::string& path,
                                               const std::string& node_unit);

}  // namespace commsim::sim
