// commsim run --trace: the timeline as a Chrome trace. A track per rank grouped by node, every
// communicator operation with its group, backend and bytes, the waits (a hang's stays open to the
// end), counters of bytes delivered per link, and the same bytes for the same scenario.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/run_commsim.h"

namespace {

using commsim::testing::run_commsim;
using commsim::testing::temp_path;
using nlohmann::json;

const std::string kTwoNodes = "scenarios/regressions/tp2-pp2-two-nodes.yaml";
// A hang: the SHM hand-off's sender fails its check before writing anything, and the receiver
// spins on shared memory for a chunk that never comes (an SHM wait has no timeout).
const std::string kHang = "scenarios/regressions/shm-seven-tensors.yaml";

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `scenario` under `policy` with --trace and returns the trace.
json traced(const std::string& scenario, const std::string& policy, const std::string& name) {
  const auto path = temp_path(name);
  const auto result =
      run_commsim("run " + scenario + " --policy " + policy + " --trace " + path.string());
  EXPECT_LE(result.exit_code, 1) << result.output;
  const json trace = json::parse(read(path), nullptr, /*allow_exceptions=*/false);
  std::filesystem::remove(path);
  EXPECT_FALSE(trace.is_discarded());
  return trace;
}

// The events named `name` of phase `phase` on rank `rank` (any rank when -1).
std::vector<json> events(const json& trace, const std::string& phase, const std::string& name,
                         int rank = -1) {
  std::vector<json> found;
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("ph") != phase || event.at("name") != name) continue;
    if (rank >= 0 && event.value("tid", -1) != rank) continue;
    found.push_back(event);
  }
  return found;
}

TEST(Trace, TheSameScenarioGivesTheSameBytes) {
  const auto first = temp_path("trace-first");
  const auto second = temp_path("trace-second");
  ASSERT_EQ(run_commsim("run " + kTwoNodes + " --trace " + first.string()).exit_code, 0);
  ASSERT_EQ(run_commsim("run " + kTwoNodes + " --trace " + second.string()).exit_code, 0);
  const std::string bytes = read(first);
  EXPECT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes, read(second));
  std::filesystem::remove(first);
  std::filesystem::remove(second);
}

TEST(Trace, RanksAreTracksGroupedByNode) {
  const json trace = traced(kTwoNodes, "vllm-pr40150", "trace-tracks");
  const auto processes = events(trace, "M", "process_name");
  ASSERT_EQ(processes.size(), 3u);  // node0, node1, the network
  EXPECT_EQ(processes[0].at("args").at("name"), "node0");
  EXPECT_EQ(processes[1].at("args").at("name"), "node1");
  const auto threads = events(trace, "M", "thread_name");
  ASSERT_EQ(threads.size(), 4u);
  EXPECT_EQ(threads[2].at("pid"), 1);  // rank 2 runs on node 1
  EXPECT_EQ(threads[2].at("args").at("name"), "rank 2");
}

TEST(Trace, OperationsCarryGroupBackendAndBytes) {
  const json trace = traced(kTwoNodes, "vllm-pr40150", "trace-ops");
  // Rank 0 hands its dicts to stage 1 over torch.distributed (the PP group spans the nodes).
  const auto sends = events(trace, "X", "isend_tensor_dict", 0);
  ASSERT_EQ(sends.size(), 3u);  // three steps
  for (const json& send : sends) {
    EXPECT_EQ(send.at("args").at("group"), "pp:0");
    EXPECT_EQ(send.at("args").at("group_backend"), "torch.distributed");
    EXPECT_GT(send.at("args").at("bytes_sent").get<std::uint64_t>(), 2u * 8 * 2048 * 2 / 2);
    EXPECT_GT(send.at("dur").get<double>(), 0.0);
    EXPECT_EQ(send.at("pid"), 0);
  }
  // The TP group of node 1 gathers the halves back over SHM.
  const auto receives = events(trace, "X", "irecv_tensor_dict", 2);
  ASSERT_EQ(receives.size(), 3u);
  const auto gathers = events(trace, "X", "shm_all_gather", 2);
  ASSERT_FALSE(gathers.empty());
  EXPECT_EQ(gathers.front().at("args").at("group_backend"), "shm");
  // Under 0.18.0 the hand-off fails at once: the box says so.
  const json failing = traced(kTwoNodes, "vllm-0.18.0", "trace-failing");
  const auto failed = events(failing, "X", "isend_tensor_dict", 0);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed.front().at("args").at("failed"), true);
}

