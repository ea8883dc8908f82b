#include "communicators/gloo/gloo_failures.h"

#include <cstring>

#include "communicators/errors.h"

namespace commsim::comm::gloo_transport {
namespace {

// gloo's throw sites prefix their text with "[<file>:<line>] " (GLOO_ERROR_MSG,
// gloo/common/error.h). PyTorch builds its vendored gloo from its build directory, so the file
// reads "../third_party/gloo/<path>" (*inferred* from PyTorch's build layout); the lines are those
// of gloo 5b14351 (Debian 12's libgloo), where GLOO_ERROR_MSG opens.
constexpr const char* kUnboundBufferFile =
    "../third_party/gloo/gloo/transport/tcp/unbound_buffer.cc";
constexpr int kRecvTimeoutLine = 81;   // gloo/transport/tcp/unbound_buffer.cc:81 @ 5b14351
constexpr int kSendTimeoutLine = 133;  // gloo/transport/tcp/unbound_buffer.cc:133 @ 5b14351
constexpr const char* kPairFile = "../third_party/gloo/gloo/transport/tcp/pair.cc";
constexpr int kClosedByPeerLine = 598;  // gloo/transport/tcp/pair.cc:598 @ 5b14351

}  // namespace

std::string timeout_message(std::chrono::milliseconds timeout, const char* what) {
  const bool recv = std::strcmp(what, "recv") == 0;
  return "[" + std::string(kUnboundBufferFile) + ":" +
         std::to_string(recv ? kRecvTimeoutLine : kSendTimeoutLine) + "] Timed out waiting " +
         std::to_string(timeout.count()) + "ms for " + what + " operation to complete";
}

std::string closed_message(int peer_world_rank) {
  return "[" + std::string(kPairFile) + ":" + std::to_string(kClosedByPeerLine) +
         "] Connection closed by peer [rank " + std::to_string(peer_world_rank) + "]";
}

void raise_timed_out(std::chrono::milliseconds timeout, const char* what) {
  throw ProcessGroupTimeout(timeout_message(timeout, what));
}

void raise_peer_closed(int peer_world_rank) { throw RuntimeError(closed_message(peer_world_rank)); }

std::chrono::milliseconds timeout_millis(double seconds) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::duration<double>(seconds));
}

}  // namespace commsim::comm::gloo_transport
