// commsim bench end to end: the dist backend's collectives timed against the alpha-beta closed
// forms, phantom data against real data, every result checked exactly, and the three outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/run_commsim.h"

namespace {

using commsim::testing::Result;
using commsim::testing::run_commsim;
using commsim::testing::temp_path;

// LV08 between two nodes of the star: two hops of `latency`, the NIC's bandwidth.
double lv08_alpha(double latency) { return 13.01 * 2 * latency; }
double lv08_beta(double bandwidth_bytes) { return 1.0 / (0.97 * bandwidth_bytes); }

// Runs `commsim bench ARGS --json FILE` and returns the JSON; fails the test if the run fails.
nlohmann::json bench(const std::string& args) {
  const auto path = temp_path("commsim-bench");
  const Result result = run_commsim("bench " + args + " --json " + path.string());
  EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.output;
  std::ifstream in(path);
  nlohmann::json json = in ? nlohmann::json::parse(in) : nlohmann::json::object();
  std::filesystem::remove(path);
  return json;
}

TEST(Bench, RingAllReduceMatchesTheAlphaBetaClosedForm) {
  // The 64 KiB case goes through a scenario's own tp_allreduce workload (the default algorithm
  // picks the ring); the others through bench with the ring forced.
  for (int world : {2, 8, 64}) {
    const auto path = temp_path("commsim-ring-" + std::to_string(world)).replace_extension(".yaml");
    std::ofstream(path) << "name: ring\npolicy: vllm-pr40150\n"
                        << "topology:\n  kind: cluster\n  nodes: " << world
                        << "\n  node: { cores: 4 }\n"
                        << "  network: { bandwidth: 10Gbps, latency: 5us, crosstraffic: false }\n"
                        << "parallel: { tensor: " << world << " }\n"
                        << "workload: { kind: tp_allreduce, tensors: { x: { dtype: f32, shape: "
                           "[16384] } } }\n";
    const auto json = temp_path("commsim-ring");
    const Result result = run_commsim("run " + path.string() + " --json " + json.string());
    std::filesystem::remove(path);
    ASSERT_EQ(result.exit_code, 0) << result.output;
    std::ifstream in(json);
    const nlohmann::json record = nlohmann::json::parse(in);
    std::filesystem::remove(json);
    const double bytes = 16384 * 4;
    const double expected =
        2.0 * (world - 1) * (lv08_alpha(5e-6) + (bytes / world) * lv08_beta(10e9 / 8));
    const double simulated = record.at("data").at("collective_time_s").get<double>();
    EXPECT_NEAR(simulated, expected, 1e-9 * expected) << "P = " << world;
    EXPECT_EQ(record.at("data").at("collectives_mismatched"), 0);
  }
  for (int world : {2, 8, 64}) {
    const nlohmann::json json =
        bench("--nodes " + std::to_string(world) +
              " --algorithm ring --sizes 4KiB:4MiB --step-factor 1024 --bandwidth 25Gbps "
              "--latency 2us --crosstraffic off");
    ASSERT_EQ(json.at("rows").size(), 2u);
    for (const auto& row : json.at("rows")) {
      const double bytes = row.at("size_bytes").get<double>();
      const double expected =
          2.0 * (world - 1) * (lv08_alpha(2e-6) + (bytes / world) * lv08_beta(25e9 / 8));
      const double simulated = row.at("time_s").get<double>();
      EXPECT_NEAR(simulated, expected, 1e-9 * expected) << "P = " << world << ", " << bytes;
      EXPECT_EQ(row.at("wrong"), 0);
    }
  }
}

TEST(Bench, RingAllReduceTakesTheLargestSegmentPairWhenPDoesNotDivideTheCount) {
  // 200 ranks: gloo's ring cuts the buffer into roundUp(max(ceil(bytes / 1 MiB), 2P), P) = 400
  // segments of ceil(n / 400) elements (the last ones shorter or empty) and keeps two in flight,
  // so every step waits for two full segments: the closed form with 2 x ceil(n / 400) elements
  // in place of n / P. (The untimed barrier before each call leaves every rank at the same time.)
  // Phantom data, so 4 MiB x 200 ranks costs nothing.
  const int world = 200;
  const nlohmann::json json = bench(
      "--nodes 200 --algorithm ring --sizes 4KiB:4MiB --step-factor 1024 --bandwidth 25Gbps "
      "--latency 2us --crosstraffic off --phantom");
  ASSERT_EQ(json.at("rows").size(), 2u);
  for (const auto& row : json.at("rows")) {
    const double count = row.at("count").get<double>();
    const double segments = 2.0 * world;  // 4 MiB is 4 segments of 1 MiB, fewer than 2P
    const double chunk_bytes = 2 * std::ceil(count / segments) * 4;
    const double expected =
        2.0 * (world - 1) * (lv08_alpha(2e-6) + chunk_bytes * lv08_beta(25e9 / 8));
    EXPECT_NEAR(row.at("time_s").get<double>(), expected, 1e-9 * expected) << count;
  }
}

TEST(Bench, PointToPointMatchesTheAlphaBetaClosedForm) {
  // send_recv: every rank sends to the next node and receives from the previous one; with one
  // rank per node each NIC carries one flow each way, so every message costs alpha + S beta.
  for (int world : {2, 8, 64}) {
    const nlohmann::json json =
        bench("--nodes " + std::to_string(world) +
              " --collective send_recv --sizes 8:16MiB --step-factor 64 --bandwidth 10Gbps "
              "--latency 5us --crosstraffic off");
    ASSERT_EQ(json.at("rows").size(), 4u);  // 8 B, 512 B, 32 KiB, 2 MiB
    for (const auto& row : json.at("rows")) {
      const double bytes = row.at("size_bytes").get<double>();
      const double expected = lv08_alpha(5e-6) + bytes * lv08_beta(10e9 / 8);
      const double simulated = row.at("time_s").get<double>();
      EXPECT_NEAR(simulated, expected, 1e-9 * expected) << "P = " << world << ", " << bytes;
      EXPECT_EQ(row.at("wrong"), 0);
    }
  }
}

TEST(Bench, Cm02KeepsLv08BetweenNodesAndDropsItsFactorsOnTheLoopback) {
  // Between nodes CM02's callbacks apply LV08's factors: the same alpha + S beta. Inside a node,
  // torch.distributed's TCP loopback gets none: 1 us + S / (5 GB/s shared by the two flows of
  // send_recv), where LV08 charges 13.01 us + S / (0.97 x 2.5 GB/s).
  for (const std::string model : {"LV08", "CM02"}) {
    const nlohmann::json between = bench(
        "--nodes 2 --collective send_recv --sizes 8:8MiB --step-factor 1024 --bandwidth 10Gbps "
        "--latency 5us --crosstraffic off --network-model " +
        model);
    for (const auto& row : between.at("rows")) {
      const double bytes = row.at("size_bytes").get<double>();
      const double expected = lv08_alpha(5e-6) + bytes * lv08_beta(10e9 / 8);
      EXPECT_NEAR(row.at("time_s").get<double>(), expected, 1e-9 * expected) << model << bytes;
    }
    const nlohmann::json inside = bench(
        "--nodes 1 --ranks-per-node 2 --collective send_recv --sizes 8:8MiB --step-factor "
        "1024 --crosstraffic off --network-model " +
        model);
    for (const auto& row : inside.at("rows")) {
      const double bytes = row.at("size_bytes").get<double>();
      const double expected =
          model == "CM02" ? 1e-6 + bytes / 2.5e9 : 13.01 * 1e-6 + bytes / (0.97 * 2.5e9);
      EXPECT_NEAR(row.at("time_s").get<double>(), expected, 1e-9 * expected) << model << bytes;
    }
  }
}

TEST(Bench, PhantomDataGivesTheRealDataTimesForEveryCollective) {
  // Group sizes 1, 3 (one node) and 5 (on 3 nodes is not packed evenly; 5 nodes x 1 is).
  const std::vector<std::string> topologies = {"--nodes 1 --ranks-per-node 1",
                                               "--nodes 1 --ranks-per-node 3",
                                               "--nodes 5 --ranks-per-node 1"};
  for (const std::string collective : {"all_reduce", "all_gather", "reduce_scatter", "broadcast",
                                       "gather", "barrier", "send_recv"}) {
    for (const std::string& topology : topologies) {
      const std::string args =
          topology + " --collective " + collective + " --sizes 4:256KiB --step-factor 64 --iters 2";
      const nlohmann::json real = bench(args);
      const nlohmann::json phantom = bench(args + " --phantom");
      ASSERT_EQ(real.at("rows").size(), phantom.at("rows").size()) << args;
      ASSERT_FALSE(real.at("rows").empty()) << args;
      for (std::size_t i = 0; i < real.at("rows").size(); ++i) {
        const auto& real_row = real.at("rows")[i];
        const auto& phantom_row = phantom.at("rows")[i];
        EXPECT_EQ(real_row.at("time_s"), phantom_row.at("time_s")) << args << " row " << i;
        EXPECT_EQ(real_row.at("wrong"), 0) << args << " row " << i;
        EXPECT_TRUE(phantom_row.at("wrong").is_null()) << args << " row " << i;
      }
    }
  }
}

TEST(Bench, EveryDtypeAndOpIsExactOnAGroupOfSeven) {
  for (const std::string collective : {"all_reduce", "reduce_scatter"}) {
    for (const std::string dtype : {"f32", "bf16", "f16", "i32", "i64"}) {
      for (const std::string op : {"sum", "max", "min"}) {
        const nlohmann::json json =
            bench("--nodes 7 --collective " + collective + " --dtype " + dtype + " --op " + op +
                  " --sizes 7:70KiB --step-factor 100");
        for (const auto& row : json.at("rows")) {
          EXPECT_EQ(row.at("wrong"), 0) << collective << " " << dtype << " " << op;
          EXPECT_GT(row.at("time_s").get<double>(), 0);
        }
      }
    }
  }
}

TEST(Bench, RefusesInputsWhoseSumCannotBeExact) {
  // bf16 integers are exact up to 256: a sum over 300 ranks cannot be checked.
  const Result result = run_commsim("bench --nodes 300 --dtype bf16 --sizes 4KiB");
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("--dtype: a sum over 300 ranks cannot be exact in bfloat16"),
            std::string::npos)
      << result.output;
  const Result bad = run_commsim("bench --collective all_to_all");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--collective: unknown collective 'all_to_all'"), std::string::npos)
      << bad.output;
  // An unwritable output is found before anything runs, and nothing is left behind.
  const Result unwritable = run_commsim("bench --csv /nonexistent-dir/rows.csv");
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_EQ(unwritable.output,
            "commsim: --csv: cannot write '/nonexistent-dir/rows.csv': its directory "
            "'/nonexistent-dir': No such file or directory\n");
  const Result no_algorithm = run_commsim("bench --collective broadcast --algorithm ring");
  EXPECT_EQ(no_algorithm.exit_code, 2);
  EXPECT_NE(no_algorithm.output.find("--algorithm: only all_reduce"), std::string::npos);
}

