#include "sim/chrome_trace.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace commsim::sim {

namespace {

using nlohmann::json;

// Chrome traces count in microseconds. Times are rounded to whole nanoseconds first, and a box's
// duration is taken between the rounded ends, so that boxes that touch or nest in simulated time
// still do after rounding.
std::int64_t nanos(double seconds) { return std::llround(seconds * 1e9); }
double micros(std::int64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000; }

// A complete event ("X") from `start` to `end` on rank `rank`'s track.
json box(const std::string& name, const char* category, const TracedRank& rank, double start,
         double end, json args) {
  return {{"name", name},
          {"cat", category},
          {"ph", "X"},
          {"pid", rank.node},
          {"tid", rank.rank},
          {"ts", micros(nanos(start))},
          {"dur", micros(nanos(end) - nanos(start))},
          {"args", std::move(args)}};
}

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
      json args = {{"group", span.group},
                   {"bytes_sent", span.bytes_sent},
                   {"bytes_received", span.bytes_received}};
      if (const auto found = rank.backends.find(span.group); found != rank.backends.end()) {
        args["group_backend"] = found->second;
      }
      for (const auto& [key, value] : span.notes) args[key] = value;
      if (span.failed) args["failed"] = true;
      if (span.end < 0) args["unfinished"] = true;
      events.push_back(box(span.op, "op", rank, span.start, span.end < 0 ? rank.end_time : span.end,
                           std::move(args)));
    }
    for (const TraceKernel& kernel : rank.trace->kernels()) {
      json args = {{"dtype", kernel.dtype}, {"flops", kernel.flops}, {"bytes", kernel.bytes}};
      if (kernel.end < 0) args["unfinished"] = true;
      events.push_back(box(kernel.name, "kernel", rank, kernel.start,
                           kernel.end < 0 ? rank.end_time : kernel.end, std::move(args)));
    }
    for (const TraceWait& wait : rank.trace->waits()) {
      json args = {{"peer", wait.peer}, {"op", wait.op}, {"group", wait.group}};
      if (wait.end < 0) args["unfinished"] = true;
      events.push_back(box("wait (" + wait.what + ")", "wait", rank, wait.start,
                           wait.end < 0 ? rank.end_time : wait.end, std::move(args)));
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
                      {"ts", micros(nanos(sample.time))},
                      {"args", {{"bytes", sample.total_bytes}}}});
  }
  return {{"traceEvents", events},
          {"displayTimeUnit", "ns"},
          {"otherData", {{"scenario", scenario}, {"policy", policy}, {"time_unit", "us"}}}};
}

}  // namespace commsim::sim
