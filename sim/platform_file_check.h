// The numbers of a loaded SimGrid platform file, checked as a scenario's are (scenarios/units.h):
// SimGrid takes NaN, negative and infinite speeds, bandwidths and latencies from a file without a
// word, and then computes meaningless times or aborts in the middle of a run.
#pragma once

#include <string>

namespace commsim::sim {

// The first host or link of the engine's platform whose speed, cores, bandwidth or latency is out
// of range, as one sentence naming it and, when `file_text` (the file SimGrid loaded) holds its
// `id="..."`, the line and column there ("12:5: link 'backbone': bandwidth nan B/s is not ...").
// "" when every value is in range. REQUIRES: a platform loaded in the current engine.
std::string platform_resource_problem(const std::string& file_text);

}  // namespace commsim::sim
