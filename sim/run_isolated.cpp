// run_isolated: one simulation per child process, its record returned as JSON over a pipe.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "results/record_json.h"
#include "sim/runtime.h"

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

std::string read_all(int fd) {
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

results::RunRecord run_isolated(const scenario::Scenario& scenario, const comm::Policy& policy) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("cannot create a pipe for the simulation");
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("cannot fork the simulation process");
  if (child == 0) {
    ::close(fds[0]);
    nlohmann::json reply;
    try {
      reply = {{"record", results::to_json(run_scenario(scenario, policy))}};
    } catch (const std::exception& error) {
      reply = {{"failure", error.what()}};
    }
    write_all(fds[1], reply.dump());
    ::close(fds[1]);
    std::fflush(nullptr);
    // Skip static destructors: SimGrid may still hold blocked actors of a deadlocked run.
    ::_exit(0);
  }
  ::close(fds[1]);
  const std::string text = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const nlohmann::json reply = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (reply.is_object() && reply.contains("record")) {
    return results::record_from_json(reply.at("record"));
  }
  if (reply.is_object() && reply.contains("failure")) {
    throw std::runtime_error("simulation failed: " + reply.at("failure").get<std::string>());
  }
  throw std::runtime_error("simulation process ended without a result (status " +
                           std::to_string(status) + ")");
}

}  // namespace commsim::sim
