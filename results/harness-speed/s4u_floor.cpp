// The floor under commsim's phantom runs: the same message pattern as a recursive-doubling
// all-reduce of 1 KiB (log2 P rounds; in each, every rank sends to and receives from rank XOR 2^k)
// written directly on SimGrid's S4U, with nothing of commsim in it: no communicators, no records.
// Same platform shape as commsim's (one host per node, split-duplex NICs of 25 Gb/s, 10 us, behind
// one switch), the same eager sends (permanent receivers).
//
// Usage: s4u_floor [RANKS=1024] [ALL_REDUCES=100]   (P must be a power of two)
// Built by `cmake --build build --target s4u_floor`; results/harness-speed/run.sh times it.
#include <simgrid/s4u.hpp>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

int main(int argc, char** argv) {
  sg4::Engine engine(&argc, argv);
  const int ranks = argc > 1 ? std::stoi(argv[1]) : 1024;
  const int all_reduces = argc > 2 ? std::stoi(argv[2]) : 100;
  auto* zone = sg4::create_star_zone("cluster");
  std::vector<sg4::Host*> hosts;
  for (int i = 0; i < ranks; ++i) {
    const std::string id = std::to_string(i);
    sg4::Host* host = zone->create_host("node" + id, 1e9)->seal();
    sg4::SplitDuplexLink* nic = zone->create_split_duplex_link("nic" + id, 25e9 / 8);
    nic->set_latency(10e-6)->seal();
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                    {{nic, sg4::LinkInRoute::Direction::UP}}, true);
    hosts.push_back(host);
  }
  zone->seal();
  std::vector<sg4::ActorPtr> actors(static_cast<std::size_t>(ranks));
  for (int rank = 0; rank < ranks; ++rank) {
    actors[static_cast<std::size_t>(rank)] = sg4::Actor::create(
        "rank" + std::to_string(rank), hosts[static_cast<std::size_t>(rank)],
        [rank, ranks, all_reduces, &actors] {
          std::vector<sg4::Mailbox*> inbox;
          std::vector<sg4::Mailbox*> outbox;
          for (int mask = 1; mask < ranks; mask <<= 1) {
            const int peer = rank ^ mask;
            outbox.push_back(
                sg4::Mailbox::by_name(std::to_string(rank) + ">" + std::to_string(peer)));
            inbox.push_back(
                sg4::Mailbox::by_name(std::to_string(peer) + ">" + std::to_string(rank)));
            outbox.back()->set_receiver(actors[static_cast<std::size_t>(peer)]);
          }
          static int payload;
          for (int call = 0; call < all_reduces; ++call) {
            for (std::size_t round = 0; round < outbox.size(); ++round) {
              sg4::CommPtr send = outbox[round]->put_async(&payload, 1024);
              inbox[round]->get<int>();
              send->wait();
            }
          }
        });
  }
  engine.run();
  return 0;
}
