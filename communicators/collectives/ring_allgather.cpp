// Ring all-gather with gloo's schedule (gloo/allgather.cc:69-96 @ 5b14351): block r of the output
// is rank r's input. Each block travels as two halves (bytes / 2 and the rest, split at a byte, not
// an element, as gloo splits it); step i (0 <= i < 2 (size - 1)) sends half (i & 1) of block
// (r - i / 2) to r + 1 and receives the same half of block (r - i / 2 - 1) from r - 1, waiting
// for the send and the receive posted two steps earlier, so two halves are in flight.
#include <cstring>
#include <deque>

#include "communicators/collectives/collectives.h"
#include "communicators/errors.h"

namespace commsim::comm::collectives {

void ring_allgather(const GroupLink& link, Tensor& output, const Tensor& input) {
  const int world = link.size();
  const std::int64_t block = input.numel();
  COMMSIM_CHECK(output.dtype() == input.dtype() && output.numel() == world * block,
                "all_gather: output must hold one input per rank");
  if (!output.is_phantom()) {
    output.reshape({-1}).slice(link.rank * block, block).copy_from(input.reshape({-1}));
  }
  const std::size_t block_bytes = input.nbytes();
  if (world == 1 || block_bytes == 0) return;
  const bool phantom = output.is_phantom();
  const std::span<std::byte> all = phantom ? std::span<std::byte>{} : output.mutable_bytes();
  const std::size_t half[2] = {block_bytes / 2, block_bytes - block_bytes / 2};
  const std::size_t half_offset[2] = {0, block_bytes / 2};
  const auto block_offset = [&](int index) {
    return static_cast<std::size_t>(((index % world) + world) % world) * block_bytes;
  };
  const int next = link.ranks[static_cast<std::size_t>((link.rank + 1) % world)];
  const int previous = (link.rank - 1 + world) % world;  // a group rank
  std::deque<std::unique_ptr<PendingSend>> sends;
  std::deque<std::pair<std::size_t, std::size_t>> receives;  // (offset, bytes) in order posted
  const auto receive_oldest = [&] {
    const auto [offset, bytes] = receives.front();
    receives.pop_front();
    const Message message = link.receive(previous);
    COMMSIM_CHECK(message.wire_bytes == bytes, "all_gather: message of another size");
    if (!phantom && message.payload)
      std::memcpy(all.data() + offset, message.payload->data(), bytes);
  };
  for (int i = 0; i < 2 * (world - 1); ++i) {
    if (i >= 2) {
      link.wait(*sends.front());
      sends.pop_front();
      receive_oldest();
    }
    const int send_block = link.rank - i / 2;
    const std::size_t bytes = half[i & 1];
    const std::size_t send_offset = block_offset(send_block) + half_offset[i & 1];
    sends.push_back(link.env.post_send(
        next, link.channel,
        message_of(phantom ? std::span<const std::byte>{} : all.subspan(send_offset, bytes),
                   bytes)));
    receives.emplace_back(block_offset(send_block - 1) + half_offset[i & 1], bytes);
  }
  for (int i = 0; i < 2; ++i) {
    link.wait(*sends.front());
    sends.pop_front();
    receive_oldest();
  }
}

}  // namespace commsim::comm::collectives
