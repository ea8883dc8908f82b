#include <oneapi/dnnl/dnnl.h>
#include <xbt/base.h>  // simgrid/version.h needs its declaration macros first

#include <iostream>

#include "sim/cli/build_info.h"
#include "sim/cli/commands.h"

// clang-format off
#include <simgrid/version.h>
// clang-format on

namespace commsim::cli {

// The libraries as this binary runs them: SimGrid's and oneDNN's own answers at run time (the
// shared libraries loaded), which may differ from the headers it was built with.
void print_version(std::ostream& out) {
  int major = 0;
  int minor = 0;
  int patch = 0;
  sg_version_get(&major, &minor, &patch);
  const dnnl_version_t* dnnl = dnnl_version();
  out << "commsim " << COMMSIM_VERSION << " (" << COMMSIM_GIT_REVISION << ")\n"
      << "SimGrid " << major << '.' << minor << '.' << patch << " (built with "
      << SIMGRID_VERSION_MAJOR << '.' << SIMGRID_VERSION_MINOR << '.' << SIMGRID_VERSION_PATCH
      << ")\n"
      << "oneDNN " << dnnl->major << '.' << dnnl->minor << '.' << dnnl->patch << " (built with "
      << DNNL_VERSION_MAJOR << '.' << DNNL_VERSION_MINOR << '.' << DNNL_VERSION_PATCH << ")\n";
}

}  // namespace commsim::cli
