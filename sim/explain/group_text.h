// One group in the report of `commsim explain`: each member's facts and selection, the checks that
// fail and on which ranks, the name check and its hangs, the run record's flags and INFO lines,
// what starting the SHM backend does, notes on what follows, and the scenario's expectation.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "communicators/policy.h"
#include "scenarios/scenario.h"
#include "sim/explain/group_prediction.h"

namespace commsim::explain {

// `policy` is the one `group` was predicted under (switches applied).
void write_group(std::ostream& out, const scenario::Scenario& scenario, const comm::Policy& policy,
                 const GroupPrediction& group);

// Ranks as a short list: runs of three or more consecutive ranks as "a-b", e.g. "0-3, 6, 8".
std::string rank_list_text(const std::vector<int>& ranks);

}  // namespace commsim::explain
