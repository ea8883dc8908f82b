// Errors raised by the re-implemented communicators.
//
// Each PyError carries the Python exception type a vLLM user would see and vLLM's exact message
// text, so a scenario can assert both. what() is "Type: message", as Python prints it.
// HarnessError is commsim's own: misuse of the harness or a broken invariant, never a modelled
// vLLM behaviour.
#pragma once

#include <stdexcept>
#include <string>

namespace commsim::comm {

class PyError : public std::runtime_error {
 public:
  PyError(std::string type, std::string message)
      : std::runtime_error(type + ": " + message),
        type_(std::move(type)),
        message_(std::move(message)) {}

  const std::string& type() const { return type_; }
  const std::string& message() const { return message_; }

 private:
  std::string type_;
  std::string message_;
};

#define COMMSIM_DEFINE_PY_ERROR(Name)                                          \
  class Name : public PyError {                                                \
   public:                                                                     \
    explicit Name(std::string message) : PyError(#Name, std::move(message)) {} \
  };

COMMSIM_DEFINE_PY_ERROR(AttributeError)
COMMSIM_DEFINE_PY_ERROR(NotImplementedError)
COMMSIM_DEFINE_PY_ERROR(RuntimeError)
COMMSIM_DEFINE_PY_ERROR(KeyError)
COMMSIM_DEFINE_PY_ERROR(ValueError)
COMMSIM_DEFINE_PY_ERROR(AssertionError)
COMMSIM_DEFINE_PY_ERROR(HarnessError)

#undef COMMSIM_DEFINE_PY_ERROR

// A RuntimeError raised because a wait of a process group passed the group's timeout (gloo's
// "Timed out waiting ..."): Python sees a RuntimeError; the run record calls the rank's outcome a
// timeout, not an error.
class ProcessGroupTimeout : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

// Throws HarnessError("<file>:<line>: check failed: <condition>: <message>") when !condition.
#define COMMSIM_CHECK(condition, message)                                                          \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      throw ::commsim::comm::HarnessError(std::string(__FILE__) + ":" + std::to_string(__LINE__) + \
                                          ": check failed: " #condition ": " + (message));         \
    }                                                                                              \
  } while (false)

}  // namespace commsim::comm
