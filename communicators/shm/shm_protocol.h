// The stamp protocol of vLLM's shared-memory manager (csrc/cpu/shm.cpp), as pure code.
//
// Every rank's segment holds one ThreadShmContext per thread, then one buffer per thread:
//
//   segment(rank) = [ctx[0] .. ctx[T-1]][pad to 64][buf[0]][buf[1]] .. [buf[T-1]]
//   buf[t]        = [ half 0: 2 MiB | half 1: 2 MiB ]
//
// Thread t of every rank forms one channel with thread t of the other ranks. A channel moves data
// in chunks of at most one half-buffer; each chunk advances the thread's 8-bit `curr` stamp, which
// wraps mod 256, and flips its half. A writer publishes a chunk by copying `curr` into `ready`.
// Each context has two stamp slots: collectives use slot 0 on both sides; point to point, a sender
// uses local slot 0 / remote slot 1 and a receiver local slot 1 / remote slot 0, so slot 0 counts
// sends and slot 1 receives.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace commsim::comm::shm {

inline constexpr int kMaxShmRankNum = 8;                         // MAX_SHM_RANK_NUM
inline constexpr std::size_t kPerThreadBufferBytes = 4u << 20;   // PER_THREAD_SHM_BUFFER_BYTES
inline constexpr std::size_t kPerThreadBufferOffset = 2u << 20;  // the second half
inline constexpr std::int64_t kMinThreadProcessSize = 256;       // MIN_THREAD_PROCESS_SIZE
inline constexpr int kMaxP2PSendTensorNum = 8;                   // MAX_P2P_SEND_TENSOR_NUM
inline constexpr std::size_t kAlignment = 64;

inline std::size_t round_to_alignment(std::size_t n) {
  return (n + kAlignment - 1) / kAlignment * kAlignment;
}

// One thread's context, placed in its rank's segment. Peers read only its stamps; the pointer
// tables are the owner's own view of every rank's segment (same address space here, as mmap
// gives each process its own).
struct alignas(64) ThreadShmContext {
  std::atomic<std::uint8_t> curr_stamp[2];
  std::atomic<std::uint8_t> ready_stamp[2];
  int local_stamp_buffer_idx = 0;
  int remote_stamp_buffer_idx = 0;
  int thread_id = 0;
  int thread_num = 0;
  int rank = 0;
  int group_size = 0;
  std::size_t spinning_count = 0;           // waits that had to block
  int swizzled_ranks[kMaxShmRankNum] = {};  // (i + rank) % group_size
  std::byte* thread_shm_ptrs[kMaxShmRankNum] = {};
  ThreadShmContext* shm_contexts[kMaxShmRankNum] = {};
  std::size_t thread_buffer_mask[2] = {0, 0};
  char padding[40] = {};

  ThreadShmContext(int thread_id, int thread_num, int rank, int group_size);

  // This thread's buffer half of `rank` selected by the local slot's mask.
  std::byte* shm_ptr(int rank) const;
  std::uint8_t local_curr() const;
  std::uint8_t local_ready() const;
  std::uint8_t remote_curr(int rank) const;
  std::uint8_t remote_ready(int rank) const;

  void next_stamp();          // curr[local] += 1 (release)
  void next_buffer();         // mask[local] ^= ~0
  void commit_ready_stamp();  // ready[local] = curr[local] (release)
  // Point to point: which slots this thread uses from now on.
  void set_stamp_slots(int local, int remote);
};
static_assert(sizeof(ThreadShmContext) == 256, "vLLM's x86 layout is 256 bytes");

// The two wait conditions, exactly as vLLM writes them (8-bit wrapping arithmetic).
// The peer is at most one chunk behind, so the half about to be overwritten is free.
inline bool check_no_buffer_conflict(std::uint8_t local_curr, std::uint8_t rank_curr) {
  return local_curr != static_cast<std::uint8_t>(rank_curr + 2);
}
// The peer has published the chunk of my current iteration, or of the next one.
inline bool check_stamp_ready(std::uint8_t local_curr, std::uint8_t rank_ready) {
  return rank_ready == local_curr || rank_ready == static_cast<std::uint8_t>(local_curr + 1);
}

// How shm_cc_loop splits `elem_num` elements over the threads.
struct ThreadRange {
  std::int64_t offset = 0;  // first element
  std::int64_t end = 0;     // one past the last; <= offset for an idle thread
  bool fast = false;        // the whole range fits in one half-buffer
};

struct Partition {
  std::int64_t max_iteration_elems = 0;  // one half-buffer of elements
  std::vector<ThreadRange> threads;
  // Chunks thread `thread` runs (0 for an idle thread).
  std::int64_t iterations(int thread) const;
  // The most chunks any thread runs.
  std::int64_t max_iterations() const;
};

// units = ceil(bytes / 256); each thread takes ceil(units / T) units; chunks of at most 2 MiB.
Partition partition(std::int64_t elem_num, std::size_t elem_size, int thread_num);

// Bytes of one rank's segment for `thread_num` threads.
std::size_t segment_bytes(int thread_num);
// Offset of thread t's buffer in a segment.
std::size_t thread_buffer_offset(int thread_num, int thread_id);

}  // namespace commsim::comm::shm
