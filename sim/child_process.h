// Running a piece of SimGrid work in a child process.
//
// SimGrid allows one engine per process and never gives one back, so everything that builds a
// platform (a simulation, reading a platform file, describing a platform) runs in a fork.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace commsim::sim {

struct ChildOutput {
  bool completed = false;  // `body` returned; false when the child died (e.g. SimGrid aborted)
  std::string result;      // what `body` returned
  std::string errors;      // what the child wrote to stderr (SimGrid's fatal messages)
  int status = 0;          // the child's wait status
};

// Runs `body` in a forked child and returns what it returned. An exception escaping `body` makes
// the child incomplete, with its what() in `errors`. The child's stderr is captured, not shown.
// Throws std::runtime_error only when no child can be started.
ChildOutput run_in_child(const std::function<std::string()>& body);

// Called first thing in a forked child of `parent` (getpid() before the fork): the child is
// killed (SIGKILL) when its parent dies, and exits at once if the parent is already gone. So no
// simulation or sweep worker outlives a killed commsim.
void die_with_parent(pid_t parent);

// What ended the child, when it did not complete: "killed by signal 9 (Killed)", "exit code 1".
std::string child_status_text(int status);

// The last line of `errors` that carries a message, without SimGrid's "[time] [category/LEVEL] "
// prefix and skipping the backtrace SimGrid prints after a fatal error; "" when there is none.
std::string last_error_line(const std::string& errors);

}  // namespace commsim::sim
