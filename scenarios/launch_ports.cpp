#include "scenarios/launch_ports.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace commsim::scenario {
namespace {

// splitmix64: a well-mixed 64-bit value from a counter; the same on every platform.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

// The port the OS gives node `node` on its `attempt`-th draw: an odd port of the ephemeral range.
int os_pick(std::uint64_t seed, int node, int attempt) {
  constexpr int kOddPorts = (kEphemeralLast - kEphemeralFirst + 1) / 2;
  const std::uint64_t draw =
      mix(mix(seed) ^ mix(0x6c61756e6368ULL + static_cast<std::uint64_t>(node)) ^
          static_cast<std::uint64_t>(attempt));
  return kEphemeralFirst + 1 + 2 * static_cast<int>(draw % kOddPorts);
}

}  // namespace

std::optional<int> parse_vllm_port(const std::string& text) {
  int port = 0;
  const char* end = text.data() + text.size();
  const auto [stop, status] = std::from_chars(text.data(), end, port);
  if (status != std::errc() || stop != end || port < 0 || port > kLastPort) return std::nullopt;
  return port;
}

std::optional<int> scan_up(int start, const std::vector<int>& in_use) {
  for (int port = start; port <= kLastPort; ++port) {
    if (std::find(in_use.begin(), in_use.end(), port) == in_use.end()) return port;
  }
  return std::nullopt;
}

std::vector<LaunchIdent> launch_idents(const Scenario& scenario) {
  const std::uint64_t seed = scenario.launch_seed.value_or(scenario.workload.seed);
  std::vector<LaunchIdent> idents;
  std::set<int> drawn;  // ports the OS gave lower nodes
  for (int node = 0; node < scenario.topology.nodes; ++node) {
    const NodeSpec spec = scenario.node(node);
    if (const auto set = spec.environment.find("VLLM_DIST_IDENT"); set != spec.environment.end()) {
      idents.push_back({set->second, IdentSource::kEnvironment});
      continue;
    }
    if (const auto port = spec.environment.find("VLLM_PORT"); port != spec.environment.end()) {
      const int found =
          scan_up(parse_vllm_port(port->second).value_or(0), spec.ports_in_use).value_or(kLastPort);
      idents.push_back({std::to_string(found), IdentSource::kVllmPort});
      continue;
    }
    int port = 0;
    for (int attempt = 0;; ++attempt) {
      port = os_pick(seed, node, attempt);
      const bool taken = std::find(spec.ports_in_use.begin(), spec.ports_in_use.end(), port) !=
                         spec.ports_in_use.end();
      if (!taken && !drawn.contains(port)) break;
    }
    drawn.insert(port);
    idents.push_back({std::to_string(port), IdentSource::kOsPick});
  }
  return idents;
}

std::string ident_source_name(IdentSource source) {
  switch (source) {
    case IdentSource::kEnvironment:
      return "VLLM_DIST_IDENT";
    case IdentSource::kVllmPort:
      return "VLLM_PORT";
    case IdentSource::kOsPick:
      return "launcher";
  }
  return "launcher";
}

}  // namespace commsim::scenario
