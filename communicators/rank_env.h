// RankEnv: the one seam between communicator/kernel code and the world it runs in.
//
// Communicator and kernel code reach time, the network, node facts and logging only through a
// RankEnv; they never include SimGrid or POSIX headers. The simulator implements it with SimGrid
// actors and mailboxes (sim/simgrid_rank_env.h); tests implement it with threads. One RankEnv per
// rank; it is used by that rank's code only and is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "communicators/dtype.h"

namespace commsim::comm {

// vLLM's CpuArchEnum members that matter for backend selection.
enum class Arch { kX86, kArm, kPowerPC, kS390X, kRiscV };

// "x86_64", "aarch64", "ppc64le", "s390x", "riscv64" (uname -m spelling).
std::string_view arch_name(Arch arch);
// Accepts the uname spellings and vLLM's enum names (X86, ARM, POWERPC, S390X, RISCV).
std::optional<Arch> parse_arch(std::string_view text);

// Which code runs torch.distributed's collectives on the fallback path: commsim's own
// (communicators/collectives/, fast, and for phantom data at scale) or the real gloo library
// (communicators/gloo/), called as PyTorch's ProcessGroupGloo calls it.
enum class DistImpl { kCommsim, kGloo };

// What a process can observe about the node it runs on.
struct NodeFacts {
  int index = 0;                                   // node number in the topology
  std::string hostname;                            // "node0", ...
  Arch arch = Arch::kX86;                          // platform.get_cpu_architecture()
  bool has_init_shm_manager = true;                // hasattr(torch.ops._C, "init_shm_manager")
  int num_threads = 1;                             // torch.get_num_threads()
  std::map<std::string, std::string> environment;  // os.environ as the rank sees it
  DistImpl dist_impl = DistImpl::kCommsim;         // what runs torch.distributed's collectives
  double dist_timeout = 1800;                      // the process groups' timeout, simulated seconds
};

// A message on the wire. The payload holds the real bytes (null for phantom data); wire_bytes is
// what the network model charges, which for real data equals the payload size.
struct Message {
  std::shared_ptr<const std::vector<std::byte>> payload;
  std::uint64_t wire_bytes = 0;
  int src = -1;  // world rank of the sender, filled in by the transport
  // Set on the marker a transport queues behind an ended sender's last message (see PeerClosed).
  bool end_of_stream = false;
};

// Thrown by RankEnv::recv_any and recv_from when the sender's process has ended and every message
// it sent on the channel has been taken: its connections are closed (a TCP peer's FIN), so nothing
// more will come. Also thrown by any receive or send wait whose transfer failed because a link or
// host on its way went down. (recv does not see a sender's end; it keeps waiting.)
class PeerClosed : public std::runtime_error {
 public:
  explicit PeerClosed(int peer)
      : std::runtime_error("rank " + std::to_string(peer) + " closed its connection"),
        peer_(peer) {}
  int peer() const { return peer_; }

 private:
  int peer_;
};

// Wait forever: the `timeout` of a timed wait that has none.
inline constexpr double kNoTimeout = -1;

// Thrown by a timed wait when its timeout (simulated seconds) passes before what it waits for
// happens. Nothing was consumed; the operation waited on is still in flight.
class WaitTimedOut : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A send in flight. wait() returns once the message has been delivered to the receiver's side;
// it throws PeerClosed(destination) when the transfer failed (a link or host down).
class PendingSend {
 public:
  virtual ~PendingSend() = default;
  virtual void wait() = 0;
  // wait(), giving up after `timeout` simulated seconds (kNoTimeout: never) with WaitTimedOut.
  virtual void wait_for(double timeout) = 0;
};

// A named region of memory shared by the ranks of one node (POSIX shared memory in a real run).
// The bytes stay valid while any holder keeps the region, even after the name is unlinked.
class SharedRegion {
 public:
  virtual ~SharedRegion() = default;
  virtual std::span<std::byte> bytes() = 0;
};

// A SharedRegion in ordinary memory: zeroed, 64-byte aligned (as mmap'd segments are page
// aligned). What the simulator and the threaded test world hand out. Large regions are zeroed
// lazily by the system (calloc of fresh pages), as a /dev/shm segment is: pages a run never
// touches cost no memory, so phantom runs with many SHM ranks stay small.
class HeapRegion final : public SharedRegion {
 public:
  explicit HeapRegion(std::size_t size) : size_(size), raw_(std::calloc(size + kAlignment, 1)) {
    if (raw_ == nullptr) throw std::bad_alloc();
    const auto address = reinterpret_cast<std::uintptr_t>(raw_.get());
    bytes_ = reinterpret_cast<std::byte*>((address + kAlignment - 1) / kAlignment * kAlignment);
  }
  std::span<std::byte> bytes() override { return {bytes_, size_}; }

 private:
  static constexpr std::size_t kAlignment = 64;
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  std::size_t size_;
  std::unique_ptr<void, Free> raw_;
  std::byte* bytes_ = nullptr;
};

// The result of creating or opening a region: the region, or the errno a real shm_open would set
// (EEXIST = 17 when creating an existing name, ENOENT = 2 when opening a name this node lacks).
struct RegionResult {
  std::shared_ptr<SharedRegion> region;
  int error = 0;
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct LogLine {
  double time = 0;  // simulated seconds
  LogLevel level = LogLevel::kInfo;
  std::string logger;  // Python logger name, e.g. "vllm.distributed...cpu_communicator"
  std::string text;
};

// Where a rank is: the innermost operation it is executing and, while blocked, the peer it waits
// on.
struct OpSite {
  std::string op;     // e.g. "send_tensor_dict", "all_gather_object"
  std::string group;  // unique group name, e.g. "pp:0"
};

class RankEnv {
 public:
  virtual ~RankEnv() = default;

