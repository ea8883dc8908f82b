// A run as a Chrome trace (JSON, for Perfetto and chrome://tracing): a process per node, a thread
// per rank with its operations as nested boxes (group, the backend the rank decided for that
// group, network bytes) and its waits, and a "network" process with the bytes delivered over each
// link, as counters over time. Times are in microseconds, rounded to whole nanoseconds.
// The same run gives the same bytes: events are in a fixed order and times come from SimGrid.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/rank_trace.h"

namespace commsim::sim {

struct TracedRank {
  int rank = 0;
  int node = 0;
  std::string node_name;
  double end_time = 0;  // when the rank ended (the run's end for a hung rank)
  const RankTrace* trace = nullptr;
  std::map<std::string, std::string> backends;  // group name -> backend the rank decided
};

// Cumulative bytes delivered over one link, as of `time`.
struct LinkSample {
  double time = 0;
  std::string link;
  std::uint64_t total_bytes = 0;
};

// `ranks` in rank order; `links` in time order, then link name.
nlohmann::json chrome_trace(const std::string& scenario, const std::string& policy,
                            const std::vector<TracedRank>& ranks,
                            const std::vector<LinkSample>& links, int nodes);

}  // namespace commsim::sim
