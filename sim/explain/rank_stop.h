// Where a rank stops for good while vLLM creates its groups: an exception, or a wait that nothing
// ends. A rank that stops creates none of its later groups.
#pragma once

#include <string>

namespace commsim::explain {

struct RankStop {
  int rank = 0;
  bool error = false;   // true: raises; false: waits
  std::string type;     // error: the Python exception type, e.g. "KeyError"
  std::string message;  // error: vLLM's message, exactly
  // The operation it raises in or waits in, e.g. "all_gather_object", "init_shm_manager".
  std::string op;
  // A wait in a collective of the group's device group that members outside it never join but
  // keep running (they use torch.distributed): a collective of the same kind that they run later
  // on the group, e.g. the workload's all_reduce, meets this one instead, so the outcome then
  // depends on the workload.
  bool workload_dependent = false;
  // A wait in a torch.distributed operation: it does not last for ever but fails with gloo's
  // error when an awaited peer's process exits, or at the process group's timeout, whichever the
  // run reaches first.
  bool ends_on_gloo = false;
};

}  // namespace commsim::explain
