#include "communicators/shm/torch_check.h"

namespace commsim::comm::shm {

std::string torch_check_text(std::string_view condition) {
  return "Expected " + std::string(condition) +
         " to be true, but got false.  (Could this error message be improved?  If so, please "
         "report an enhancement request to PyTorch.)";
}

std::string torch_check_op_text(std::string_view val1, std::string_view op, std::string_view val2,
                                std::int64_t a, std::int64_t b) {
  return "Check failed: " + std::string(val1) + " " + std::string(op) + " " + std::string(val2) +
         " (" + std::to_string(a) + " vs. " + std::to_string(b) + "). ";
}

}  // namespace commsim::comm::shm
