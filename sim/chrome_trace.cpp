#include "sim/chrome_trace.h"

#include <algorithm>

namespace commsim::sim {

namespace {

using nlohmann::json;

// Chrome traces count in microseconds.
double micros(double seconds) { return seconds * 1e6; }

json metadata(const char* what, int pid, int tid, const std::string& name) {
  return {{"name", what}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}};
}

}  // namespace

json chrome_trace(const std::string& scenario, const std::string& policy,
                  const std::vector<TracedRank>& ranks, const std::vector<LinkSample>& links,
                  int nodes) {
  json events = json::array();
  const int network_pid = nodes;
  std::vector<bool> named(static_cast<std::size_t>(nodes), false);
  for (const TracedRank& rank : ranks) {
    if (!named[static_cast<std::size_t>(rank.node)]) {
      named[static_cast<std::size_t>(rank.node)] = true;
      events.push_back(metadata("process_name", rank.node, 0, rank.node_name));
      events.push_back({{"name", "process_sort_index"},
                        {"ph", "M"},
                        {"pid", rank.node},
                        {"args", {{"sort_index", rank.node}}}});
    }
    events.push_back(
        metadata("thread_name", rank.node, rank.rank, "rank " + std::to_string(rank.rank)));
    events.push_back({{"name", "thread_sort_index"},
                      {"ph", "M"},
                      {"pid", rank.node},
                      {"tid", rank.rank},
                      {"args", {{"sort_index", rank.rank}}}});
  }
  for (const TracedRank& rank : ranks) {
    for (const TraceSpan& span : rank.trace->spans()) {
      const double end = span.end < 0 ? rank.end_time : span.end;
      json args = {{"group", span.group},
                   {"bytes_sent", span.bytes_sent},
                   {"bytes_received", span.bytes_received}};
      if (const auto found = rank.backends.find(span.group); found != rank.backends.end()) {
        args["backend"] = found->second;
      }
      if (span.failed) args["failed"] = true;
      if (span.end < 0) args["unfinished"] = true;
      events.push_back({{"name", span.op},
                        {"cat", "op"},
                        {"ph", "X"},
                        {"pid", rank.node},
                        {"tid", rank.rank},
                        {"ts", micros(span.start)},
                        {"dur", micros(end - span.start)},
                        {"args", args}});
    }
    for (const TraceWait& wait : rank.trace->waits()) {
      const double end = wait.end < 0 ? rank.end_time : wait.end;
      json args = {{"peer", wait.peer}, {"op", wait.op}, {"group", wait.group}};
      if (wait.end < 0) args["unfinished"] = true;
      events.push_back({{"name", "wait (" + wait.what + ")"},
                        {"cat", "wait"},
                        {"ph", "X"},
                        {"pid", rank.node},
                        {"tid", rank.rank},
                        {"ts", micros(wait.start)},
                        {"dur", micros(end - wait.start)},
                        {"args", args}});
    }
  }
  if (!links.empty()) {
    events.push_back(
        metadata("process_name", network_pid, 0, "network (bytes delivered per link)"));
    events.push_back({{"name", "process_sort_index"},
                      {"ph", "M"},
                      {"pid", network_pid},
                      {"args", {{"sort_index", network_pid}}}});
  }
  for (const LinkSample& sample : links) {
    events.push_back({{"name", sample.link},
                      {"cat", "link"},
                      {"ph", "C"},
                      {"pid", network_pid},
                      {"ts", micros(sample.time)},
                      {"args", {{"bytes", sample.total_bytes}}}});
  }
  return {{"traceEvents", events},
          {"displayTimeUnit", "ns"},
          {"otherData", {{"scenario", scenario}, {"policy", policy}, {"time_unit", "us"}}}};
}

}  // namespace commsim::sim
