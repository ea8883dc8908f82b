// Ring all-reduce with gloo's schedule (gloo/allreduce.cc:148-393, ring(), @ 5b14351), so that
// commsim's own all-reduce sends the messages PyTorch's gloo all-reduce sends:
// - the buffer is cut into numSegments = roundUp(max(ceil(bytes / 1 MiB), 2 x size), size)
//   segments of ceil(elements / numSegments) elements (the last ones shorter or empty), so each
//   rank owns numSegments / size >= 2 consecutive segments;
// - reduce-scatter: rank r sends to r - 1 and receives from r + 1; iteration i sends segment
//   (r + 1) x perRank + i and receives segment (r + 2) x perRank + i (mod numSegments), folding it
//   into its own; each receive and send is waited two iterations after it was posted, so two
//   segments are in flight;
// - all-gather: the same pipeline, sending segment r x perRank + i and storing the received
//   (r + 1) x perRank + i.
// Empty segments (offset past the end) send nothing.
#include <algorithm>
#include <deque>

#include "communicators/collectives/collectives.h"

namespace commsim::comm::collectives {

Tensor ring_chunk(const Tensor& flat, int world, int index) {
  const int c = ((index % world) + world) % world;
  const std::int64_t numel = flat.numel();
  const std::int64_t base = numel / world;
  const std::int64_t extra = numel % world;
  const std::int64_t begin = c * base + std::min<std::int64_t>(c, extra);
  return flat.slice(begin, base + (c < extra ? 1 : 0));
}

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t round_up(std::int64_t value, std::int64_t multiple) {
  return ceil_div(value, multiple) * multiple;
}

// gloo's default maximum segment (AllreduceOptions, gloo/allreduce.h): 1 MiB.
constexpr std::int64_t kMaxSegmentBytes = 1024 * 1024;

}  // namespace

void ring_allreduce(const GroupLink& link, Tensor& tensor, ReduceOp op) {
  const std::int64_t world = link.size();
  const std::int64_t total = tensor.numel();
  if (world == 1 || total == 0) return;
  const auto element = static_cast<std::int64_t>(element_size(tensor.dtype()));
  const std::int64_t max_segment = std::max<std::int64_t>(1, kMaxSegmentBytes / element);
  const std::int64_t segments = round_up(std::max(ceil_div(total, max_segment), 2 * world), world);
  const std::int64_t per_rank = segments / world;
  const std::int64_t segment = ceil_div(total, segments);  // elements
  const int send_to = static_cast<int>((link.rank - 1 + world) % world);
  const int recv_from = static_cast<int>((link.rank + 1) % world);
  const Tensor flat = tensor.reshape({-1});
  // Segment `index`'s elements (mod segments); empty when it starts past the end.
  const auto segment_of = [&](std::int64_t index) {
    const std::int64_t offset = (index % segments) * segment;
    return flat.slice(std::min(offset, total),
                      std::clamp<std::int64_t>(total - offset, 0, segment));
  };
  const std::int64_t iterations = segments - per_rank + 2;
  std::deque<std::unique_ptr<PendingSend>> sends;

  // Reduce-scatter.
  for (std::int64_t i = 0; i < iterations; ++i) {
    if (i >= 2) {
      Tensor received = segment_of((link.rank + 2) * per_rank + i - 2);
      if (received.numel() > 0) link.recv_reduce_into(recv_from, received, op);
      if (segment_of((link.rank + 1) * per_rank + i - 2).numel() > 0) {
        link.wait(*sends.front());
        sends.pop_front();
      }
    }
    if (i < segments - per_rank) {
      const Tensor outgoing = segment_of((link.rank + 1) * per_rank + i);
      if (outgoing.numel() > 0) sends.push_back(link.post(send_to, outgoing));
    }
  }
  // All-gather.
  for (std::int64_t i = 0; i < iterations; ++i) {
    if (i >= 2) {
      Tensor received = segment_of((link.rank + 1) * per_rank + i - 2);
      if (received.numel() > 0) link.recv_into(recv_from, received);
      if (segment_of(link.rank * per_rank + i - 2).numel() > 0) {
        link.wait(*sends.front());
        sends.pop_front();
      }
    }
    if (i < segments - per_rank) {
      const Tensor outgoing = segment_of(link.rank * per_rank + i);
      if (outgoing.numel() > 0) sends.push_back(link.post(send_to, outgoing));
    }
  }
}

}  // namespace commsim::comm::collectives
