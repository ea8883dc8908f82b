// The texts of gloo's TCP transport when a wait fails, and what PyTorch raises from them. Used by
// both implementations of torch.distributed's collectives (the real gloo over the seam, and
// commsim's own), so that a failure reads the same whichever runs.
#pragma once

#include <chrono>
#include <string>

namespace commsim::comm::gloo_transport {

// gloo's text for a wait that timed out (`what` is "recv" or "send"),
// gloo/transport/tcp/unbound_buffer.cc:81 and :133 @ 5b14351.
std::string timeout_message(std::chrono::milliseconds timeout, const char* what);
// gloo's text when a peer's process has ended (its end of the connection read EOF,
// gloo/transport/tcp/pair.cc:598 @ 5b14351). gloo names the peer by its socket address,
// "[<ip>]:<port>"; commsim models no addresses and names it "[rank <world rank>]".
std::string closed_message(int peer_world_rank);

// What Python sees from a torch.distributed call on gloo whose wait failed: gloo's timeout as a
// ProcessGroupTimeout, anything else gloo raises as a RuntimeError with gloo's text unchanged
// (ProcessGroupGloo.cpp:197-208, 332-336 of PyTorch 2.11; pybind11's translation of a
// std::runtime_error, *inferred*).
[[noreturn]] void raise_timed_out(std::chrono::milliseconds timeout, const char* what);
[[noreturn]] void raise_peer_closed(int peer_world_rank);
// The timeout of gloo's context for a process group's timeout of `seconds`, as PyTorch converts
// it (a std::chrono::milliseconds; whole milliseconds).
std::chrono::milliseconds timeout_millis(double seconds);

}  // namespace commsim::comm::gloo_transport
