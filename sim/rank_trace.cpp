#include "sim/rank_trace.h"

namespace commsim::sim {

void RankTrace::op_started(const comm::OpSite& site, double now) {
  if (stopped_) return;
  open_.push_back(spans_.size());
  spans_.push_back(TraceSpan{site.op, site.group, now, -1, 0, 0, false, {}});
}

void RankTrace::op_ending(double now, bool failed) {
  if (stopped_ || open_.empty()) return;
  TraceSpan& span = spans_[open_.back()];
  span.end = now;
  span.failed = failed;
  open_.pop_back();
}

void RankTrace::kernel_started(const std::string& name, comm::DType dtype, double flops,
                               double bytes, double now) {
  if (stopped_) return;
  kernels_.push_back(
      TraceKernel{name, std::string(comm::dtype_name(dtype)), flops, bytes, now, -1});
}

void RankTrace::kernel_ended(double now) {
  if (stopped_ || kernels_.empty()) return;
  kernels_.back().end = now;
}

void RankTrace::annotate(const std::string& key, const std::string& value) {
  if (stopped_ || open_.empty()) return;
  auto& notes = spans_[open_.back()].notes;
  for (auto& [known, old] : notes) {
    if (known == key) {
      old = value;
      return;
    }
  }
  notes.emplace_back(key, value);
}

void RankTrace::sent(std::uint64_t bytes) {
  for (std::size_t index : open_) spans_[index].bytes_sent += bytes;
}

void RankTrace::received(std::uint64_t bytes) {
  for (std::size_t index : open_) spans_[index].bytes_received += bytes;
}

void RankTrace::wait_started(const char* what, int peer, const std::vector<comm::OpSite>& ops,
                             double now) {
  if (stopped_) return;
  wait_ended(now);  // a wait left open by a failed transfer ends where the next one starts
  const comm::OpSite site = ops.empty() ? comm::OpSite{} : ops.back();
  waits_.push_back(TraceWait{what, peer, site.op, site.group, now, -1});
  waiting_ = true;
}

void RankTrace::wait_ended(double now) {
  if (stopped_ || !waiting_) return;
  waiting_ = false;
  // A wait that took no simulated time is not worth a box on the timeline.
  if (waits_.back().start == now) {
    waits_.pop_back();
  } else {
    waits_.back().end = now;
  }
}

}  // namespace commsim::sim
