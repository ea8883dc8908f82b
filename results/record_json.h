// RunRecord <-> JSON.
//
// Used to write run records to files and to pass a record from a forked child process to its
// parent, so the round trip is exact: record_from_json(to_json(r)) equals r field for field,
// also after dump() and parse() (nlohmann prints doubles with enough digits to read them back
// bit for bit). REQUIRES for that: every double in the record is finite (JSON has no NaN/inf).
//
// Layout (keys of an object print sorted, so dump(2) is deterministic):
//   scenario, scenario_path, policy, verdict ("pass" | "fail" | "unchecked"),
//   mismatches [{what, expected, actual, at: "file:line:col"}], sim_time_s, deadlock,
//   simulation_failure                                -- only when set,
//   groups [{name, ranks, backend, reason, supports_tensor_dict, use_cpu_custom_send_recv, logs}],
//   ranks [{rank, node, outcome ("ok" | "error" | "hang" | "killed" | "timeout" | "unknown"),
//           error {type, message, op, group, where}   -- only when set,
//           waiting {op, group, peer}                 -- only when set,
//           end_time_s, probes [{op, group, outcome, error?}],
//           logs [{time_s, level, logger, text}]}],
//   data {dicts_sent, dicts_delivered, dicts_mismatched}
#pragma once

#include <nlohmann/json.hpp>

#include "results/run_record.h"

namespace commsim::results {

nlohmann::json to_json(const RunRecord& record);

// The record `json` describes. Throws nlohmann::json::exception when a key is missing or has the
// wrong type, and std::invalid_argument for a list that is not an array, an unknown verdict or
// outcome name, or an `at` that is not "file:line:col". Unknown keys are ignored.
RunRecord record_from_json(const nlohmann::json& json);

}  // namespace commsim::results
