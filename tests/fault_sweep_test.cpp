// Faults at any time. For each topology kind (cluster, fat_tree, torus, dragonfly, a SimGrid
// platform file) and workload, host crashes, link failures (down, and down then up again) and
// message delays are swept over the whole run: every few microseconds from time 0 through the
// setup (group creation, the SHM name agreement, barriers), then at spaced times through the
// workload, then once after its end. Nodes carry two ranks each. Every run must end with a record
// whose every rank has a classified outcome; and since a run is the fault-free run up to its fault:
//  - a rank that ended before the fault ended as in the fault-free run, at the same time;
//  - a rank on a crashed node still running at the crash is killed at the crash's time, and no
//    other rank is ever killed;
//  - a fault after the end changes nothing: the record is the fault-free one;
//  - a message delay changes times, never results;
//  - the same fault twice gives the same record.
// Each simulation runs in a child process (run_isolated), as SimGrid needs.
#include <gtest/gtest.h>

#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "results/record_json.h"
#include "scenarios/outcome.h"
#include "scenarios/scenario_parser.h"
#include "sim/platform_file.h"
#include "sim/runtime.h"

#if defined(__SANITIZE_ADDRESS__)
#define COMMSIM_FAULT_SWEEP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COMMSIM_FAULT_SWEEP_SANITIZED 1
#endif
#endif

// Outcomes print by name in failure messages.
namespace commsim::scenario {
void PrintTo(Outcome outcome, std::ostream* out) { *out << outcome_name(outcome); }
}  // namespace commsim::scenario

