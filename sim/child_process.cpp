#include "sim/child_process.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace commsim::sim {

namespace {

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// Reads both pipes to their ends at once, so that neither can fill up and stall the child.
void read_both(int result_fd, int error_fd, std::string& result, std::string& errors) {
  std::array<pollfd, 2> fds = {{{result_fd, POLLIN, 0}, {error_fd, POLLIN, 0}}};
  std::array<std::string*, 2> into = {&result, &errors};
  int open = 2;
  char buffer[65536];
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
      } else {
        into[i]->append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
}

}  // namespace

void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);  // the parent died before the request took effect
}

ChildOutput run_in_child(const std::function<std::string()>& body) {
  int result_pipe[2];
  int error_pipe[2];
  if (::pipe(result_pipe) != 0) throw std::runtime_error("cannot create a pipe for SimGrid");
  if (::pipe(error_pipe) != 0) {
    ::close(result_pipe[0]);
    ::close(result_pipe[1]);
    throw std::runtime_error("cannot create a pipe for SimGrid");
  }
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) {
    for (int fd : {result_pipe[0], result_pipe[1], error_pipe[0], error_pipe[1]}) ::close(fd);
    throw std::runtime_error("cannot fork a process for SimGrid");
  }
  if (child == 0) {
    die_with_parent(parent);
    ::close(result_pipe[0]);
    ::close(error_pipe[0]);
    ::dup2(error_pipe[1], STDERR_FILENO);
    ::close(error_pipe[1]);
    int code = 0;
    try {
      // A leading marker tells a returned result from a child that died half-way through.
      write_all(result_pipe[1], "+" + body());
    } catch (const std::exception& error) {
      std::fprintf(stderr, "%s\n", error.what());
      code = 1;
    } catch (...) {
      std::fprintf(stderr, "an exception that is not a std::exception\n");
      code = 1;
    }
    ::close(result_pipe[1]);
    std::fflush(nullptr);
    // Skip static destructors: SimGrid may still hold blocked actors of a deadlocked run.
    ::_exit(code);
  }
  ::close(result_pipe[1]);
  ::close(error_pipe[1]);
  ChildOutput output;
  read_both(result_pipe[0], error_pipe[0], output.result, output.errors);
  ::close(result_pipe[0]);
  ::close(error_pipe[0]);
  while (::waitpid(child, &output.status, 0) < 0 && errno == EINTR) {
  }
  output.completed = !output.result.empty() && output.result.front() == '+' &&
                     WIFEXITED(output.status) && WEXITSTATUS(output.status) == 0;
  if (!output.result.empty() && output.result.front() == '+') output.result.erase(0, 1);
  return output;
}

std::string child_status_text(int status) {
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           ::strsignal(WTERMSIG(status)) + ")";
  }
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  return "status " + std::to_string(status);
}

std::string last_error_line(const std::string& errors) {
  std::string last;
  std::size_t start = 0;
  while (start < errors.size()) {
    std::size_t end = errors.find('\n', start);
    if (end == std::string::npos) end = errors.size();
    std::string line = errors.substr(start, end - start);
    start = end + 1;
    // A fatal error's backtrace follows its message: "Backtrace (displayed in ...)", "  ->  3#
    // ...".
    const std::size_t text = line.find_first_not_of(" \t");
    if (text == std::string::npos || line.compare(text, 2, "->") == 0 ||
        line.rfind("Backtrace", 0) == 0) {
      continue;
    }
    // SimGrid prefixes "[0.000000] [xbt_cfg/CRITICAL] ", sometimes with a source position
    // ("[0.000000] src/xbt/dynar.cpp:32: [root/CRITICAL] ") or a "[host:actor:(n)]".
    if (const std::size_t level = line.find("/CRITICAL] "); level != std::string::npos) {
      line.erase(0, level + 11);
    }
    while (!line.empty() && line.front() == '[') {
      const std::size_t close = line.find("] ");
      if (close == std::string::npos) break;
      line.erase(0, close + 2);
    }
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  return last;
}

}  // namespace commsim::sim
