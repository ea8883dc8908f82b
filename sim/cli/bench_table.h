// The rows of `commsim bench` and the three ways they are written: the table nccl-tests prints,
// CSV and JSON.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "results/run_record.h"
#include "scenarios/collective_spec.h"

namespace commsim::cli {

// What every row shares.
struct BenchSetup {
  scenario::CollectiveSpec spec;  // count varies by row
  int ranks = 1;                  // the group's size
  int nodes = 1;
  int iterations = 1;
  std::string policy;
  std::string impl = "commsim";  // what ran torch.distributed's collectives: commsim or gloo
};

struct BenchRow {
  std::int64_t bytes = 0;  // count x element size
  std::int64_t count = 0;
  std::string backend;                // what the group used: shm or torch.distributed
  std::optional<std::string> error;   // the run failed: the first rank's error, or "hang"
  double seconds = 0;                 // mean over iterations of the slowest rank's time
  double algbw = 0;                   // GB/s: bytes / seconds
  double busbw = 0;                   // GB/s: algbw x nccl-tests' factor for the collective
  std::optional<std::int64_t> wrong;  // nullopt for phantom data (nothing to check)
  results::RunRecord record;
};

// A row from a finished run.
BenchRow make_row(const BenchSetup& setup, std::int64_t count, results::RunRecord record);

void print_table_header(std::ostream& out, const BenchSetup& setup);
void print_table_row(std::ostream& out, const BenchSetup& setup, const BenchRow& row);
// nccl-tests' closing lines: wrong values and the average bus bandwidth.
void print_table_footer(std::ostream& out, const std::vector<BenchRow>& rows);

std::string bench_csv(const BenchSetup& setup, const std::vector<BenchRow>& rows);
nlohmann::json bench_json(const BenchSetup& setup, const std::vector<BenchRow>& rows);

}  // namespace commsim::cli
