#include "sim/engine.h"

namespace commsim::sim {

simgrid::s4u::Engine& start_engine(const std::vector<std::string>& options) {
  // SimGrid keeps pointers into argv: the strings live as long as the engine, for ever.
  auto& arguments = *new std::vector<std::string>{
      "commsim",
      "--log=root.thres:critical",
      "--log=root.fmt:%m%n",
#ifdef COMMSIM_THREAD_CONTEXTS
      "--cfg=contexts/factory:thread",
#else
      "--cfg=contexts/factory:raw",
#endif
  };
  arguments.insert(arguments.end(), options.begin(), options.end());
  auto& argv = *new std::vector<char*>;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(arguments.size());
  return *new simgrid::s4u::Engine(&argc, argv.data());
}

}  // namespace commsim::sim
