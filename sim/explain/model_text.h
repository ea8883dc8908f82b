// The `model` section of `commsim explain` for `kind: model`: the shape, the run, how the pipeline
// stages split the layers, and what one rank of each stage holds.
#pragma once

#include <ostream>

#include "scenarios/scenario.h"

namespace commsim::explain {

// Writes nothing unless the workload is a model.
void write_model(std::ostream& out, const scenario::Scenario& scenario);

}  // namespace commsim::explain