// The worker's hand-off is asynchronous (gpu_worker.py:754-841 @ 2aab9acf4): a stage returns from
// isend_tensor_dict before its tensors have reached the next stage, and waits on the handles at
// its next step (and, after the last, at the end of the run).
TEST(Trace, HandOffSendsOverlapAndAreWaitedAtTheNextStep) {
  const json trace = traced(kTwoNodes, "vllm-pr40150", "trace-async");
  const auto sends = events(trace, "X", "isend_tensor_dict", 0);
  const auto waits = events(trace, "X", "Work.wait", 0);
  const auto arrivals = events(trace, "X", "AsyncIntermediateTensors.wait_for_comm", 2);
  ASSERT_EQ(sends.size(), 3u);
  ASSERT_EQ(waits.size(), 3u);  // before steps 1 and 2, and at the end
  ASSERT_EQ(arrivals.size(), 3u);
  const auto end = [](const json& box) {
    return box.at("ts").get<double>() + box.at("dur").get<double>();
  };
  for (std::size_t step = 0; step < 3; ++step) {
    // The sender is free before the receiver has its tensors ...
    EXPECT_LT(end(sends[step]), end(arrivals[step])) << step;
    // ... and waits on them only after returning from the send (to the nanosecond: ts + dur is
    // rounded in microseconds).
    EXPECT_GE(waits[step].at("ts").get<double>(), end(sends[step]) - 1e-3) << step;
    EXPECT_EQ(waits[step].at("args").at("group"), "pp:0");
  }
  EXPECT_GT(waits.front().at("dur").get<double>(), 0.0);
}

TEST(Trace, AHangLeavesItsWaitOpenToTheEnd) {
  const json trace = traced(kHang, "vllm-pr40150", "trace-hang");
  const auto waits = events(trace, "X", "wait (shared memory)", 1);
  ASSERT_FALSE(waits.empty());
  const json& last = waits.back();
  EXPECT_EQ(last.at("args").at("op"), "shm_recv_tensor_list");
  EXPECT_EQ(last.at("args").at("group"), "pp:0");
  EXPECT_EQ(last.at("args").at("peer"), 0);
  EXPECT_EQ(last.at("args").at("unfinished"), true);
}

// Boxes on one track nest or are apart (a viewer draws them as a stack); waits never overlap.
TEST(Trace, BoxesNestOnEveryTrack) {
  for (const std::string& scenario :
       {kTwoNodes, kHang, std::string("scenarios/faults/host-crash-tp.yaml"),
        std::string("scenarios/faults/nic-down-mid-handoff.yaml"),
        std::string("scenarios/topologies/torus-tp2-pp4.yaml")}) {
    const json trace = traced(scenario, "vllm-pr40150", "trace-nesting");
    std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> ops;
    std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> waits;
    for (const json& event : trace.at("traceEvents")) {
      if (event.at("ph") != "X") continue;
      // Whole nanoseconds, as the trace rounds them.
      const auto start = std::llround(event.at("ts").get<double>() * 1000);
      const auto end = start + std::llround(event.at("dur").get<double>() * 1000);
      ASSERT_LE(start, end) << scenario;
      auto& track = event.at("cat") == "wait" ? waits : ops;
      track[event.at("tid").get<int>()].emplace_back(start, end);
    }
    for (auto& [rank, boxes] : ops) {
      std::vector<std::int64_t> stack;          // ends of the open boxes
      for (const auto& [start, end] : boxes) {  // in start order, parents first
        while (!stack.empty() && stack.back() <= start && !(stack.back() == start && end == start))
          stack.pop_back();
        if (!stack.empty()) {
          EXPECT_LE(end, stack.back()) << scenario << " rank " << rank << " box at " << start;
        }
        stack.push_back(end);
      }
    }
    for (auto& [rank, boxes] : waits) {
      for (std::size_t i = 1; i < boxes.size(); ++i) {
        EXPECT_LE(boxes[i - 1].second, boxes[i].first) << scenario << " rank " << rank;
      }
    }
  }
}

