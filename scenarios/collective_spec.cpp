#include "scenarios/collective_spec.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace commsim::scenario {
namespace {

constexpr std::array<std::pair<Collective, std::string_view>, 7> kNames = {{
    {Collective::kAllReduce, "all_reduce"},
    {Collective::kAllGather, "all_gather"},
    {Collective::kReduceScatter, "reduce_scatter"},
    {Collective::kBroadcast, "broadcast"},
    {Collective::kGather, "gather"},
    {Collective::kBarrier, "barrier"},
    {Collective::kSendRecv, "send_recv"},
}};

// The largest integer n such that every integer in [-n, n] is exact in `dtype`.
double largest_exact_integer(comm::DType dtype) {
  switch (dtype) {
    case comm::DType::kF32:
      return 16777216.0;  // 2^24
    case comm::DType::kBF16:
      return 256.0;  // 8 significant bits
    case comm::DType::kF16:
      return 2048.0;  // 11 significant bits
    case comm::DType::kI32:
      return 2147483647.0;
    case comm::DType::kI64:
      return 9007199254740992.0;  // checked through doubles
    case comm::DType::kU8:
      return 0;  // no negative values: not a collective dtype here
  }
  return 0;
}

constexpr int kMagnitude = 8;
constexpr int kMaxWeight = 3;

}  // namespace

std::string_view collective_name(Collective collective) {
  for (const auto& [value, name] : kNames) {
    if (value == collective) return name;
  }
  return "?";
}

std::optional<Collective> parse_collective(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> collective_names() {
  std::vector<std::string> names;
  for (const auto& entry : kNames) names.emplace_back(entry.second);
  return names;
}

bool is_reduction(Collective collective) {
  return collective == Collective::kAllReduce || collective == Collective::kReduceScatter;
}

bool splits_across_ranks(Collective collective) {
  return collective == Collective::kAllGather || collective == Collective::kReduceScatter ||
         collective == Collective::kGather;
}

double bus_bandwidth_factor(Collective collective, int world) {
  const double p = world;
  switch (collective) {
    case Collective::kAllReduce:
      return world > 1 ? 2.0 * (p - 1) / p : 0;
    case Collective::kAllGather:
    case Collective::kReduceScatter:
    case Collective::kGather:
      return (p - 1) / p;
    case Collective::kBroadcast:
    case Collective::kSendRecv:
    case Collective::kBarrier:
      return 1;
  }
  return 1;
}

std::optional<comm::ReduceOp> parse_reduce_op(std::string_view name) {
  for (comm::ReduceOp op : {comm::ReduceOp::kSum, comm::ReduceOp::kMax, comm::ReduceOp::kMin}) {
    if (comm::reduce_op_name(op) == name) return op;
  }
  return std::nullopt;
}

std::int64_t per_rank_count(const CollectiveSpec& spec, int world) {
  if (spec.collective == Collective::kBarrier) return 0;
  return splits_across_ranks(spec.collective) ? spec.count / std::max(1, world) : spec.count;
}

std::optional<ExactInputs> ExactInputs::make(const CollectiveSpec& spec, int world,
                                             std::uint64_t seed, std::string* why) {
  ExactInputs inputs;
  inputs.spec_ = spec;
  inputs.world_ = world;
  inputs.seed_ = seed;
  const double exact = largest_exact_integer(spec.dtype);
  if (exact <= 0) {
    if (why) *why = "dtype " + std::string(comm::dtype_name(spec.dtype)) + " is not supported";
    return std::nullopt;
  }
  inputs.max_weight_ = is_reduction(spec.collective) ? kMaxWeight : 1;
  inputs.magnitude_ = kMagnitude;
  if (is_reduction(spec.collective) && spec.op == comm::ReduceOp::kSum) {
    // The largest weights, then the largest values, whose largest partial sum is exact.
    inputs.max_weight_ = 0;
    for (int weight = kMaxWeight; weight >= 1 && inputs.max_weight_ == 0; --weight) {
      const double magnitude =
          std::min<double>(kMagnitude, std::floor(exact / (static_cast<double>(weight) * world)));
      if (magnitude >= 1) {
        inputs.max_weight_ = weight;
        inputs.magnitude_ = static_cast<int>(magnitude);
      }
    }
    if (inputs.max_weight_ == 0) {
      if (why) {
        *why = "a sum over " + std::to_string(world) + " ranks cannot be exact in " +
               std::string(comm::dtype_name(spec.dtype)) + " (integers are exact up to " +
               std::to_string(static_cast<long long>(exact)) + "); use f32, max or min";
      }
      return std::nullopt;
    }
  }
  for (int rank = 0; rank < world; ++rank) inputs.weight_sum_ += 1 + rank % inputs.max_weight_;
  return inputs;
}

}  // namespace commsim::scenario
