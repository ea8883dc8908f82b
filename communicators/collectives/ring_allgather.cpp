// Ring all-gather: block r of the output is rank r's input. In step s rank r sends block (r - s)
// to r+1 and receives block (r - s - 1) from r-1, so after size-1 steps it holds every block.
#include "communicators/collectives/collectives.h"
#include "communicators/errors.h"

namespace commsim::comm::collectives {

void ring_allgather(const GroupLink& link, Tensor& output, const Tensor& input) {
  const int world = link.size();
  const std::int64_t block = input.numel();
  COMMSIM_CHECK(output.dtype() == input.dtype() && output.numel() == world * block,
                "all_gather: output must hold one input per rank");
  const Tensor flat = output.reshape({-1});
  const auto block_of = [&](int index) {
    return flat.slice((((index % world) + world) % world) * block, block);
  };
  Tensor own = block_of(link.rank);
  own.copy_from(input.reshape({-1}));
  const int next = (link.rank + 1) % world;
  const int previous = (link.rank - 1 + world) % world;
  for (int step = 0; step < world - 1; ++step) {
    auto send = link.post(next, block_of(link.rank - step));
    Tensor target = block_of(link.rank - step - 1);
    link.recv_into(previous, target);
    send->wait();
  }
}

}  // namespace commsim::comm::collectives
