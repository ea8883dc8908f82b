// The report `commsim explain` prints: the scenario and its policy, the nodes, the placement, and
// for every group the backend each member will choose and why. Plain aligned text; the same input
// gives the same bytes.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "scenarios/scenario.h"
#include "sim/explain/group_prediction.h"

namespace commsim::explain {

// The whole report. `policy` is the profile with the scenario's switches applied; `groups` are
// predict_groups(scenario, policy). `write_network` (optional) prints the network section
// between the nodes and the placement: it needs SimGrid, which this library does not link.
void write_explain_text(std::ostream& out, const scenario::Scenario& scenario,
                        const comm::Policy& policy, const std::vector<GroupPrediction>& groups,
                        const std::function<void(std::ostream&)>& write_network = {});

// The sections, in the order the report prints them.
void write_header(std::ostream& out, const scenario::Scenario& scenario,
                  const comm::Policy& policy);
void write_nodes(std::ostream& out, const scenario::Scenario& scenario);
void write_placement(std::ostream& out, const scenario::Scenario& scenario);
void write_groups(std::ostream& out, const scenario::Scenario& scenario, const comm::Policy& policy,
                  const std::vector<GroupPrediction>& groups);

}  // namespace commsim::explain