// The limits of a run (README.md, "Limits") hold for bench as for scenarios: refused before
// anything runs, with the option named.
TEST(Bench, RefusesRunsPastTheLimits) {
  const Result ranks = run_commsim("bench --nodes 4096 --ranks-per-node 8 --sizes 1KiB");
  EXPECT_EQ(ranks.exit_code, 2);
  EXPECT_EQ(ranks.output,
            "commsim: --ranks-per-node: must be at least 1, with at most 16384 ranks in all "
            "(README.md, 'Limits')\n");
  const Result real = run_commsim("bench --nodes 2 --ranks-per-node 2 --sizes 1GiB");
  EXPECT_EQ(real.exit_code, 2);
  EXPECT_EQ(real.output,
            "commsim: --sizes: real tensors would take about 8.0 GiB (two buffers of 1.0 GiB on "
            "each of 4 ranks), over the budget of 4.0 GiB per run; use --phantom to time them "
            "without allocating\n");
  const Result iters = run_commsim("bench --nodes 2 --iters 1000000");
  EXPECT_EQ(iters.exit_code, 2);
  EXPECT_EQ(iters.output, "commsim: --iters: must be in [1, 100000]\n");
}

TEST(Bench, PrintsAnExactRowPerSizeAndBackend) {
  const Result result = run_commsim(
      "bench scenarios/benchmarks/shm-node-2ranks.yaml --sizes 4KiB:64KiB "
      "--step-factor 4 --backends shm,torch.distributed");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  // Rows: size count type redop root backend algorithm time algbw busbw #wrong.
  std::istringstream lines(result.output);
  std::map<std::string, std::map<long long, double>> times;  // backend -> size -> us
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream row(line);
    long long size = 0, count = 0, root = 0;
    std::string type, redop, backend, algorithm;
    double time = 0, algbw = 0, busbw = 0;
    int wrong = -1;
    row >> size >> count >> type >> redop >> root >> backend >> algorithm >> time >> algbw >>
        busbw >> wrong;
    ASSERT_FALSE(row.fail()) << line;
    EXPECT_EQ(wrong, 0) << line;
    EXPECT_EQ(count * 4, size) << line;
    EXPECT_EQ(type, "float32");
    EXPECT_EQ(redop, "sum");
    // us -> GB/s; both columns are rounded when printed.
    EXPECT_NEAR(algbw, size / time / 1e3, 0.005 + 0.01 * algbw) << line;
    EXPECT_NEAR(busbw, algbw, 1e-9) << "2(n-1)/n = 1 at n = 2: " << line;
    times[backend][size] = time;
  }
  ASSERT_EQ(times["shm"].size(), 3u) << result.output;
  ASSERT_EQ(times["torch.distributed"].size(), 3u) << result.output;
  for (const auto& [size, shm_time] : times["shm"]) {
    EXPECT_LT(shm_time * 10, times["torch.distributed"][size]) << "size " << size;
  }
  EXPECT_NE(result.output.find("# Out of bounds values : 0 OK"), std::string::npos);
}

