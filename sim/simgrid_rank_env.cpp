#include "sim/simgrid_rank_env.h"

#include <memory>

#include "communicators/errors.h"

namespace commsim::sim {

namespace sg4 = simgrid::s4u;

namespace {

std::string mailbox_name(const std::string& channel, int src, int dst) {
  return channel + "|" + std::to_string(src) + ">" + std::to_string(dst);
}

}  // namespace

class SimGridPendingSend final : public comm::PendingSend {
 public:
  SimGridPendingSend(SimGridRankEnv& env, sg4::CommPtr comm, int dst)
      : env_(env), comm_(std::move(comm)), dst_(dst) {}

  void wait() override {
    if (!comm_) return;
    env_.mark_blocked(dst_, "send");
    comm_->wait();
    env_.clear_blocked();
    comm_ = nullptr;
  }

 private:
  SimGridRankEnv& env_;
  sg4::CommPtr comm_;
  int dst_;
};

SimGridRankEnv::SimGridRankEnv(int world_rank, comm::NodeFacts node,
                               const std::vector<sg4::ActorPtr>& actors)
    : world_rank_(world_rank), node_(std::move(node)), actors_(actors) {}

double SimGridRankEnv::now() const { return sg4::Engine::get_clock(); }

std::unique_ptr<comm::PendingSend> SimGridRankEnv::post_send(int dst, const std::string& channel,
                                                             comm::Message message) {
  COMMSIM_CHECK(dst >= 0 && dst < world_size(), "send to a rank outside the world");
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(mailbox_name(channel, world_rank_, dst));
  // Idempotent; SimGrid's get_receiver() cannot be asked about a mailbox that has none.
  mailbox->set_receiver(actors_[static_cast<std::size_t>(dst)]);
  message.src = world_rank_;
  const std::uint64_t wire_bytes = message.wire_bytes;
  // Ownership passes to the receiver, which adopts it with get_unique.
  sg4::CommPtr comm = mailbox->put_async(new comm::Message(std::move(message)), wire_bytes);
  return std::make_unique<SimGridPendingSend>(*this, std::move(comm), dst);
}

comm::Message SimGridRankEnv::recv(int src, const std::string& channel) {
  COMMSIM_CHECK(src >= 0 && src < world_size(), "receive from a rank outside the world");
  sg4::Mailbox* mailbox = sg4::Mailbox::by_name(mailbox_name(channel, src, world_rank_));
  mark_blocked(src, "recv");
  std::unique_ptr<comm::Message> message = mailbox->get_unique<comm::Message>();
  clear_blocked();
  return std::move(*message);
}

void SimGridRankEnv::log(comm::LogLevel level, const std::string& logger, const std::string& text) {
  logs_.push_back(comm::LogLine{now(), level, logger, text});
}

void SimGridRankEnv::mark_blocked(int peer, const char* what) {
  blocked_on_ = BlockedOn{op_stack(), peer, what};
}

}  // namespace commsim::sim
