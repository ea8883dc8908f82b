// What one rank did over simulated time, for a timeline (--trace): its operations (nested, with
// the network bytes they moved) and its waits. Recorded by SimGridRankEnv; no SimGrid here.
// Times are simulated seconds.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "communicators/rank_env.h"

namespace commsim::sim {

struct TraceSpan {
  std::string op;
  std::string group;
  double start = 0;
  double end = -1;                   // -1 while open: the run ended inside it
  std::uint64_t bytes_sent = 0;      // network messages, by this operation and those it called
  std::uint64_t bytes_received = 0;  // likewise (shared-memory copies are not counted)
  bool failed = false;               // it ended by an exception
  std::vector<std::pair<std::string, std::string>> notes;  // e.g. ("algorithm", "ring"), in order
};

struct TraceWait {
  std::string what;  // "recv", "send" or "shared memory"
  int peer = -1;     // the world rank waited for, -1 for none in particular
  std::string op;    // the innermost operation at the time, "" outside any
  std::string group;
  double start = 0;
  double end = -1;  // -1: the run ended while waiting (a hang)
};

// One layer-kernel call (kernels/kernel_cost.h).
struct TraceKernel {
  std::string name;
  std::string dtype;  // torch's spelling, e.g. "bfloat16"
  double flops = 0;
  double bytes = 0;
  double start = 0;
  double end = -1;  // -1: the run ended inside it (its host failed)
};

class RankTrace {
 public:
  void op_started(const comm::OpSite& site, double now);
  void op_ending(double now, bool failed);
  // Adds (or replaces) a note on the innermost open operation.
  void annotate(const std::string& key, const std::string& value);
  void sent(std::uint64_t bytes);
  void received(std::uint64_t bytes);
  void wait_started(const char* what, int peer, const std::vector<comm::OpSite>& ops, double now);
  void wait_ended(double now);
  void kernel_started(const std::string& name, comm::DType dtype, double flops, double bytes,
                      double now);
  void kernel_ended(double now);
  // From now on, operations that end are not recorded as ended: SimGrid is ending the rank (a
  // deadlock or its host failed), so they stay open ("unfinished") in the timeline.
  void stop() { stopped_ = true; }

  const std::vector<TraceSpan>& spans() const { return spans_; }
  const std::vector<TraceWait>& waits() const { return waits_; }
  const std::vector<TraceKernel>& kernels() const { return kernels_; }

 private:
  std::vector<TraceSpan> spans_;      // in start order
  std::vector<std::size_t> open_;     // indices into spans_ of the open operations, outermost first
  std::vector<TraceWait> waits_;      // in start order
  std::vector<TraceKernel> kernels_;  // in start order
  bool waiting_ = false;
  bool stopped_ = false;
};

}  // namespace commsim::sim