TEST(Bench, WritesCsvAndJsonOfTheSameRows) {
  const auto csv_path = temp_path("commsim-bench").replace_extension(".csv");
  const auto json_path = temp_path("commsim-bench");
  const Result result = run_commsim(
      "bench --nodes 4 --ranks-per-node 2 --collective all_gather --sizes 1KiB:1MiB "
      "--step-factor 32 --csv " +
      csv_path.string() + " --json " + json_path.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::ifstream csv(csv_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(csv, line);) lines.push_back(line);
  std::ifstream json_in(json_path);
  const nlohmann::json json = nlohmann::json::parse(json_in);
  std::filesystem::remove(csv_path);
  std::filesystem::remove(json_path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "collective,algorithm,redop,dtype,ranks,nodes,root,size_bytes,count,backend,time_us,"
            "algbw_gbps,busbw_gbps,wrong,error");
  EXPECT_EQ(lines[1].rfind("all_gather,-,none,float32,8,4,-1,1024,256,torch.distributed,", 0), 0u)
      << lines[1];
  ASSERT_EQ(json.at("rows").size(), 3u);
  EXPECT_EQ(json.at("collective"), "all_gather");
  EXPECT_EQ(json.at("ranks"), 8);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& row = json.at("rows")[i];
    std::ostringstream time_us;
    time_us.setf(std::ios::fixed);
    time_us.precision(6);
    time_us << row.at("time_s").get<double>() * 1e6;
    EXPECT_NE(lines[i + 1].find("," + time_us.str() + ","), std::string::npos) << lines[i + 1];
    EXPECT_EQ(row.at("wrong"), 0);
    // all_gather's busbw factor is (n - 1) / n.
    EXPECT_DOUBLE_EQ(row.at("busbw_gbps").get<double>(),
                     row.at("algbw_gbps").get<double>() * 7.0 / 8.0);
    EXPECT_EQ(row.at("record").at("data").at("collectives"), 8);
  }
}

}  // namespace