TEST(Trace, KilledAndFailedRanksSaySo) {
  // host-crash-tp: node 1 crashes at 0.5 ms; rank 0's transfer fails, rank 1 is killed.
  const json trace = traced("scenarios/faults/host-crash-tp.yaml", "vllm-pr40150", "trace-crash");
  const auto failing = events(trace, "X", "all_gather_object", 0);
  ASSERT_EQ(failing.size(), 1u);
  EXPECT_EQ(failing[0].at("args").at("failed"), true);
  EXPECT_FALSE(failing[0].at("args").contains("unfinished"));
  for (const json& wait : events(trace, "X", "wait (recv)", 0)) {
    EXPECT_FALSE(wait.at("args").contains("unfinished")) << wait;  // it ended with the failure
  }
  const auto killed = events(trace, "X", "all_gather_object", 1);
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0].at("args").at("unfinished"), true);
  EXPECT_FALSE(killed[0].at("args").contains("failed"));
  EXPECT_DOUBLE_EQ(killed[0].at("ts").get<double>() + killed[0].at("dur").get<double>(), 500.0);
  // A hang: the ops SimGrid ends are unfinished, not failed.
  const json hang = traced(kHang, "vllm-pr40150", "trace-hang-ops");
  const auto waiting = events(hang, "X", "shm_recv_tensor_list", 1);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].at("args").at("unfinished"), true);
  EXPECT_FALSE(waiting[0].at("args").contains("failed"));
}

TEST(Trace, LinksCountBytesWhenTheyArrive) {
  // link-flap-before-send: rank 1's name-check message crosses before node 1's link goes down at
  // 0.5 ms, although rank 0 (whose messages leave 2 ms late) picks it up only after.
  const json trace =
      traced("scenarios/faults/link-flap-before-send.yaml", "vllm-pr40150", "trace-flap");
  const auto up = events(trace, "C", "nic1_UP");
  ASSERT_FALSE(up.empty());
  EXPECT_LT(up.front().at("ts").get<double>(), 500.0);
}

TEST(Trace, LinksCountTheBytesDeliveredOverThem) {
  const json trace = traced(kTwoNodes, "vllm-pr40150", "trace-links");
  // Everything node 0 sends to node 1 leaves by nic0_UP and arrives by nic1_DOWN.
  const auto up = events(trace, "C", "nic0_UP");
  const auto down = events(trace, "C", "nic1_DOWN");
  ASSERT_FALSE(up.empty());
  ASSERT_EQ(up.size(), down.size());
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < up.size(); ++i) {
    const auto bytes = up[i].at("args").at("bytes").get<std::uint64_t>();
    EXPECT_GT(bytes, previous);  // cumulative
    previous = bytes;
    EXPECT_EQ(up[i].at("ts"), down[i].at("ts"));
    EXPECT_EQ(down[i].at("args").at("bytes"), bytes);
  }
  // The hand-off: 3 steps x 2 tensors of 8 x 2048 bf16, plus the dict headers.
  EXPECT_GT(previous, 3u * 2 * 8 * 2048 * 2);
  EXPECT_FALSE(events(trace, "C", "lo0").empty());  // the name check between ranks of node 0
}

TEST(Trace, OneScenarioAndAWritableFileOnly) {
  const auto two = run_commsim("run " + kTwoNodes + " " + kHang + " --trace /tmp/unused.json");
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_NE(two.output.find("--trace: a trace holds one run; give one scenario file (got 2)"),
            std::string::npos)
      << two.output;
  const auto unwritable = run_commsim("run " + kTwoNodes + " --trace /no/such/dir/t.json");
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_NE(unwritable.output.find("commsim: --trace: cannot write '/no/such/dir/t.json': its "
                                   "directory '/no/such/dir': No such file or directory"),
            std::string::npos)
      << unwritable.output;
}

}  // namespace

