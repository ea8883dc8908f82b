// JUnit XML for CI: one <testcase> per run (scenario under one policy), failed expectations as
// <failure> with expected and actual side by side, a run whose simulation failed as <error>
// with why, unchecked runs as <skipped>.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "results/run_record.h"

namespace commsim::results {

// Writes one <testsuite> named `suite` holding `records`, in order.
void write_junit(std::ostream& out, const std::string& suite,
                 const std::vector<RunRecord>& records);

}  // namespace commsim::results