  virtual int world_rank() const = 0;
  virtual int world_size() const = 0;
  virtual const NodeFacts& node() const = 0;
  // Simulated seconds since the start of the run.
  virtual double now() const = 0;

  // Transport. Messages from one sender on one channel arrive in order; channels never mix, so
  // concurrent operations on different groups use different channels.
  // Starts a send to world rank `dst`; the returned handle must be waited for.
  virtual std::unique_ptr<PendingSend> post_send(int dst, const std::string& channel,
                                                 Message message) = 0;
  // Blocks until the next message from world rank `src` on `channel` has arrived. Waits for ever:
  // the sender's end is not seen, as on a ZeroMQ socket (the message queue's handshakes).
  virtual Message recv(int src, const std::string& channel) = 0;
  // The next message from world rank `src` on `channel` as a TCP connection delivers it
  // (torch.distributed's transport): recv_any with the one sender, so PeerClosed once the
  // sender's process has ended and its messages are taken, WaitTimedOut after `timeout`
  // simulated seconds (kNoTimeout: never).
  virtual Message recv_from(int src, const std::string& channel, double timeout) {
    const int each[] = {src};
    return recv_any(each, channel, timeout);
  }
  // Receive from any of several senders: blocks until the next message on `channel` from one of
  // the world ranks `srcs` has arrived and returns it (its `src` names the sender). When several
  // have arrived, the first of `srcs` wins. Gives up after `timeout` simulated seconds
  // (kNoTimeout: never) with WaitTimedOut, consuming nothing; throws PeerClosed once a sender's
  // process has ended and its messages are taken. Mixes freely with recv: each sender's messages
  // on a channel are taken in the order sent. REQUIRES: `srcs` not empty.
  virtual Message recv_any(std::span<const int> srcs, const std::string& channel,
                           double timeout) = 0;
  // Blocking send: post_send(...)->wait().
  void send(int dst, const std::string& channel, Message message);

  // Node shared memory. Names live in a per-node namespace, as /dev/shm does: a rank sees only
  // the regions of its own node. Create is exclusive (O_CREAT | O_EXCL); the bytes start zeroed.
  virtual RegionResult create_region(const std::string& name, std::size_t bytes) = 0;
  virtual RegionResult open_region(const std::string& name) = 0;
  // Removes the name from the node's namespace (no-op if absent); holders keep their bytes.
  virtual void unlink_region(const std::string& name) = 0;

  // Waiting on shared memory without spinning: blocks until ready() holds. ready() is evaluated
  // now and again after every notify_node() by a rank of this node. `peer` is the world rank
  // whose store is awaited (-1 if none in particular), for hang reports. A rank that waits for a
  // condition no rank will ever make true never returns (a hang, reported by the simulator).
  virtual void wait_until(const std::function<bool()>& ready, int peer) = 0;
  // Announces a store to this node's shared memory (a stamp publication) to waiting ranks.
  virtual void notify_node() = 0;

  // The cost model. A copy of `bytes` through this node's memory bus (shared by the node's
  // ranks), and `flops` of computation spread over `threads` threads of this rank.
  virtual void charge_memory_copy(std::size_t bytes) = 0;
  virtual void charge_compute(double flops, int threads) = 0;
  // One layer-kernel call on this rank's threads: `flops` of `dtype` arithmetic and `bytes` read
  // from and written to memory (kernels/kernel_cost.h). `name` labels it in traces.
  virtual void charge_kernel(const std::string& name, DType dtype, double flops, double bytes) = 0;

  // Records a log line at the current simulated time.
  virtual void log(LogLevel level, const std::string& logger, const std::string& text) = 0;

  // The operation stack used for error and hang reports and traces (see OpScope). `failed`:
  // the operation ends by an exception.
  void enter_op(std::string op, std::string group);
  void exit_op(bool failed = false);
  // Says how the innermost operation runs, for traces: e.g. ("algorithm", "ring"). Does nothing
  // outside an operation, or when the implementation does not trace.
  void annotate_op(const std::string& key, const std::string& value) {
    if (!ops_.empty()) op_annotated(key, value);
  }
  // Innermost operation, or nullopt outside any.
  std::optional<OpSite> current_op() const;
  // Outermost operation, or nullopt outside any: what a user called.
  std::optional<OpSite> outer_op() const;
  const std::vector<OpSite>& op_stack() const { return ops_; }

  // The operation stack as it was when the exception now propagating left its innermost
  // operation (recorded by OpScope during unwinding); empty when none. Cleared by take.
  std::vector<OpSite> take_failure_stack() { return std::exchange(failure_stack_, {}); }

 protected:
  // Told when an operation has been pushed on the stack and when it is about to be popped, for
  // implementations that trace; the defaults do nothing.
  virtual void op_started(const OpSite& /*site*/) {}
  virtual void op_ending(bool /*failed*/) {}
  virtual void op_annotated(const std::string& /*key*/, const std::string& /*value*/) {}

 private:
  friend class OpScope;
  std::vector<OpSite> ops_;
  std::vector<OpSite> failure_stack_;
};

// Marks the extent of an operation on a RankEnv's operation stack.
class OpScope {
 public:
  OpScope(RankEnv& env, std::string op, std::string group);
  ~OpScope();
  OpScope(const OpScope&) = delete;
  OpScope& operator=(const OpScope&) = delete;

 private:
  RankEnv& env_;
  int exceptions_at_entry_;
};

}  // namespace commsim::comm