namespace {

using commsim::results::RankRecord;
using commsim::results::RunRecord;
using commsim::scenario::Outcome;
using commsim::scenario::Scenario;

// Under AddressSanitizer (thread contexts, many times slower) every kStride-th time of each sweep
// runs; the first and the after-the-end ones always do.
#ifdef COMMSIM_FAULT_SWEEP_SANITIZED
constexpr int kStride = 5;
#else
constexpr int kStride = 1;
#endif

constexpr double kDenseEnd = 150e-6;   // the setup of every workload here ends before
constexpr int kSpacedTimes = 8;        // then as many times spread over the rest of the run
constexpr double kFlapLength = 20e-6;  // a flapping link is down this long
constexpr int kRepeatEvery = 10;       // every 10th run is run twice

struct Topology {
  std::string name;
  std::string section;   // the topology: section
  std::string parallel;  // the parallel: section
  // Through the setup, a fault every this many seconds: 3 us on the 4-rank cluster, 10 us on the
  // 8-rank kinds (each run there costs several times more).
  double dense_step = 10e-6;
  bool faults_of_the_platform = true;  // false for a platform file: message delays only
};

struct Workload {
  std::string name;
  std::string section;  // the workload: section
};

const Topology kCluster{"cluster",
                        "{ kind: cluster, nodes: 2, node: { preset: x86-server }, "
                        "network: { bandwidth: 25Gbps, latency: 10us } }",
                        "{ tensor: 2, pipeline: 2 }", 3e-6};
const Topology kFatTree{"fat_tree",
                        "{ kind: fat_tree, fat_tree: { levels: 2, down: [2, 2], up: [1, 2], "
                        "links: [1, 1] }, node: { preset: x86-server }, "
                        "network: { bandwidth: 100Gbps, latency: 1us } }",
                        "{ tensor: 2, pipeline: 4 }"};
const Topology kTorus{"torus",
                      "{ kind: torus, torus: { dimensions: [2, 2] }, node: { preset: x86-server "
                      "}, network: { bandwidth: 100Gbps, latency: 1us } }",
                      "{ tensor: 2, pipeline: 4 }"};
const Topology kDragonfly{"dragonfly",
                          "{ kind: dragonfly, dragonfly: { groups: [2, 1], chassis: [1, 1], "
                          "routers: [2, 1], nodes: 1 }, node: { preset: x86-server }, "
                          "network: { bandwidth: 100Gbps, latency: 1us } }",
                          "{ tensor: 2, pipeline: 4 }"};
const Topology kPlatformFile{"xml", "{ kind: xml, xml: { file: platforms/two-racks.xml } }",
                             "{ tensor: 2, pipeline: 2, data: 2 }", 10e-6, false};

const Workload kHandoff{"pp_handoff",
                        "{ kind: pp_handoff, steps: 2, seed: 3, tensors: { hidden_states: "
                        "{ dtype: f32, shape: [4, 256] }, residual: { dtype: bf16, shape: [4, "
                        "256] } } }"};
const Workload kAllreduce{"tp_allreduce",
                          "{ kind: tp_allreduce, steps: 3, seed: 5, tensors: { partial: "
                          "{ dtype: f32, shape: [2048] } } }"};
const Workload kModel{"model",
                      "{ kind: model, data: phantom, model: { layers: 2, hidden: 256, heads: 4, "
                      "kv_heads: 2, intermediate: 512, vocab: 512, dtype: f32 }, batch: 1, "
                      "prompt: 4, steps: 2 }"};

// The scenario file's directory: a platform file is read relative to it.
constexpr char kScenarioFile[] = "scenarios/topologies/fault-sweep.yaml";

std::string time_text(double seconds) {
  char text[40];
  std::snprintf(text, sizeof text, "%.0fns", seconds * 1e9);
  return text;
}

Scenario make_scenario(const Topology& topology, const Workload& workload,
                       const std::vector<std::string>& faults) {
  std::string text = "name: fault-sweep-" + topology.name + "-" + workload.name +
                     "\npolicy: vllm-pr40150\ntopology: " + topology.section +
                     "\nparallel: " + topology.parallel + "\nworkload: " + workload.section + "\n";
  if (!faults.empty()) {
    text += "faults:\n";
    for (const std::string& fault : faults) text += "  - " + fault + "\n";
  }
  const auto parsed = commsim::scenario::parse_scenario_text(text, kScenarioFile,
                                                             &commsim::sim::read_platform_file);
  if (!parsed.errors.empty()) ADD_FAILURE() << parsed.errors.front().to_string() << "\n" << text;
  return parsed.scenario.value_or(Scenario{});
}

std::string record_text(const RunRecord& record) {
  return commsim::results::to_json(record).dump(1);
}

// One sweep: a topology, a workload, and the fault-free run they are measured against.
class Sweep {
 public:
  Sweep(const Topology& topology, const Workload& workload)
      : topology_(topology),
        workload_(workload),
        policy_(*commsim::comm::find_policy("vllm-pr40150")) {
    const Scenario scenario = make_scenario(topology, workload, {});
    world_ = scenario.parallel.world();
    clean_ = commsim::sim::run_isolated(scenario, policy_);
    EXPECT_EQ(clean_.simulation_failure, "");
    for (const RankRecord& rank : clean_.ranks) {
      EXPECT_EQ(rank.outcome, Outcome::kOk) << "fault-free rank " << rank.rank;
    }
    if (topology.faults_of_the_platform) {
      EXPECT_GT(clean_.sim_time_s, kDenseEnd) << "the workload must outlast the dense sweep";
    }
  }

  // The times faults strike at: every dense_step through the setup, kSpacedTimes over the rest of
  // the run, and one after its end (last). Under a sanitizer, every kStride-th.
  std::vector<double> times() const {
    std::vector<double> all;
    const double step = topology_.dense_step;
    for (int i = 0; i * step < kDenseEnd; ++i) all.push_back(i * step);
    const double rest = clean_.sim_time_s - kDenseEnd;
    for (int i = 0; i < kSpacedTimes; ++i)
      all.push_back(kDenseEnd + rest * (i + 0.5) / kSpacedTimes);
    std::vector<double> chosen;
    for (std::size_t i = 0; i < all.size(); i += kStride) chosen.push_back(all[i]);
    chosen.push_back(after_end());
    return chosen;
  }

  double after_end() const { return clean_.sim_time_s + 1e-3; }

