#include "sim/workloads/failure.h"

namespace commsim::workloads {

results::ErrorInfo describe_failure(const comm::PyError& error,
                                    const std::vector<comm::OpSite>& stack) {
  results::ErrorInfo info{error.type(), error.message(), "", "", ""};
  if (!stack.empty()) {
    info.op = stack.front().op;
    info.group = stack.front().group;
  }
  for (const comm::OpSite& site : stack) {
    if (!info.where.empty()) info.where += " > ";
    info.where += site.op + "(" + site.group + ")";
  }
  return info;
}

}  // namespace commsim::workloads
