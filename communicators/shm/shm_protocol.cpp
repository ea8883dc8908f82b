#include "communicators/shm/shm_protocol.h"

#include <algorithm>

namespace commsim::comm::shm {

ThreadShmContext::ThreadShmContext(int thread_id_, int thread_num_, int rank_, int group_size_)
    : thread_id(thread_id_), thread_num(thread_num_), rank(rank_), group_size(group_size_) {
  curr_stamp[0].store(1);
  curr_stamp[1].store(1);
  ready_stamp[0].store(0);
  ready_stamp[1].store(0);
  for (int i = 0; i < kMaxShmRankNum; ++i) swizzled_ranks[i] = (i + rank) % group_size;
}

std::byte* ThreadShmContext::shm_ptr(int target) const {
  const std::size_t half = kPerThreadBufferOffset & thread_buffer_mask[local_stamp_buffer_idx];
  return thread_shm_ptrs[target] + half;
}

std::uint8_t ThreadShmContext::local_curr() const {
  return curr_stamp[local_stamp_buffer_idx].load(std::memory_order_acquire);
}

std::uint8_t ThreadShmContext::local_ready() const {
  return ready_stamp[local_stamp_buffer_idx].load(std::memory_order_acquire);
}

std::uint8_t ThreadShmContext::remote_curr(int target) const {
  return shm_contexts[target]->curr_stamp[remote_stamp_buffer_idx].load(std::memory_order_acquire);
}

std::uint8_t ThreadShmContext::remote_ready(int target) const {
  return shm_contexts[target]->ready_stamp[remote_stamp_buffer_idx].load(std::memory_order_acquire);
}

void ThreadShmContext::next_stamp() {
  curr_stamp[local_stamp_buffer_idx].fetch_add(1, std::memory_order_release);
}

void ThreadShmContext::next_buffer() {
  thread_buffer_mask[local_stamp_buffer_idx] ^= ~std::size_t{0};
}

void ThreadShmContext::commit_ready_stamp() {
  ready_stamp[local_stamp_buffer_idx].store(local_curr(), std::memory_order_release);
}

void ThreadShmContext::set_stamp_slots(int local, int remote) {
  local_stamp_buffer_idx = local;
  remote_stamp_buffer_idx = remote;
}

std::int64_t Partition::iterations(int thread) const {
  const ThreadRange& range = threads[static_cast<std::size_t>(thread)];
  const std::int64_t elems = range.end - range.offset;
  return elems <= 0 ? 0 : (elems + max_iteration_elems - 1) / max_iteration_elems;
}

std::int64_t Partition::max_iterations() const {
  std::int64_t most = 0;
  for (int t = 0; t < static_cast<int>(threads.size()); ++t) most = std::max(most, iterations(t));
  return most;
}

Partition partition(std::int64_t elem_num, std::size_t elem_size, int thread_num) {
  const auto size = static_cast<std::int64_t>(elem_size);
  const std::int64_t total_bytes = elem_num * size;
  const std::int64_t units = (total_bytes + kMinThreadProcessSize - 1) / kMinThreadProcessSize;
  const std::int64_t per_thread_units = (units + thread_num - 1) / thread_num;
  const std::int64_t per_unit_elems = kMinThreadProcessSize / size;
  Partition plan;
  plan.max_iteration_elems = static_cast<std::int64_t>(kPerThreadBufferOffset) / size;
  const std::int64_t per_thread_elems = per_unit_elems * per_thread_units;
  for (int i = 0; i < thread_num; ++i) {
    ThreadRange range;
    range.offset = i * per_thread_elems;
    range.end = std::min(elem_num, range.offset + per_thread_elems);
    range.fast = (range.end - range.offset) <= plan.max_iteration_elems;
    plan.threads.push_back(range);
  }
  return plan;
}

std::size_t segment_bytes(int thread_num) {
  const auto threads = static_cast<std::size_t>(thread_num);
  return round_to_alignment(threads * sizeof(ThreadShmContext)) +
         threads * round_to_alignment(kPerThreadBufferBytes);
}

std::size_t thread_buffer_offset(int thread_num, int thread_id) {
  return round_to_alignment(static_cast<std::size_t>(thread_num) * sizeof(ThreadShmContext)) +
         static_cast<std::size_t>(thread_id) * round_to_alignment(kPerThreadBufferBytes);
}

}  // namespace commsim::comm::shm
