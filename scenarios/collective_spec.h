// The `collective` workload's parameters and its exact inputs: one torch.distributed collective,
// measured the way nccl-tests measures it, with integer-valued inputs chosen so that every result
// is exact whatever order the algorithm reduces in, so a wrong element is a real error.
//
// Sizes follow nccl-tests: `count` is the element count of the larger buffer (all_gather and
// gather: the gathered output; reduce_scatter: the input), and each rank's part is count / P.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "communicators/dtype.h"
#include "communicators/reduce_ops.h"

namespace commsim::scenario {

enum class Collective {
  kAllReduce,
  kAllGather,
  kReduceScatter,
  kBroadcast,
  kGather,
  kBarrier,
  kSendRecv,  // every rank sends to rank + 1 and receives from rank - 1 (nccl-tests' sendrecv)
};

std::string_view collective_name(Collective collective);  // "all_reduce", ...
std::optional<Collective> parse_collective(std::string_view name);
std::vector<std::string> collective_names();
bool is_reduction(Collective collective);  // all_reduce and reduce_scatter
// all_gather, reduce_scatter and gather: each rank owns 1/P of the larger buffer.
bool splits_across_ranks(Collective collective);

// nccl-tests' bus-bandwidth factor: busbw = algbw x factor(P).
double bus_bandwidth_factor(Collective collective, int world);

std::optional<comm::ReduceOp> parse_reduce_op(std::string_view name);

struct CollectiveSpec {
  Collective collective = Collective::kAllReduce;
  std::string algorithm = "auto";  // all_reduce: auto, ring or recursive_doubling
  comm::ReduceOp op = comm::ReduceOp::kSum;
  comm::DType dtype = comm::DType::kF32;
  std::int64_t count = 1024;  // elements of the larger buffer
  int root = 0;               // broadcast and gather, a rank of the group
  bool phantom = false;       // size-only tensors: times only, nothing allocated or checked
  // Through the TP GroupCoordinator's method (all_reduce, all_gather, reduce_scatter, gather,
  // broadcast, send/recv, barrier) instead of the device_group directly: the CpuCommunicator's
  // chosen backend where vLLM uses it (all_reduce, all_gather, gather), torch.distributed where
  // vLLM does (reduce_scatter, send/recv inherited from DeviceCommunicatorBase; broadcast on the
  // device group; barrier on the cpu group). Reductions sum only.
  bool through_communicator = false;
};

// Elements in each rank's own buffer: count / P for all_gather, reduce_scatter and gather
// (rounded down, as nccl-tests does), count otherwise.
std::int64_t per_rank_count(const CollectiveSpec& spec, int world);

// The inputs and their exact results. Rank r's element at global position j (its index in the
// full buffer: r * per_rank + i for the gathering collectives, i otherwise) is
//   reductions:  weight(r) * pattern(j), weight(r) in {1, ..., max_weight}
//   otherwise:   pattern(r * per_rank + i)
// with pattern(j) an integer in [-magnitude, magnitude] from a hash of (seed, j). Every partial
// sum stays at most max_weight * P * magnitude in size, below the dtype's largest exact integer.
class ExactInputs {
 public:
  // nullopt when no such inputs exist (a sum over too many ranks for the dtype); `why` says so.
  static std::optional<ExactInputs> make(const CollectiveSpec& spec, int world, std::uint64_t seed,
                                         std::string* why);

  double weight(int rank) const;  // rank r's input at j is weight(r) x pattern(j)
  double pattern(std::int64_t global_index) const;
  // The reduction over every rank r of weight(r) x pattern(j).
  double reduced(std::int64_t global_index) const;

 private:
  static std::uint64_t splitmix64(std::uint64_t x);

  CollectiveSpec spec_;
  int world_ = 1;
  std::uint64_t seed_ = 0;
  int max_weight_ = 1;
  int magnitude_ = 1;
  double weight_sum_ = 0;
};

// Inline: called for every element when inputs are made and results checked.

inline std::uint64_t ExactInputs::splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

inline double ExactInputs::pattern(std::int64_t global_index) const {
  const std::uint64_t span = 2 * static_cast<std::uint64_t>(magnitude_) + 1;
  const std::uint64_t draw =
      splitmix64(seed_ * 0xD1B54A32D192ED03ULL + static_cast<std::uint64_t>(global_index));
  // The high 32 bits scaled to [0, span) by a multiply and a shift (no division).
  return static_cast<double>(((draw >> 32) * span) >> 32) - magnitude_;
}

inline double ExactInputs::weight(int rank) const {
  return is_reduction(spec_.collective) ? 1 + rank % max_weight_ : 1;
}

inline double ExactInputs::reduced(std::int64_t global_index) const {
  const double value = pattern(global_index);
  const double heaviest = std::min(max_weight_, world_);
  switch (spec_.op) {
    case comm::ReduceOp::kSum:
      return weight_sum_ * value;
    case comm::ReduceOp::kMax:
      return value >= 0 ? heaviest * value : value;
    case comm::ReduceOp::kMin:
      return value >= 0 ? value : heaviest * value;
  }
  return value;
}

}  // namespace commsim::scenario
