// The resource budget of one run: what a scenario may ask for on the machines commsim is
// built for (2 cores, 24 GiB), each limit with the reason it is where it is. Past a limit the
// scenario is refused at the key that asks for too much (README.md, "Limits").
#pragma once

#include <optional>
#include <string>

#include "scenarios/scenario.h"

namespace commsim::scenario {

// Ranks per run (the world size; also node counts and parallel sizes). SimGrid gives each rank an
// actor whose stack takes two memory maps (the stack and its guard page): 32,768 ranks pass
// Linux's default vm.max_map_count of 65,530 and fail with "Failed to protect stack". Memory
// grows with ranks squared: 16,384 ranks (a phantom all-reduce, 2,048 nodes x 8) peak at 5.7 GB.
constexpr int kMaxRanks = 16384;

// Steps of a workload: each step simulates every rank's messages, so this bounds the run's work.
constexpr int kMaxSteps = 100000;

// Bytes of real tensors a run allocates, summed over its ranks (real_tensor_use). Every rank of a
// simulation lives in one process; past this, runs need `phantom: true` (collective) or
// `data: phantom` (model), which keep sizes and times and allocate nothing.
constexpr double kMaxRealTensorBytes = 4.0 * 1024 * 1024 * 1024;

// An estimate of the bytes of real tensors `scenario`'s workload holds at its peak, summed over
// every rank, and what they are. Zero for phantom data.
struct TensorUse {
  double bytes = 0;
  std::string what;  // e.g. "3 copies of the hand-off's tensors (1.0 GiB) on each of 4 ranks"
};
TensorUse real_tensor_use(const Scenario& scenario);

// Why `scenario` passes the budget of real tensor bytes (one sentence with advice), or nullopt.
std::optional<std::string> real_tensor_budget_problem(const Scenario& scenario);

// "1.5 GiB", "12 MiB", "800 B": a size in binary units, one decimal from KiB up.
std::string binary_size_text(double bytes);

}  // namespace commsim::scenario
