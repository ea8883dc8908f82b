// The report of `commsim explain --json`: the same content as the text, for programs. Group
// objects carry the run record's group fields (name, ranks, backend, reason, supports_tensor_dict,
// use_cpu_custom_send_recv, logs) under the same names, so a prediction and a record compare
// field by field.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "communicators/policy.h"
#include "scenarios/scenario.h"
#include "sim/explain/group_prediction.h"

namespace commsim::explain {

// `policy` is the profile with the scenario's switches applied; `groups` are
// predict_groups(scenario, policy).
nlohmann::json explain_json(const scenario::Scenario& scenario, const comm::Policy& policy,
                            const std::vector<GroupPrediction>& groups);

}  // namespace commsim::explain
