// The launch model: the VLLM_DIST_IDENT every node's ranks see, as vLLM's multiprocess executor
// produces it, computed from the scenario alone.
//
// In vLLM the variable is the port of the node executor's own distributed_init_method
// (cpu_worker.py:128 @ 2aab9acf4), which MultiprocExecutor takes from get_open_port() on that node
// (multiproc_executor.py:127-129; network_utils.py:150-222 @ 2aab9acf4):
// - without VLLM_PORT the OS picks a free port (bind to port 0). commsim draws it from the Linux
//   ephemeral range 32768-60999 (net.ipv4.ip_local_port_range's default), odd ports only (Linux
//   4.6 and later give bind() odd ports and keep even ones for connect()), deterministically from
//   the launch seed and the node index, skipping the node's ports_in_use and the ports already
//   drawn for lower nodes, so nodes get distinct identifiers. The range and parity are *inferred*
//   from Linux, not from vLLM.
// - with VLLM_PORT in the node's environment, the node scans up from it, skipping ports taken on
//   that node (ports_in_use): two nodes with the same VLLM_PORT and nothing taken get the same
//   identifier.
// - an explicit VLLM_DIST_IDENT in the node's environment wins.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace commsim::scenario {

constexpr int kEphemeralFirst = 32768;
constexpr int kEphemeralLast = 60999;
constexpr int kLastPort = 65535;

// Where a node's VLLM_DIST_IDENT comes from.
enum class IdentSource { kEnvironment, kVllmPort, kOsPick };

struct LaunchIdent {
  std::string ident;  // the value of VLLM_DIST_IDENT
  IdentSource source = IdentSource::kOsPick;
};

// VLLM_PORT as envs.get_vllm_port reads it: a whole number, 0..65535 here (a port).
std::optional<int> parse_vllm_port(const std::string& text);

// The identifier of every node, by node index. REQUIRES: the scenario is valid (every VLLM_PORT
// parses, and every scan ends at or below port 65535).
std::vector<LaunchIdent> launch_idents(const Scenario& scenario);

// The port a node scans to from `start`: the first port at or above it not in `in_use`;
// nullopt past 65535.
std::optional<int> scan_up(int start, const std::vector<int>& in_use);

// "VLLM_DIST_IDENT", "VLLM_PORT" or "launcher" (the OS's pick), for explanations.
std::string ident_source_name(IdentSource source);

}  // namespace commsim::scenario
