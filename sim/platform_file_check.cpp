#include "sim/platform_file_check.h"

#include <cmath>
#include <simgrid/s4u.hpp>
#include <sstream>

#include "scenarios/units.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

// "LINE:COL: " of the first `id="name"` (or id='name') in `text`, or "".
std::string element_position(const std::string& text, const std::string& name) {
  for (const char quote : {'"', '\''}) {
    const std::string needle = std::string("id=") + quote + name + quote;
    const std::size_t at = text.find(needle);
    if (at == std::string::npos) continue;
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < at; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    return std::to_string(line) + ":" + std::to_string(at - line_start + 1) + ": ";
  }
  return "";
}

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Whether `value` is in [low, high] (NaN is not).
bool within(double value, double low, double high) { return value >= low && value <= high; }

}  // namespace

std::string platform_resource_problem(const std::string& file_text) {
  const sg4::Engine* engine = sg4::Engine::get_instance();
  for (const sg4::Host* host : engine->get_all_hosts()) {
    const std::string where =
        element_position(file_text, host->get_name()) + "host '" + host->get_name() + "': ";
    for (unsigned long pstate = 0; pstate < host->get_pstate_count(); ++pstate) {
      const double speed = host->get_pstate_speed(pstate);
      if (!within(speed, scenario::kMinFlops, scenario::kMaxFlops)) {
        return where + "speed " + number_text(speed) +
               " flop/s is out of range; a computing speed must be from 1f to 1000Pf";
      }
    }
    if (host->get_core_count() < 1) {
      return where + std::to_string(host->get_core_count()) + " cores; it needs at least one";
    }
  }
  for (const sg4::Link* link : engine->get_all_links()) {
    const std::string where =
        element_position(file_text, link->get_name()) + "link '" + link->get_name() + "': ";
    const double bandwidth = link->get_bandwidth();
    if (!within(bandwidth, scenario::kMinBandwidth, scenario::kMaxBandwidth)) {
      return where + "bandwidth " + number_text(bandwidth) +
             " B/s is out of range; a bandwidth must be from 1bps to 1000PBps";
    }
    const double latency = link->get_latency();
    if (!(latency == 0 || within(latency, scenario::kMinTime, scenario::kMaxTime))) {
      return where + "latency " + number_text(latency) +
             " s is out of range; a latency must be 0 or from 1ns to 1000000s";
    }
  }
  return "";
}

}  // namespace commsim::sim
