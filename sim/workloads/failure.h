// Turning a raised PyError into the record's ErrorInfo.
#pragma once

#include <vector>

#include "communicators/errors.h"
#include "communicators/rank_env.h"
#include "results/run_record.h"

namespace commsim::workloads {

// `stack` is the operation stack when the error left its innermost operation
// (RankEnv::take_failure_stack); op and group come from its outermost entry.
results::ErrorInfo describe_failure(const comm::PyError& error,
                                    const std::vector<comm::OpSite>& stack);

}  // namespace commsim::workloads