  // Node `node` crashes at `at`.
  void crash(int node, double at) {
    const Scenario scenario = make_scenario(
        topology_, workload_,
        {"{ kind: host_crash, node: " + std::to_string(node) + ", at: " + time_text(at) + " }"});
    const double strikes = scenario.faults.at(0).at;
    const RunRecord record = run(scenario);
    const std::string where = "crash of node " + std::to_string(node) + " at " + time_text(at);
    expect_classified(record, where);
    if (strikes > clean_.sim_time_s) {
      EXPECT_EQ(record_text(record), record_text(clean_)) << where;
      return;
    }
    for (const RankRecord& rank : record.ranks) {
      const RankRecord& clean = clean_.ranks.at(static_cast<std::size_t>(rank.rank));
      const std::string which = where + ", rank " + std::to_string(rank.rank);
      if (clean.end_time < strikes) {
        expect_as_without_fault(rank, clean, which);
      } else if (rank.node == node && clean.end_time > strikes) {
        EXPECT_EQ(rank.outcome, Outcome::kKilled) << which;
        EXPECT_EQ(rank.end_time, strikes) << which;
      }
      if (rank.node != node) {
        EXPECT_NE(rank.outcome, Outcome::kKilled) << which;
      }
    }
  }

  // Node `node`'s NIC goes down at `at`, and up again `up_after` later when it is positive.
  void link_down(int node, double at, double up_after) {
    std::vector<std::string> faults = {"{ kind: link_down, node: " + std::to_string(node) +
                                       ", at: " + time_text(at) + " }"};
    if (up_after > 0) {
      faults.push_back("{ kind: link_up, node: " + std::to_string(node) +
                       ", at: " + time_text(at + up_after) + " }");
    }
    const Scenario scenario = make_scenario(topology_, workload_, faults);
    const double strikes = scenario.faults.at(0).at;
    const RunRecord record = run(scenario);
    const std::string where = std::string(up_after > 0 ? "flap" : "link down") + " of node " +
                              std::to_string(node) + " at " + time_text(at);
    expect_classified(record, where);
    if (strikes > clean_.sim_time_s) {
      EXPECT_EQ(record_text(record), record_text(clean_)) << where;
      return;
    }
    for (const RankRecord& rank : record.ranks) {
      const RankRecord& clean = clean_.ranks.at(static_cast<std::size_t>(rank.rank));
      const std::string which = where + ", rank " + std::to_string(rank.rank);
      if (clean.end_time < strikes) {
        expect_as_without_fault(rank, clean, which);
      }
      EXPECT_NE(rank.outcome, Outcome::kKilled) << which;
    }
  }

  // Every message of `rank` leaves `delay` late: the run ends later, with the same results.
  void delay(int rank, double delay) {
    const Scenario scenario =
        make_scenario(topology_, workload_,
                      {"{ kind: message_delay, rank: " + std::to_string(rank) +
                       ", delay: " + time_text(delay) + " }"});
    const RunRecord record = run(scenario);
    const std::string where =
        "delay of rank " + std::to_string(rank) + "'s messages by " + time_text(delay);
    expect_classified(record, where);
    for (const RankRecord& got : record.ranks) {
      EXPECT_EQ(got.outcome, Outcome::kOk) << where << ", rank " << got.rank;
    }
    EXPECT_GE(record.sim_time_s, clean_.sim_time_s) << where;
    EXPECT_EQ(record.data.dicts_delivered, clean_.data.dicts_delivered) << where;
    EXPECT_EQ(record.data.dicts_mismatched, 0) << where;
    EXPECT_EQ(record.data.collectives, clean_.data.collectives) << where;
    EXPECT_EQ(record.data.collectives_mismatched, 0) << where;
    EXPECT_EQ(record.data.model_steps, clean_.data.model_steps) << where;
  }

  int world() const { return world_; }
  int runs() const { return runs_; }

 private:
  RunRecord run(const Scenario& scenario) {
    RunRecord record = commsim::sim::run_isolated(scenario, policy_);
    if (++runs_ % kRepeatEvery == 0) {
      EXPECT_EQ(record_text(commsim::sim::run_isolated(scenario, policy_)), record_text(record))
          << "the same fault twice gave two records";
    }
    return record;
  }

