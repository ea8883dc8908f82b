// commsim sweep: a grid of scenario parameters run whole, in parallel, in shards joined by
// `sweep merge`, interrupted and resumed; linked keys; its CSV, JSON and plots; and bad sweep
// files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/run_commsim.h"

namespace {

namespace fs = std::filesystem;
using commsim::testing::run_commsim;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Sweep : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("commsim-sweep-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // A sweep reads its scenario from its own tree (scenarios/README.md): a copy beside it.
    fs::copy_file("scenarios/topologies/fat-tree-tp2-pp4.yaml", dir_ / "fat-tree-tp2-pp4.yaml");
    write("sweep.yaml",
          "name: latency-and-bandwidth\n"
          "scenario: fat-tree-tp2-pp4.yaml\n"
              "grid:\n"
              "  topology.network.latency: [1us, 20us]\n"
              "  topology.network.bandwidth: [10Gbps, 100Gbps]\n"
              "metrics: [sim_time_s, dicts_delivered, verdict]\n"
              "plot: { x: topology.network.bandwidth }\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string sweep(const std::string& args) {
    const auto result = run_commsim("sweep " + (dir_ / "sweep.yaml").string() + " " + args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.output;
  }
  fs::path dir_;
};

TEST_F(Sweep, EveryPointInGridOrderWithItsMetrics) {
  sweep("--out " + (dir_ / "whole").string());
  const std::string csv = read(dir_ / "whole" / "sweep.csv");
  std::istringstream lines(csv);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 5u) << csv;
  EXPECT_EQ(rows[0],
            "index,policy,topology.network.latency,topology.network.bandwidth,sim_time_s,"
            "dicts_delivered,verdict,error");
  EXPECT_EQ(rows[1].rfind("0,vllm-pr40150,1us,10Gbps,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[4].rfind("3,vllm-pr40150,20us,100Gbps,", 0), 0u) << rows[4];
  const auto json = nlohmann::json::parse(read(dir_ / "whole" / "sweep.json"));
  const auto& points = json.at("points");
  ASSERT_EQ(points.size(), 4u);
  const auto time = [&](int i) { return points[i].at("metrics").at("sim_time_s").get<double>(); };
  EXPECT_GT(time(0), time(1));  // 1us: slower links, longer
  EXPECT_GT(time(2), time(0));  // 20us: longer latency, longer
  EXPECT_GT(time(2), time(3));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(points[i].at("metrics").at("dicts_delivered"), 12);
    EXPECT_EQ(points[i].at("metrics").at("verdict"), "pass");
  }
}

TEST_F(Sweep, ParallelShardedAndResumedRunsGiveTheSameTables) {
  sweep("--out " + (dir_ / "whole").string());
  sweep("--out " + (dir_ / "jobs").string() + " --jobs 2");
  EXPECT_EQ(read(dir_ / "jobs" / "sweep.csv"), read(dir_ / "whole" / "sweep.csv"));

  // Two shards, as a Slurm job array runs them, then merged.
  const std::string first = sweep("--out " + (dir_ / "a").string() + " --shard 1/2");
  EXPECT_NE(first.find("2 points in shard 1/2"), std::string::npos) << first;
  EXPECT_NE(first.find("2 of 4 points"), std::string::npos) << first;
  EXPECT_FALSE(fs::exists(dir_ / "a" / "sweep.csv"));
  ::setenv("SLURM_ARRAY_TASK_ID", "1", 1);  // the second task of an array numbered from 0
  ::setenv("SLURM_ARRAY_TASK_COUNT", "2", 1);
  ::setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
  const std::string second = sweep("--out " + (dir_ / "b").string());
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::unsetenv("SLURM_ARRAY_TASK_COUNT");
  ::unsetenv("SLURM_ARRAY_TASK_MIN");
  EXPECT_NE(second.find("2 points in shard 2/2"), std::string::npos) << second;
  const auto merged = run_commsim("sweep merge " + (dir_ / "sweep.yaml").string() + " --out " +
                                  (dir_ / "merged").string() + " " + (dir_ / "a").string() + " " +
                                  (dir_ / "b").string());
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_EQ(read(dir_ / "merged" / "sweep.csv"), read(dir_ / "whole" / "sweep.csv"));
  EXPECT_EQ(read(dir_ / "merged" / "sweep.json"), read(dir_ / "whole" / "sweep.json"));

  // Interrupted: a point's file is missing and another half-written; the rerun does that point.
  fs::remove(dir_ / "whole" / "points" / "2.json");
  write("whole/points/2.json.partial", "{ \"index\": 2, ");
  const std::string resumed = sweep("--out " + (dir_ / "whole").string());
  EXPECT_NE(resumed.find("3 already done, 1 to run"), std::string::npos) << resumed;
  EXPECT_EQ(read(dir_ / "whole" / "sweep.csv"), read(dir_ / "jobs" / "sweep.csv"));

  // Another grid in the same directory: the old points are not taken for the new ones.
  std::string text = read(dir_ / "sweep.yaml");
  text.replace(text.find("[1us, 20us]"), 11, "[1us, 50us]");
  write("sweep.yaml", text);
  const std::string changed = sweep("--out " + (dir_ / "whole").string());
  EXPECT_NE(changed.find("2 already done, 2 to run"), std::string::npos) << changed;
  EXPECT_NE(changed.find("is not a point of this sweep"), std::string::npos) << changed;
  EXPECT_NE(read(dir_ / "whole" / "sweep.csv").find(",50us,"), std::string::npos);
  EXPECT_EQ(read(dir_ / "whole" / "sweep.csv").find(",20us,"), std::string::npos);
}

// A linked key sets its parts together: topology.nodes and parallel.pipeline move as one, so no
// point pairs a pipeline with a node count it cannot fill.
TEST_F(Sweep, LinkedKeysVaryTogether) {
  write("chain.yaml",
        "name: pp-chain\n"
        "policy: vllm-pr40150\n"
        "topology:\n"
        "  kind: cluster\n"
        "  nodes: 1\n"
        "  node: { preset: x86-server }\n"
        "  network: { bandwidth: 100Gbps, latency: 2us }\n"
        "parallel: { tensor: 1, pipeline: 1 }\n"
        "workload:\n"
        "  kind: pp_handoff\n"
        "  steps: 1\n"
        "  seed: 1\n"
        "  tensors: { hidden_states: { dtype: bf16, shape: [4, 64] } }\n");
  write("linked.yaml",
        "scenario: chain.yaml\n"
        "grid:\n"
        "  topology.nodes,parallel.pipeline: [[1, 1], [2, 2], [4, 4]]\n"
        "  workload.steps: [1, 2]\n"
        "metrics: [sim_time_s, dicts_delivered]\n"
        "plot: { x: parallel.pipeline }\n");
  const fs::path out = dir_ / "linked";
  const auto result =
      run_commsim("sweep " + (dir_ / "linked.yaml").string() + " --out " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::istringstream lines(read(out / "sweep.csv"));
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0],
            "index,policy,topology.nodes,parallel.pipeline,workload.steps,sim_time_s,"
            "dicts_delivered,error");
  EXPECT_EQ(rows[1].rfind("0,vllm-pr40150,1,1,1,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[4].rfind("3,vllm-pr40150,2,2,2,", 0), 0u) << rows[4];
  EXPECT_EQ(rows[6].rfind("5,vllm-pr40150,4,4,2,", 0), 0u) << rows[6];
  const auto points = nlohmann::json::parse(read(out / "sweep.json")).at("points");
  ASSERT_EQ(points.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    const auto& values = points[i].at("values");
    const int stages = std::stoi(values.at("parallel.pipeline").get<std::string>());
    const int steps = std::stoi(values.at("workload.steps").get<std::string>());
    EXPECT_EQ(stages, i < 2 ? 1 : i < 4 ? 2 : 4) << points[i];
    EXPECT_EQ(values.at("topology.nodes"), values.at("parallel.pipeline")) << points[i];
    EXPECT_EQ(points[i].at("metrics").at("dicts_delivered"), (stages - 1) * steps) << points[i];
  }

  // The last point is the base scenario on 4 nodes in 4 stages: run alone, the same record.
  std::string four = read(dir_ / "chain.yaml");
  four.replace(four.find("nodes: 1"), 8, "nodes: 4");
  four.replace(four.find("pipeline: 1"), 11, "pipeline: 4");
  four.replace(four.find("steps: 1"), 8, "steps: 2");
  write("four.yaml", four);
  const auto alone = run_commsim("run " + (dir_ / "four.yaml").string() + " --json " +
                                 (dir_ / "four.json").string());
  const auto record = nlohmann::json::parse(read(dir_ / "four.json"));
  std::vector<int> nodes;
  for (const auto& rank : record.at("ranks")) nodes.push_back(rank.at("node").get<int>());
  EXPECT_EQ(nodes, (std::vector<int>{0, 1, 2, 3})) << alone.output;
  EXPECT_EQ(record.at("sim_time_s"), points[5].at("metrics").at("sim_time_s"));

  // x is the linked entry's part: a row per value of the entry, a line per number of steps.
  if (fs::exists(out / "sim_time_s.dat")) {
    std::istringstream data(read(out / "sim_time_s.dat"));
    std::vector<std::string> x;
    for (std::string line; std::getline(data, line);) x.push_back(line.substr(0, line.find(' ')));
    EXPECT_EQ(x, (std::vector<std::string>{"\"1\"", "\"2\"", "\"4\""}));
    EXPECT_NE(read(out / "sim_time_s.gp").find("title 'workload.steps=2'"), std::string::npos);
  }
}

// Single keys keep their point ids: the committed study's results are still this sweep's points.
TEST_F(Sweep, ACommittedStudyResumesWithNothingToRun) {
  const fs::path study = "results/studies/arm-fallback";
  fs::copy(study / "results", dir_ / "results", fs::copy_options::recursive);
  const auto result = run_commsim("sweep " + (study / "arm-fallback.sweep.yaml").string() +
                                  " --out " + (dir_ / "results").string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("30 points, 30 already done, 0 to run"), std::string::npos)
      << result.output;
  EXPECT_EQ(read(dir_ / "results" / "sweep.csv"), read(study / "results" / "sweep.csv"));
}

TEST_F(Sweep, PlotsWithGnuplotOrSaysWhyNot) {
  const std::string output = sweep("--out " + (dir_ / "whole").string());
  if (std::system("command -v gnuplot > /dev/null 2>&1") != 0) {
    EXPECT_NE(output.find("no plots: gnuplot is not installed"), std::string::npos) << output;
    return;
  }
  for (const char* file : {"sim_time_s.svg", "sim_time_s.png", "dicts_delivered.svg"}) {
    EXPECT_TRUE(fs::exists(dir_ / "whole" / file)) << file;
  }
  EXPECT_NE(read(dir_ / "whole" / "sim_time_s.svg").find("<svg"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "whole" / "verdict.svg"));  // not a number
}

TEST_F(Sweep, BadSweepFilesAreOneLineWithTheirPosition) {
  const auto check = [&](const std::string& text, const std::string& expected) {
    write("bad.yaml", text);
    const auto result = run_commsim("sweep " + (dir_ / "bad.yaml").string());
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
  };
  const std::string scenario = "scenario: fat-tree-tp2-pp4.yaml\n";
  check(scenario + "grid:\n  topology.network.bandwidth: [10Gbps, fast]\n",
        "bad.yaml:3:40: grid point 1 (topology.network.bandwidth=fast): "
        "topology.network.bandwidth: 'fast' is not a bandwidth");
  check(scenario + "grid: { parallel.tensor: [2] }\nmetric: [sim_time_s]\n",
        "bad.yaml:3:1: unknown key 'metric' in a sweep file");
  check(scenario + "grid: { parallel.tensor: [2] }\nmetrics: [latency]\n",
        "bad.yaml:3:11: metrics: unknown metric 'latency'");
  check(scenario + "grid: { parallel.tensor: [2] }\nplot: { x: nodes }\n",
        "bad.yaml:3:12: plot.x: 'nodes' is not a grid key");
  check(scenario + "grid:\n  topology.network: [{}]\n  topology.network.latency: [1us]\n",
        "bad.yaml:4:3: grid.topology.network.latency: overlaps grid.topology.network (line 3)");
  check(scenario + "grid: { \"topology..nodes\": [2] }\n",
        "bad.yaml:2:9: grid: 'topology..nodes' is not a scenario key");
  // Linked keys: a value per part, parts set once.
  check(scenario + "grid:\n  topology.nodes,parallel.pipeline: [[4, 4], [2]]\n",
        "bad.yaml:3:46: grid.topology.nodes,parallel.pipeline: [2] is not a list of 2 values, "
        "one per key");
  check(scenario + "grid:\n  topology.nodes,parallel.pipeline:\n    - 4\n",
        "bad.yaml:4:7: grid.topology.nodes,parallel.pipeline: 4 is not a list of 2 values");
  check(scenario + "grid:\n  parallel.tensor: [2]\n  topology.nodes,parallel.tensor: [[4, 2]]\n",
        "bad.yaml:4:3: grid.parallel.tensor: overlaps grid.parallel.tensor (line 3)");
  check(scenario + "grid:\n  topology.network,topology.network.latency: [[{}, 1us]]\n",
        "bad.yaml:3:3: grid.topology.network.latency: overlaps grid.topology.network (line 3)");
  check(scenario + "grid: { \"topology.nodes,\": [[4]] }\n",
        "bad.yaml:2:9: grid: '' in 'topology.nodes,' is not a scenario key");
  check(scenario + "grid: { \"topology.nodes,parallel.pipeline\": [[4, 4]] }\nplot: { x: x }\n",
        "bad.yaml:3:12: plot.x: 'x' is not a grid key");
  write("base.yaml", "name: [oops\n");
  check("scenario: base.yaml\ngrid: { parallel.tensor: [2] }\n",
        "base.yaml:2:1: YAML syntax error");
  check("scenario: missing.yaml\ngrid: { parallel.tensor: [2] }\n",
        "bad.yaml:1:11: scenario: cannot read");
  check(scenario + "policies: [vllm-9]\ngrid: { parallel.tensor: [2] }\n",
        "bad.yaml:2:12: policies: unknown policy 'vllm-9'");
}

}  // namespace

namespace {

// A point reads its node preset file: a re-measured preset makes it stale, and it runs again.
TEST_F(Sweep, APointReadingAPresetFileRerunsWhenTheFileChanges) {
  const std::string preset =
      "preset:\n  name: lab\n  arch: x86_64\n  cores: 8\n  core_gflops: GFLOPS\n"
      "  memory_bandwidth: 50GBps\n  memory_latency: 100ns\n"
      "  kernels: { efficiency: 1.0, bf16_speedup: 2, call_overhead: 1us }\n";
  const auto write_preset = [&](const std::string& gflops) {
    std::string text = preset;
    text.replace(text.find("GFLOPS"), 6, gflops);
    write("lab.yaml", text);
  };
  write_preset("100");
  write("model.yaml",
        "name: lab-model\npolicy: vllm-pr40150\n"
        "topology: { kind: single_node, node: { preset: ./lab.yaml } }\n"
        "parallel: { tensor: 2 }\n"
        "workload:\n  kind: model\n  model: { preset: llama-7b, layers: 2 }\n"
        "  data: phantom\n  prompt: 16\n  steps: 1\n");
  write("sweep.yaml",
        "name: lab\nscenario: model.yaml\ngrid:\n  workload.batch: [1, 4]\n"
        "metrics: [decode_step_time_s]\n");
  const std::string out = (dir_ / "out").string();
  EXPECT_NE(sweep("--out " + out).find("2 points, 0 already done, 2 to run"), std::string::npos);
  const std::string before = read(dir_ / "out" / "sweep.csv");
  EXPECT_NE(sweep("--out " + out).find("2 points, 2 already done, 0 to run"), std::string::npos);
  write_preset("50");  // half the speed: every point is stale, and slower
  EXPECT_NE(sweep("--out " + out).find("2 points, 0 already done, 2 to run"), std::string::npos);
  EXPECT_NE(read(dir_ / "out" / "sweep.csv"), before);
}

}  // namespace
