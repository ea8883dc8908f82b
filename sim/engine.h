// This process's SimGrid engine.
#pragma once

#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

namespace commsim::sim {

// Starts the engine with SimGrid's own flags `options` ("--cfg=network/model:LV08", ...) after
// logging cut down to critical messages and the context factory this build needs (threads under
// AddressSanitizer, which cannot follow SimGrid's hand-made stack switches).
// The engine is never destroyed: tearing SimGrid down would end the actors still blocked after a
// deadlock, which with thread contexts waits for ever on threads never scheduled again. So one
// engine serves one process (see child_process.h), which ends right after.
// REQUIRES: no engine exists in this process.
simgrid::s4u::Engine& start_engine(const std::vector<std::string>& options);

}  // namespace commsim::sim