namespace {

const std::string kModel = "scenarios/models/tp2-pp2-llama-two-nodes.yaml";

TEST(Trace, KernelCallsAreBoxesWithTheirCosts) {
  const json trace = traced(kModel, "vllm-pr40150", "trace-kernels");
  // 4 layers on 2 stages: each stage runs 2 layers for the prefill and each of 4 decode steps.
  EXPECT_EQ(events(trace, "X", "qkv_proj", 0).size(), 10u);
  EXPECT_EQ(events(trace, "X", "attention_prefill", 0).size(), 2u);
  EXPECT_EQ(events(trace, "X", "attention_decode", 3).size(), 8u);
  // The embedding lives on the first stage, the LM head on the last.
  EXPECT_EQ(events(trace, "X", "embedding", 0).size(), 5u);
  EXPECT_TRUE(events(trace, "X", "embedding", 2).empty());
  EXPECT_EQ(events(trace, "X", "lm_head", 2).size(), 5u);
  EXPECT_TRUE(events(trace, "X", "lm_head", 0).empty());
  const auto lm_head = events(trace, "X", "lm_head", 3).front();
  EXPECT_EQ(lm_head.at("cat"), "kernel");
  EXPECT_EQ(lm_head.at("args").at("dtype"), "float32");
  // The prefill's LM head: the last token of 2 sequences, hidden 256, half of 1,024 words.
  EXPECT_EQ(lm_head.at("args").at("flops").get<double>(), 2.0 * 2 * 256 * 512);
  EXPECT_GT(lm_head.at("dur").get<double>(), 0);

  // A rank's kernels run one after another, outside its communicator operations.
  std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> kernels;
  std::map<int, std::vector<std::pair<std::int64_t, std::int64_t>>> ops;
  for (const json& event : trace.at("traceEvents")) {
    if (event.at("ph") != "X" || event.at("cat") == "wait") continue;
    const auto start = std::llround(event.at("ts").get<double>() * 1000);
    const auto end = start + std::llround(event.at("dur").get<double>() * 1000);
    (event.at("cat") == "kernel" ? kernels : ops)[event.at("tid").get<int>()].emplace_back(start,
                                                                                           end);
  }
  ASSERT_EQ(kernels.size(), 4u);
  for (auto& [rank, boxes] : kernels) {
    for (std::size_t i = 1; i < boxes.size(); ++i) {
      EXPECT_LE(boxes[i - 1].second, boxes[i].first) << "rank " << rank;
    }
    for (const auto& [start, end] : boxes) {
      for (const auto& [op_start, op_end] : ops[rank]) {
        EXPECT_TRUE(end <= op_start || start >= op_end)
            << "rank " << rank << " kernel at " << start << " inside an op at " << op_start;
      }
    }
  }
}

}  // namespace

namespace {

TEST(Trace, CollectivesSayWhichAlgorithmRanThem) {
  // 64 KiB of bf16 on a TP group that fell back to torch.distributed: gloo's ring.
  const json fallback = traced("scenarios/regressions/arm-single-node-tp.yaml",
                               "vllm-pr40150-x86-revision", "trace-algorithm");
  const auto rings = events(fallback, "X", "CpuCommunicator.all_reduce", 0);
  ASSERT_EQ(rings.size(), 2u);
  EXPECT_EQ(rings[0].at("args").at("algorithm"), "ring");
  const json shm = traced("scenarios/regressions/arm-single-node-tp.yaml", "vllm-pr40150",
                          "trace-algorithm-shm");
  const auto shm_ops = events(shm, "X", "shm_allreduce", 1);
  ASSERT_EQ(shm_ops.size(), 2u);
  EXPECT_EQ(shm_ops[0].at("args").at("algorithm"), "shm");
}

}  // namespace