  // A record, no failure, every rank there with an outcome and what it needs: an error or a
  // timeout its exception, a hang (only in a deadlock) where it waits.
  void expect_classified(const RunRecord& record, const std::string& where) const {
    EXPECT_EQ(record.simulation_failure, "") << where;
    ASSERT_EQ(record.ranks.size(), static_cast<std::size_t>(world_)) << where;
    for (const RankRecord& rank : record.ranks) {
      const std::string which = where + ", rank " + std::to_string(rank.rank);
      EXPECT_NE(rank.outcome, Outcome::kUnknown) << which;
      EXPECT_EQ(rank.error.has_value(),
                rank.outcome == Outcome::kError || rank.outcome == Outcome::kTimeout)
          << which;
      // A HarnessError is an exception from outside the model (SimGrid's own, say) that the
      // model does not know.
      if (rank.error) {
        EXPECT_NE(rank.error->type, "") << which;
        EXPECT_NE(rank.error->type, "HarnessError") << which << ": " << rank.error->message;
      }
      if (rank.outcome == Outcome::kHang) {
        EXPECT_TRUE(record.deadlock) << which;
        EXPECT_TRUE(rank.waiting.has_value()) << which;
      }
      EXPECT_LE(rank.end_time, record.sim_time_s) << which;
    }
  }

  static void expect_as_without_fault(const RankRecord& rank, const RankRecord& clean,
                                      const std::string& which) {
    EXPECT_EQ(rank.outcome, clean.outcome) << which << " (ended before the fault)";
    EXPECT_EQ(rank.end_time, clean.end_time) << which << " (ended before the fault)";
  }

  const Topology& topology_;
  const Workload& workload_;
  commsim::comm::Policy policy_;
  RunRecord clean_;
  int world_ = 0;
  int runs_ = 0;
};

// Crashes of the first and the last node (each holds two ranks), alternately; link failures of
// the last node, then of the first; flaps likewise; then delays of the first and the last rank.
void sweep(const Topology& topology, const Workload& workload, int nodes) {
  Sweep sweep(topology, workload);
  if (::testing::Test::HasFatalFailure()) return;
  const std::vector<double> times = sweep.times();
  if (topology.faults_of_the_platform) {
    for (std::size_t i = 0; i < times.size(); ++i) {
      const int node = i % 2 == 0 ? 0 : nodes - 1;
      sweep.crash(node, times[i]);
      sweep.link_down(nodes - 1 - node, times[i], 0);
      sweep.link_down(node, times[i], kFlapLength);
    }
  }
  for (const double delay : {1e-6, 7e-6, 50e-6, 400e-6}) {
    sweep.delay(0, delay);
    sweep.delay(sweep.world() - 1, delay);
  }
  std::printf("%s / %s: %d faulty runs\n", topology.name.c_str(), workload.name.c_str(),
              sweep.runs());
}

TEST(FaultSweep, ClusterHandoff) { sweep(kCluster, kHandoff, 2); }
TEST(FaultSweep, ClusterAllreduce) { sweep(kCluster, kAllreduce, 2); }
TEST(FaultSweep, ClusterModel) { sweep(kCluster, kModel, 2); }
TEST(FaultSweep, FatTreeHandoff) { sweep(kFatTree, kHandoff, 4); }
TEST(FaultSweep, FatTreeAllreduce) { sweep(kFatTree, kAllreduce, 4); }
TEST(FaultSweep, TorusHandoff) { sweep(kTorus, kHandoff, 4); }
TEST(FaultSweep, TorusAllreduce) { sweep(kTorus, kAllreduce, 4); }
TEST(FaultSweep, DragonflyHandoff) { sweep(kDragonfly, kHandoff, 4); }
TEST(FaultSweep, DragonflyAllreduce) { sweep(kDragonfly, kAllreduce, 4); }
TEST(FaultSweep, PlatformFileHandoff) { sweep(kPlatformFile, kHandoff, 4); }
TEST(FaultSweep, PlatformFileAllreduce) { sweep(kPlatformFile, kAllreduce, 4); }

}  // namespace
