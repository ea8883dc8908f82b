#include "scenarios/platform_facts.h"

#include "scenarios/node_presets.h"
#include "scenarios/units.h"

namespace commsim::scenario {

namespace {

constexpr std::string_view kEnvPrefix = "env:";

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The quantity `text` parses to (> 0 when `positive`), or the reason it does not.
Quantity positive_quantity(Quantity (*parse)(std::string_view), const std::string& text,
                           bool positive) {
  Quantity quantity = parse(text);
  if (quantity && (positive ? !(*quantity.value > 0) : *quantity.value < 0)) {
    quantity = Quantity{std::nullopt, std::string("must be ") +
                                          (positive ? "greater than 0" : "at least 0") + ", got '" +
                                          text + "'"};
  }
  return quantity;
}

}  // namespace

PlatformFacts platform_facts(const PlatformNode& node) {
  NodeOverride facts;
  facts.cores = node.cores;
  facts.core_flops = node.speed;
  for (const auto& [key, value] : node.properties) {
    // Captured by name: clang before 16 cannot capture a structured binding.
    const auto fail = [&, &property = key](const std::string& why) {
      return PlatformFacts{std::nullopt,
                           "node '" + node.name + "': property '" + property + "': " + why};
    };
    if (key == "arch") {
      facts.arch = comm::parse_arch(value);
      if (!facts.arch) {
        std::vector<std::string> valid;
        for (comm::Arch arch : {comm::Arch::kX86, comm::Arch::kArm, comm::Arch::kPowerPC,
                                comm::Arch::kS390X, comm::Arch::kRiscV})
          valid.emplace_back(comm::arch_name(arch));
        return fail("unknown arch '" + value + "'; valid: " + join_names(valid));
      }
    } else if (key == "init_shm_manager") {
      if (value != "true" && value != "false")
        return fail("expected true or false, got '" + value + "'");
      facts.has_init_shm_manager = value == "true";
    } else if (key == "threads") {
      double threads = 0;
      if (!parse_plain_number(value, &threads) || threads < 1 || threads > 65536 ||
          threads != static_cast<int>(threads)) {
        return fail("expected a whole number of threads from 1, got '" + value + "'");
      }
      facts.num_threads = static_cast<int>(threads);
    } else if (key == "preset") {
      if (find_node_preset(value) == nullptr) {
        std::vector<std::string> valid;
        for (const NodePreset& preset : node_presets()) valid.emplace_back(preset.name);
        return fail("unknown preset '" + value + "'; valid: " + join_names(valid));
      }
      facts.preset = value;
    } else if (key == "nic_limit") {
      return fail("a platform file's links are its own: give the host a limiter link instead");
    } else if (key == "memory_bandwidth") {
      const Quantity bandwidth = positive_quantity(&parse_bandwidth, value, true);
      if (!bandwidth) return fail(bandwidth.error);
      facts.memory_bandwidth = bandwidth.value;
    } else if (key == "memory_latency") {
      const Quantity latency = positive_quantity(&parse_time, value, false);
      if (!latency) return fail(latency.error);
      facts.memory_latency = latency.value;
    } else if (key.compare(0, kEnvPrefix.size(), kEnvPrefix) == 0 &&
               key.size() > kEnvPrefix.size()) {
      facts.environment[key.substr(kEnvPrefix.size())] = value;
    }
  }
  // A preset gives the hardware the file does not: the host's own cores and speed still win.
  return PlatformFacts{facts, ""};
}

}  // namespace commsim::scenario
