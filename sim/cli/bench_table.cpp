#include "sim/cli/bench_table.h"

#include <cstdio>
#include <sstream>

#include "results/csv_text.h"
#include "results/record_json.h"
#include "scenarios/outcome.h"

namespace commsim::cli {
namespace {

std::string root_column(const BenchSetup& setup) {
  const bool rooted = setup.spec.collective == scenario::Collective::kBroadcast ||
                      setup.spec.collective == scenario::Collective::kGather;
  return rooted ? std::to_string(setup.spec.root) : "-1";  // nccl-tests' "no root"
}

std::string redop_column(const BenchSetup& setup) {
  return scenario::is_reduction(setup.spec.collective)
             ? std::string(comm::reduce_op_name(setup.spec.op))
             : "none";
}

std::string algorithm_column(const BenchSetup& setup) {
  if (setup.spec.collective != scenario::Collective::kAllReduce) return "-";
  return setup.spec.through_communicator ? "vllm" : setup.spec.algorithm;
}

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

BenchRow make_row(const BenchSetup& setup, std::int64_t count, results::RunRecord record) {
  BenchRow row;
  row.count = count;
  row.bytes = count * static_cast<std::int64_t>(comm::element_size(setup.spec.dtype));
  // The device_group is gloo's; through the communicator, whatever the TP group chose (a group
  // of one rank has no communicator and records no choice).
  row.backend = "torch.distributed";
  for (const results::GroupRecord& group : record.groups) {
    if (setup.spec.through_communicator && group.name == "tp:0") row.backend = group.backend;
  }
  if (!record.simulation_failure.empty()) {
    row.error = "simulation failed: " + record.simulation_failure;
  }
  for (const results::RankRecord& rank : record.ranks) {
    if (row.error || rank.outcome == scenario::Outcome::kOk) continue;
    if (rank.error) {
      row.error = "rank " + std::to_string(rank.rank) + ": " + rank.error->type + ": " +
                  rank.error->message;
    } else {
      row.error = "rank " + std::to_string(rank.rank) + ": " +
                  std::string(scenario::outcome_name(rank.outcome));
    }
  }
  row.seconds = record.data.collective_time_s;
  row.algbw = row.seconds > 0 ? static_cast<double>(row.bytes) / row.seconds / 1e9 : 0;
  row.busbw = row.algbw * scenario::bus_bandwidth_factor(setup.spec.collective, setup.ranks);
  if (!setup.spec.phantom && !row.error) row.wrong = record.data.wrong_elements;
  row.record = std::move(record);
  return row;
}

void print_table_header(std::ostream& out, const BenchSetup& setup) {
  out << "# time: simulated, mean over " << setup.iterations
      << " call(s) of the slowest rank; algbw = size / time; busbw = algbw x "
      << printf_string("%.4f", scenario::bus_bandwidth_factor(setup.spec.collective, setup.ranks))
      << " (nccl-tests' factor for " << scenario::collective_name(setup.spec.collective) << " at "
      << setup.ranks << " ranks)\n"
      << "#\n";
  char line[256];
  std::snprintf(line, sizeof line, "# %10s %12s %8s %6s %5s %18s %18s %12s %8s %8s %7s\n", "size",
                "count", "type", "redop", "root", "backend", "algorithm", "time", "algbw", "busbw",
                "#wrong");
  out << line;
  std::snprintf(line, sizeof line, "# %10s %12s %8s %6s %5s %18s %18s %12s %8s %8s %7s\n", "(B)",
                "(elements)", "", "", "", "", "", "(us)", "(GB/s)", "(GB/s)", "");
  out << line;
}

void print_table_row(std::ostream& out, const BenchSetup& setup, const BenchRow& row) {
  char line[512];
  const std::string type(comm::dtype_name(setup.spec.dtype));
  if (row.error) {
    std::snprintf(line, sizeof line, "  %10lld %12lld %8s %6s %5s %18s %18s  failed: %s\n",
                  static_cast<long long>(row.bytes), static_cast<long long>(row.count),
                  type.c_str(), redop_column(setup).c_str(), root_column(setup).c_str(),
                  row.backend.c_str(), algorithm_column(setup).c_str(), row.error->c_str());
    out << line;
    return;
  }
  const std::string wrong = row.wrong ? std::to_string(*row.wrong) : "N/A";
  std::snprintf(line, sizeof line, "  %10lld %12lld %8s %6s %5s %18s %18s %12.3f %8.3f %8.3f %7s\n",
                static_cast<long long>(row.bytes), static_cast<long long>(row.count), type.c_str(),
                redop_column(setup).c_str(), root_column(setup).c_str(), row.backend.c_str(),
                algorithm_column(setup).c_str(), row.seconds * 1e6, row.algbw, row.busbw,
                wrong.c_str());
  out << line;
}

void print_table_footer(std::ostream& out, const std::vector<BenchRow>& rows) {
  std::int64_t wrong = 0;
  int failed = 0;
  double busbw = 0;
  int measured = 0;
  for (const BenchRow& row : rows) {
    if (row.error) {
      ++failed;
      continue;
    }
    wrong += row.wrong.value_or(0);
    busbw += row.busbw;
    ++measured;
  }
  out << "# Out of bounds values : " << wrong << (wrong == 0 && failed == 0 ? " OK" : " FAILED")
      << "\n";
  if (failed > 0) out << "# Failed runs : " << failed << "\n";
  out << "# Avg bus bandwidth    : " << printf_string("%g", measured > 0 ? busbw / measured : 0.0)
      << "\n";
}

std::string bench_csv(const BenchSetup& setup, const std::vector<BenchRow>& rows) {
  std::ostringstream csv;
  csv << "collective,algorithm,redop,dtype,ranks,nodes,root,size_bytes,count,backend,time_us,"
         "algbw_gbps,busbw_gbps,wrong,error\n";
  for (const BenchRow& row : rows) {
    csv << scenario::collective_name(setup.spec.collective) << ',' << algorithm_column(setup) << ','
        << redop_column(setup) << ',' << comm::dtype_name(setup.spec.dtype) << ',' << setup.ranks
        << ',' << setup.nodes << ',' << root_column(setup) << ',' << row.bytes << ',' << row.count
        << ',' << results::csv_field(row.backend) << ',';
    if (row.error) {
      csv << ",,,," << results::csv_field(*row.error) << "\n";
      continue;
    }
    csv << printf_string("%.6f", row.seconds * 1e6) << ',' << printf_string("%.6f", row.algbw)
        << ',' << printf_string("%.6f", row.busbw) << ','
        << (row.wrong ? std::to_string(*row.wrong) : std::string()) << ",\n";
  }
  return csv.str();
}

nlohmann::json bench_json(const BenchSetup& setup, const std::vector<BenchRow>& rows) {
  nlohmann::json json;
  json["collective"] = scenario::collective_name(setup.spec.collective);
  json["algorithm"] = algorithm_column(setup);
  json["redop"] = redop_column(setup);
  json["dtype"] = comm::dtype_name(setup.spec.dtype);
  json["ranks"] = setup.ranks;
  json["nodes"] = setup.nodes;
  json["root"] = std::stoi(root_column(setup));
  json["iterations"] = setup.iterations;
  json["phantom"] = setup.spec.phantom;
  json["policy"] = setup.policy;
  json["impl"] = setup.impl;
  json["rows"] = nlohmann::json::array();
  for (const BenchRow& row : rows) {
    nlohmann::json entry{{"size_bytes", row.bytes}, {"count", row.count}, {"backend", row.backend}};
    if (row.error) {
      entry["error"] = *row.error;
    } else {
      entry["time_s"] = row.seconds;
      entry["algbw_gbps"] = row.algbw;
      entry["busbw_gbps"] = row.busbw;
      entry["wrong"] = row.wrong ? nlohmann::json(*row.wrong) : nlohmann::json(nullptr);
    }
    entry["record"] = results::to_json(row.record);
    json["rows"].push_back(std::move(entry));
  }
  return json;
}

}  // namespace commsim::cli
